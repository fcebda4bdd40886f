"""Buyer messages in the admin: the outbox and the opt-outs are read-only for everyone (written by
messaging.services, which keep the audit trail and skip an opted-out buyer's messages); templates are edited
by who manages messages (客服, the manager), saved through the service so an unknown placeholder is refused
and the change is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from zhanggui.core import roles
from zhanggui.core.admin import CapabilityAdmin, ReadOnlyAdmin, ServiceErrorsMixin
from zhanggui.messaging import services
from zhanggui.messaging.models import BuyerOptOut, MessageTemplate, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "shop", "order", "buyer_nick", "kind", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "shop")
    search_fields = ("buyer_nick", "order__platform_order_no", "text")
    list_select_related = ("shop", "order")
    date_hierarchy = "created_at"


@admin.register(BuyerOptOut)
class BuyerOptOutAdmin(ReadOnlyAdmin):
    list_display = ("buyer_nick", "shop", "note", "created_by", "created_at")
    list_filter = ("shop",)
    search_fields = ("buyer_nick", "note")
    list_select_related = ("shop", "created_by")


class MessageTemplateAdminForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ("shop", "kind", "body", "enabled")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ServiceErrorsMixin, CapabilityAdmin):
    form = MessageTemplateAdminForm
    edit_capabilities = (roles.MANAGE_MESSAGES,)
    list_display = ("shop", "kind", "enabled", "body", "updated_by", "updated_at")
    list_filter = ("kind", "enabled", "shop")
    list_select_related = ("shop", "updated_by")
    fields = ("shop", "kind", "body", "enabled", "updated_by", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A template stays the shop's text for its kind; who changed it and when are the service's to write.
        return ("shop", "kind", "updated_by", "updated_at") if obj is not None else ("updated_by", "updated_at")

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form: forms.ModelForm, change: bool) -> None:
        saved = services.save_template(
            actor=request.user, shop=obj.shop, kind=obj.kind, body=obj.body, enabled=obj.enabled
        )
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False
