"""Admin of flash sales.

A flash sale is created here through promotions.flash.services (the same checks and audit row as the API); once it
exists only its name and its on/off switch change, because buyers may already hold units under its caps and
window. `sold`, the per-buyer counters and the purchases are read-only for everyone: they change only with a
purchase, a release or an issue, in the same transaction as the stock.

Stored promotions are listed here read-only: they change through the API and `zhanggui import-promotions`,
whose services check the spec, the approval and the audit trail (an admin form would bypass all three).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhanggui.core import roles
from zhanggui.core.admin import CapabilityAdmin, ReadOnlyAdmin, ServiceErrorsMixin
from zhanggui.promotions.flash import services as flash
from zhanggui.promotions.models import (
    FlashSale,
    FlashSaleBuyer,
    FlashSalePurchase,
    FlashSaleStatus,
    OfficialCampaign,
    Promotion,
    PromotionStatus,
)

ADD_FIELDS = ("sku", "name", "price", "stock_cap", "per_buyer_cap", "starts_at", "ends_at", "is_active")
FIXED_AFTER_CREATE = ("shop", "sku", "promotion", "price", "stock_cap", "per_buyer_cap", "starts_at", "ends_at")
COUNTERS = ("sold", "created_by", "created_at")


@admin.register(FlashSale)
class FlashSaleAdmin(ServiceErrorsMixin, CapabilityAdmin):
    edit_capabilities = (roles.MANAGE_PROMOTIONS,)
    list_display = (
        "__str__",
        "shop",
        "sku",
        "price",
        "stock_cap",
        "sold",
        "per_buyer_cap",
        "starts_at",
        "ends_at",
        "status",
        "promotion",
    )
    list_filter = ("is_active", "shop")
    search_fields = ("name", "sku__code", "promotion__code")
    list_select_related = ("shop", "sku", "promotion")
    raw_id_fields = ("sku",)
    date_hierarchy = "starts_at"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ADD_FIELDS
        return ("name", "is_active", *FIXED_AFTER_CREATE, *COUNTERS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if obj is None else (*FIXED_AFTER_CREATE, *COUNTERS)

    @admin.display(description=_("status"))
    def status(self, obj: FlashSale) -> str:
        return str(FlashSaleStatus(obj.status).label)

    def save_model(self, request: HttpRequest, obj: FlashSale, form: forms.ModelForm, change: bool) -> None:
        if not change:
            created = flash.create_flash_sale(
                actor=request.user,
                sku=obj.sku,
                price=obj.price,
                stock_cap=obj.stock_cap,
                per_buyer_cap=obj.per_buyer_cap,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                name=obj.name,
                is_active=obj.is_active,
            )
            # The admin goes on with `obj` (its change message, the redirect): make it the row just created.
            obj.pk, obj.shop_id, obj.created_at = created.pk, created.shop_id, created.created_at
            obj.created_by, obj._state.adding = request.user, False
            return
        if "is_active" in form.changed_data:
            flash.set_flash_sale_active(actor=request.user, flash_sale=obj, is_active=obj.is_active)
        if "name" in form.changed_data:
            obj.save(update_fields=["name"])


@admin.register(FlashSaleBuyer)
class FlashSaleBuyerAdmin(ReadOnlyAdmin):
    list_display = ("flash_sale", "buyer_ref", "quantity")
    search_fields = ("buyer_ref",)
    list_select_related = ("flash_sale",)


@admin.register(FlashSalePurchase)
class FlashSalePurchaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "flash_sale", "buyer_ref", "quantity", "status", "created_at", "closed_at")
    list_filter = ("status",)
    search_fields = ("reference", "buyer_ref")
    list_select_related = ("flash_sale",)
    date_hierarchy = "created_at"


@admin.register(Promotion)
class PromotionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "shop", "kind", "starts_at", "ends_at", "status", "created_by", "approved_by")
    list_filter = ("state", "kind", "shop")
    search_fields = ("code", "name")
    list_select_related = ("shop", "created_by", "approved_by")
    date_hierarchy = "starts_at"

    @admin.display(description=_("status"))
    def status(self, obj: Promotion) -> str:
        return str(PromotionStatus(obj.status).label)


@admin.register(OfficialCampaign)
class OfficialCampaignAdmin(ReadOnlyAdmin):
    """Changed only through promotions.campaigns.services (the pages and the API): the spec check and the audit row."""

    list_display = ("code", "name", "shop", "preset", "apply_by", "starts_at", "ends_at", "is_archived", "created_by")
    list_filter = ("is_archived", "preset", "shop")
    search_fields = ("code", "name")
    list_select_related = ("shop", "created_by")
