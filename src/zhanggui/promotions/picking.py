"""Reads of the catalog for the pickers of the promotion pages (the what-if page's carts, the eligibility check's
table, the editor's catalog search through offers.selectors.catalog_matches): SKUs found by code or name, and
the SKUs of a category or a product, each with its product, category and shop loaded, one query each.

Searching sees every SKU of the shop, on sale or not (a person may plan a campaign for a SKU not yet listed);
a category or "the whole shop" means the SKUs on sale (the SKU and its product listed), as the campaign check
always took them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from zhanggui.catalog.models import Category, ListingStatus, Product, Shop, Sku
from zhanggui.core.text import clean_line

MAX_FOUND = 20  # SKUs one search shows: a person narrows the words rather than scrolls
MAX_PICKED = 500  # SKUs one pick may add (a whole category): the eligibility check's own limit


def _skus() -> QuerySet[Sku]:
    return Sku.objects.select_related("shop", "product__category")


# Catalog order: a product's SKUs stay together (the eligibility picker groups what a search found by product).
CATALOG_ORDER = ("shop__code", "product__code", "code")


def search_skus(*, q: str, shop: Shop | None = None, limit: int = MAX_FOUND) -> list[Sku]:
    """The one SKU search of the promotion pages (the what-if carts, the eligibility check, the editor's
    catalog search): SKUs whose code, spec, product code or product title contains `q`, or whose barcode is `q`
    (a scanner types it whole; a few digits would match half the shop), the shop's or every shop's, in catalog
    order. An empty search finds nothing."""
    words = clean_line(q).strip()  # NUL would fail on PostgreSQL; nothing stored holds one
    if not words or limit <= 0:
        return []
    rows = _skus().filter(
        Q(code__icontains=words)
        | Q(barcode=words)
        | Q(spec__icontains=words)
        | Q(product__code__icontains=words)
        | Q(product__title__icontains=words)
    )
    if shop is not None:
        rows = rows.filter(shop=shop)
    return list(rows.order_by(*CATALOG_ORDER)[:limit])


def on_sale(*, shop: Shop | None = None, category: Category | None = None) -> QuerySet[Sku]:
    """The SKUs on sale now (the SKU and its product listed), of one shop or every shop, of one category."""
    rows = _skus().filter(listing_status=ListingStatus.LISTED, product__listing_status=ListingStatus.LISTED)
    if shop is not None:
        rows = rows.filter(shop=shop)
    if category is not None:
        rows = rows.filter(product__category=category)
    return rows.order_by(*CATALOG_ORDER)


def picked_skus(
    *,
    shop: Shop | None = None,
    sku_ids: Iterable[int] = (),
    product: Product | None = None,
    category: Category | None = None,
    every: bool = False,
    leave_out: Iterable[int] = (),
) -> list[Sku]:
    """What one pick adds: the SKUs named by id (whatever their status), every SKU of a product, the SKUs on
    sale of a category, or (`every`) all the shop's SKUs on sale; never those in `leave_out` (already in the
    table), at most MAX_PICKED, in catalog order. Only the shop's SKUs when a shop is given."""
    if every or category is not None:
        rows = on_sale(shop=shop, category=category)
    elif product is not None:
        rows = _skus().filter(product=product).order_by(*CATALOG_ORDER)
        rows = rows.filter(shop=shop) if shop is not None else rows
    else:
        ids = {int(i) for i in sku_ids}
        if not ids:
            return []
        rows = _skus().filter(pk__in=ids).order_by(*CATALOG_ORDER)
        rows = rows.filter(shop=shop) if shop is not None else rows
    skip = {int(i) for i in leave_out}
    if skip:
        rows = rows.exclude(pk__in=skip)
    return list(rows[:MAX_PICKED])


def categories_on_sale(*, shop: Shop | None = None) -> QuerySet[Category]:
    """The categories that have SKUs on sale (in the shop, if given): what a category pick can add."""
    rows = Category.objects.filter(
        products__listing_status=ListingStatus.LISTED, products__skus__listing_status=ListingStatus.LISTED
    )
    if shop is not None:
        rows = rows.filter(products__shop=shop)
    return rows.distinct().order_by("name")


def cart_line(sku: Sku, quantity: int) -> dict[str, Any]:
    """One line of a cart as docs/pricing.md writes it: the SKU at its catalog price, with the product, the
    category and the role a promotion's scope may name."""
    category = sku.product.category
    return {
        "sku": sku.code,
        "quantity": quantity,
        "unit_price": f"{sku.price:.2f}",
        "product": sku.product.code,
        "category": category.name if category else "",
        "role": sku.product.role,
    }
