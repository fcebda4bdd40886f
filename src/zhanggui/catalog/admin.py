"""Admin of the catalog, held to the permission matrix.

Price and cost are read-only unless the user may change prices, listing status unless the user may list and
delist, descriptive fields unless the user may edit the catalog. Saves go through catalog.services, so a
price or listing changed here lands in the audit trail exactly as one changed on the desk or the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog import services
from zhanggui.catalog.errors import TitleRejected
from zhanggui.catalog.models import (
    BannedWord,
    Category,
    DelistReason,
    ListingStatus,
    PriceChange,
    Product,
    Shop,
    Sku,
)
from zhanggui.core import roles
from zhanggui.core.admin import CapabilityAdmin, ServiceErrorsMixin

LISTING_FIELDS = ("listing_status", "delist_reason")
PRICE_FIELDS = ("price", "cost")


def _clean_listing(form: forms.ModelForm) -> None:
    """A listing can go on or off sale here, not back to draft (no service does that)."""
    status = form.cleaned_data.get("listing_status")
    if "listing_status" in form.changed_data and status == ListingStatus.DRAFT:
        form.add_error("listing_status", gettext("A listing cannot go back to draft."))


def _refresh(obj: Any, pk: int) -> None:
    """Make the admin's form instance the row the service saved (for the log entry and the redirect)."""
    obj.pk = pk
    obj.refresh_from_db()
    obj._state.adding = False


@admin.register(Shop)
class ShopAdmin(CapabilityAdmin):
    edit_capabilities = (roles.MANAGE_SHOPS,)
    list_display = ("code", "name", "channel", "warehouse_choice", "stacking", "is_active")
    list_filter = ("channel", "is_active")
    search_fields = ("code", "name")


@admin.register(BannedWord)
class BannedWordAdmin(CapabilityAdmin):
    edit_capabilities = (roles.MANAGE_SHOPS,)
    list_display = ("word", "channel", "reason")
    list_filter = ("channel",)
    search_fields = ("word", "reason")


@admin.register(Category)
class CategoryAdmin(CapabilityAdmin):
    edit_capabilities = (roles.EDIT_CATALOG,)
    list_display = ("name",)
    search_fields = ("name",)


def _https_urls(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Django 6's https default for URL fields now, without its deprecation warning (see formfield_overrides)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ProductAdminForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("shop", "code", *services.PRODUCT_FIELDS, *LISTING_FIELDS)
        formfield_callback = _https_urls

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        title = cleaned.get("title")
        shop = cleaned.get("shop") or (self.instance.shop if self.instance.shop_id else None)
        if "title" in self.changed_data and title and shop is not None:
            try:
                cleaned["title"] = services.validate_title(title=title, shop=shop)
            except TitleRejected as exc:
                self.add_error("title", exc.message)
        _clean_listing(self)
        return cleaned


@admin.register(Product)
class ProductAdmin(ServiceErrorsMixin, CapabilityAdmin):
    form = ProductAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    edit_capabilities = (roles.EDIT_CATALOG, roles.CHANGE_LISTING)
    list_display = ("code", "title", "shop", "category", "role", "listing_status", "delist_reason", "updated_at")
    list_filter = ("shop", "role", "listing_status", "category")
    search_fields = ("code", "title", "skus__code")
    list_select_related = ("shop", "category")
    fields = (
        "shop",
        "code",
        "title",
        "category",
        "role",
        "description",
        "main_image_url",
        "listing_status",
        "delist_reason",
        "sku_summary",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.can(request, roles.EDIT_CATALOG)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = ["sku_summary"]
        if obj is not None:
            readonly += ["shop", "code"]  # the services keep a product in its shop under its code
        readonly += sorted(roles.locked_fields(request.user, Product))
        if obj is None or not self.can(request, roles.CHANGE_LISTING):
            readonly += list(LISTING_FIELDS)  # a new product starts as a draft; listing needs SKUs
        return tuple(readonly)

    @admin.display(description=_("SKUs"))
    def sku_summary(self, obj: Product) -> str:
        if obj.pk is None:
            return "—"
        rows = obj.skus.order_by("code").values_list("code", "spec", "price", "listing_status")
        return (
            format_html_join(
                "", "<div>{} {} ¥{} ({})</div>", ((c, s, p, ListingStatus(st).label) for c, s, p, st in rows)
            )
            or "—"
        )

    def save_model(self, request: HttpRequest, obj: Product, form: forms.ModelForm, change: bool) -> None:
        actor = request.user
        if not change:
            product = services.create_product(
                actor=actor,
                shop=obj.shop,
                code=obj.code,
                title=obj.title,
                category=obj.category,
                role=obj.role,
                description=obj.description,
                main_image_url=obj.main_image_url,
            )
            _refresh(obj, product.pk)
            return
        # The form already copied the new values onto `obj`; the services compare against the stored row.
        current = Product.objects.select_related("shop").get(pk=obj.pk)
        descriptive = {f: getattr(obj, f) for f in services.PRODUCT_FIELDS if f in form.changed_data}
        if descriptive:
            current = services.update_product(actor=actor, product=current, **descriptive)
        if any(f in form.changed_data for f in LISTING_FIELDS):
            if obj.listing_status == ListingStatus.LISTED:
                services.list_product(actor=actor, product=current, note="admin")
            elif obj.listing_status == ListingStatus.DELISTED:
                reason = obj.delist_reason or DelistReason.MANUAL
                services.delist_product(actor=actor, product=current, reason=reason, note="admin")
        _refresh(obj, obj.pk)


class SkuAdminForm(forms.ModelForm):
    class Meta:
        model = Sku
        fields = ("product", "code", *services.SKU_FIELDS, *PRICE_FIELDS, *LISTING_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _clean_listing(self)
        return cleaned


@admin.register(Sku)
class SkuAdmin(ServiceErrorsMixin, CapabilityAdmin):
    form = SkuAdminForm
    edit_capabilities = (roles.EDIT_CATALOG, roles.CHANGE_PRICE, roles.CHANGE_LISTING)
    list_display = ("code", "spec", "product", "shop", "price", "cost", "safety_stock", "listing_status")
    list_filter = ("shop", "listing_status")
    search_fields = ("code", "barcode", "product__code", "product__title")
    list_select_related = ("product", "shop")
    raw_id_fields = ("product",)
    fields = (
        "product",
        "shop",
        "code",
        "barcode",
        "spec",
        "price",
        "cost",
        "weight_g",
        "safety_stock",
        "listing_status",
        "delist_reason",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(roles.EDIT_CATALOG) and request.user.has_perm(roles.CHANGE_PRICE)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = ["shop"]  # always the product's shop
        if obj is not None:
            readonly += ["product", "code"]
        readonly += sorted(roles.locked_fields(request.user, Sku))  # the matrix's field rules (barcode, weight…)
        if not self.can(request, roles.CHANGE_PRICE):
            readonly += list(PRICE_FIELDS)
        elif obj is not None and not request.user.has_perm(roles.CHANGE_COST):
            readonly.append("cost")  # a new SKU's first cost is its creator's; a change needs change_cost
        if obj is None or not self.can(request, roles.CHANGE_LISTING):
            readonly += list(LISTING_FIELDS)
        return tuple(readonly)

    def save_model(self, request: HttpRequest, obj: Sku, form: forms.ModelForm, change: bool) -> None:
        actor = request.user
        if not change:
            sku = services.create_sku(
                actor=actor,
                product=obj.product,
                code=obj.code,
                price=obj.price,
                cost=obj.cost,
                barcode=obj.barcode,
                spec=obj.spec,
                weight_g=obj.weight_g,
                safety_stock=obj.safety_stock,
            )
            _refresh(obj, sku.pk)
            return
        current = Sku.objects.select_related("product").get(pk=obj.pk)
        descriptive = {f: getattr(obj, f) for f in services.SKU_FIELDS if f in form.changed_data}
        if descriptive:
            current = services.update_sku(actor=actor, sku=current, **descriptive)
        if any(f in form.changed_data for f in PRICE_FIELDS):
            current = services.set_price(
                actor=actor,
                sku=current,
                price=obj.price if "price" in form.changed_data else None,
                cost=obj.cost if "cost" in form.changed_data else None,
                note="admin",
            )
        if any(f in form.changed_data for f in LISTING_FIELDS):
            if obj.listing_status == ListingStatus.LISTED:
                services.list_sku(actor=actor, sku=current, note="admin")
            elif obj.listing_status == ListingStatus.DELISTED:
                reason = obj.delist_reason or DelistReason.MANUAL
                services.delist_sku(actor=actor, sku=current, reason=reason, note="admin")
        _refresh(obj, obj.pk)


@admin.register(PriceChange)
class PriceChangeAdmin(admin.ModelAdmin):
    """Read only: a price change is asked, approved or rejected through the services (the approvals page)."""

    list_display = ("sku", "price_before", "price_asked", "cost", "state", "requested_by", "requested_at", "decided_by")
    list_filter = ("state",)
    search_fields = ("sku__code",)
    list_select_related = ("sku", "requested_by", "decided_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
