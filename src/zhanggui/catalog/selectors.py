"""Reads of the catalog reused by pages, API and other apps."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q, QuerySet

from zhanggui.catalog.models import Product, Shop, Sku
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


def costs_by_sku_code(shop: Shop | None = None) -> dict[str, int]:
    """Unit cost in fen by SKU code (商家编码), for margin reports; with several shops, pass the shop."""
    qs = Sku.objects.all() if shop is None else Sku.objects.filter(shop=shop)
    return {code: int(cost * 100) for code, cost in qs.values_list("code", "cost")}
