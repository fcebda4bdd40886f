"""Reads of the catalog reused by pages, API and other apps."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhanggui.catalog.models import PriceChange, PriceChangeState, Product, Shop, Sku
from zhanggui.catalog.titles import check_title, normalize_title, title_length, title_limit
from zhanggui.core.text import clean_line


def products_for_list(
    *, q: str = "", shop: Shop | None = None, role: str = "", status: str = "", category_id: int | None = None
) -> QuerySet[Product]:
    qs = Product.objects.select_related("shop", "category")
    q = clean_line(q).strip()  # a search with NUL would fail on PostgreSQL; nothing stored holds one
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(code__icontains=q) | Q(skus__code__icontains=q) | Q(skus__barcode=q)
        ).distinct()
    if shop is not None:
        qs = qs.filter(shop=shop)
    if role:
        qs = qs.filter(role=role)
    if status:
        qs = qs.filter(listing_status=status)
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs


def duplicate_titles(shop: Shop | None = None) -> dict[str, list[int]]:
    """Titles used by several products of one shop (white space folded): title → product ids."""
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    qs = Product.objects.all() if shop is None else Product.objects.filter(shop=shop)
    for pk, shop_id, title in qs.values_list("pk", "shop_id", "title"):
        groups[(shop_id, normalize_title(title))].append(pk)
    return {title: ids for (_shop, title), ids in groups.items() if len(ids) > 1}


def title_report(product: Product, banned_words: list[str]) -> dict:
    channel = product.shop.channel
    dupes = Product.objects.filter(shop=product.shop, title=product.title).exclude(pk=product.pk)
    return {
        "length": title_length(product.title, channel),
        "limit": title_limit(channel),
        "problems": check_title(product.title, channel, banned_words),
        "duplicates": list(dupes.values_list("code", flat=True)),
    }


def sku_by_code(shop: Shop, code: str) -> Sku | None:
    return Sku.objects.filter(shop=shop, code=code).first()


def product_ids_by_code(shop: Shop, codes: set[str]) -> dict[str, int]:
    """The shop's products that `codes` name, by code: a product's own code (货号) first, else the code
    (商家编码) of one of its SKUs. For reports that name items by either (analytics traffic imports)."""
    found = dict(Product.objects.filter(shop=shop, code__in=codes).values_list("code", "pk"))
    rest = codes - found.keys()
    if rest:
        found.update(Sku.objects.filter(shop=shop, code__in=rest).values_list("code", "product_id"))
    return found


def costs_by_sku_code(shop: Shop | None = None) -> dict[str, int]:
    """Unit cost in fen by SKU code (商家编码), for margin reports; with several shops, pass the shop."""
    qs = Sku.objects.all() if shop is None else Sku.objects.filter(shop=shop)
    return {code: int(cost * 100) for code, cost in qs.values_list("code", "cost")}


# --------------------------------------------------------------------------------------------------------
# Price changes waiting for a manager (catalog.price_changes)
# --------------------------------------------------------------------------------------------------------


def pending_price_changes() -> QuerySet[PriceChange]:
    """The price changes waiting for a manager, oldest first (the one waiting longest is decided first)."""
    return (
        PriceChange.objects.filter(state=PriceChangeState.PENDING)
        .select_related("sku__product", "sku__shop", "requested_by")
        .order_by("requested_at", "id")
    )


def pending_price_change_count() -> int:
    return PriceChange.objects.filter(state=PriceChangeState.PENDING).count()


def price_change(pk: int) -> PriceChange:
    """One price change with its SKU, product, shop and people (PriceChange.DoesNotExist when there is none)."""
    return PriceChange.objects.select_related("sku__product", "sku__shop", "requested_by", "decided_by").get(pk=pk)


def pending_price_change(sku: Sku) -> PriceChange | None:
    return PriceChange.objects.filter(sku=sku, state=PriceChangeState.PENDING).select_related("requested_by").first()


def price_request_to_show(sku: Sku) -> PriceChange | None:
    """What the SKU page says about asked prices: the one waiting, else the latest rejected one while the
    price is still the one it would have replaced (once the price has moved on, the refusal is history)."""
    latest = (
        PriceChange.objects.filter(sku=sku, state__in=[PriceChangeState.PENDING, PriceChangeState.REJECTED])
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-id")
        .first()
    )
    if latest is None or latest.state == PriceChangeState.PENDING:
        return latest
    return latest if latest.price_before == sku.price else None


RETURNED_DAYS = 14


def rejected_price_changes(*, requested_by: Any, days: int = RETURNED_DAYS) -> QuerySet[PriceChange]:
    """A person's price changes a manager rejected in the last `days` days, newest first."""
    since = timezone.now() - timedelta(days=days)
    return (
        PriceChange.objects.filter(state=PriceChangeState.REJECTED, requested_by=requested_by, decided_at__gte=since)
        .select_related("sku__product", "sku__shop", "requested_by", "decided_by")
        .order_by("-decided_at", "-id")
    )
