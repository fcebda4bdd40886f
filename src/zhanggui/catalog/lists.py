"""The catalog's list pages as core.listing declares them: columns, sorting, export and batch actions.

Batch actions call the same services as the buttons on one product (list_product, delist_product), row by
row, so a product that may not go on sale is refused with its reason and the others still change.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhanggui.catalog import services
from zhanggui.catalog.models import DelistReason, Product
from zhanggui.core import roles
from zhanggui.core.listing import BatchAction, BatchResult, Column, ListSpec, each_row


def _label(product: Product) -> str:
    return f"{product.code} {product.title}"


def _list(actor: Any, rows: list[Product], data: dict[str, str]) -> BatchResult:
    return each_row(rows, lambda p: services.list_product(actor=actor, product=p, note=data.get("note", "")), _label)


def _delist(actor: Any, rows: list[Product], data: dict[str, str]) -> BatchResult:
    note = data.get("note", "")
    return each_row(
        rows, lambda p: services.delist_product(actor=actor, product=p, reason=DelistReason.MANUAL, note=note), _label
    )


PRODUCTS = ListSpec(
    name="products",
    columns=(
        Column("image", _("Image"), None, None),  # the main image's thumbnail: on screen only
        Column("code", _("Product code"), "code", lambda p: p.code),
        Column("title", _("Title"), "title", lambda p: p.title),
        Column("shop", _("Shop"), "shop__name", lambda p: p.shop.name),
        Column("category", _("Category"), "category__name", lambda p: p.category.name if p.category else ""),
        Column("role", _("Role"), "role", lambda p: p.get_role_display()),
        Column("skus", _("SKUs"), "sku_count", lambda p: p.sku_count, numeric=True),
        Column("price", _("Price"), "price_min", lambda p: p.price_min, numeric=True),
        Column("on_hand", _("On hand"), "on_hand", lambda p: p.on_hand, numeric=True),
        Column("available", _("Available"), "available", lambda p: p.available, numeric=True),
        Column("listing", _("Listing"), "listing_status", lambda p: p.get_listing_status_display()),
        Column("updated", _("Updated"), "updated_at", lambda p: p.updated_at, numeric=True),
    ),
    default_sort="code",
    date_field="updated_at",
    date_label=_("Updated"),
    actions=(
        BatchAction("list", _("Put on sale"), roles.CHANGE_LISTING, _list, fields=(("note", _("Note"), "text"),)),
        BatchAction(
            "delist",
            _("Take off sale"),
            roles.CHANGE_LISTING,
            _delist,
            fields=(("note", _("Note"), "text"),),
            confirm=_("Take the ticked products off sale?"),
        ),
    ),
    row_label=_label,
)
