"""Admin of after-sales: cases, their lines and timelines are read-only for everyone (they change only through
aftersales.services, which keep the timeline, the audit trail and the refund limit); the deadline rules are
edited by who manages them (the manager), saved through the service so the change is audited and the open cases
follow it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from zhanggui.aftersales import services
from zhanggui.aftersales.models import AfterSaleCase, CaseEvent, CaseLine, DeadlineRule, Refund
from zhanggui.core import roles
from zhanggui.core.admin import CapabilityAdmin, ReadOnlyAdmin, ServiceErrorsMixin


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseLineInline(_ReadOnlyInline):
    model = CaseLine
    fields = ("order_line", "quantity", "refund_amount")
    readonly_fields = fields


class RefundInline(_ReadOnlyInline):
    model = Refund
    fields = ("at", "order_line", "amount", "actor")
    readonly_fields = fields


class CaseEventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "actor", "from_status", "to_status", "reason", "missed_deadline")
    readonly_fields = fields


@admin.register(AfterSaleCase)
class AfterSaleCaseAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "shop",
        "order",
        "kind",
        "status",
        "reason",
        "requested_amount",
        "deadline",
        "assignee",
        "created_at",
    )
    list_filter = ("status", "kind", "reason", "responsibility", "shop")
    search_fields = ("platform_refund_no", "order__platform_order_no", "order__buyer_nick")
    list_select_related = ("shop", "order", "assignee")
    date_hierarchy = "created_at"
    inlines = (CaseLineInline, RefundInline, CaseEventInline)


class DeadlineRuleAdminForm(forms.ModelForm):
    class Meta:
        model = DeadlineRule
        fields = ("channel", "situation", "hours", "on_expiry", "basis", "source")


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ServiceErrorsMixin, CapabilityAdmin):
    form = DeadlineRuleAdminForm
    edit_capabilities = (roles.MANAGE_AFTERSALES_RULES,)
    list_display = ("channel", "situation", "hours", "on_expiry", "basis", "source", "updated_by", "updated_at")
    list_filter = ("channel", "basis", "on_expiry")
    list_select_related = ("updated_by",)
    fields = ("channel", "situation", "hours", "on_expiry", "basis", "source", "updated_by", "updated_at")
    readonly_fields = ("channel", "situation", "updated_by", "updated_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # one row per channel and situation, seeded by the migration

    def save_model(self, request: HttpRequest, obj: DeadlineRule, form: forms.ModelForm, change: bool) -> None:
        services.save_rule(
            actor=request.user,
            rule=obj,
            hours=obj.hours,
            on_expiry=obj.on_expiry,
            basis=obj.basis,
            source=obj.source,
        )
        obj.refresh_from_db()
