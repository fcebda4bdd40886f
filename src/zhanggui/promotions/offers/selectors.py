"""Reads of stored promotions: running now (for a quote), the list and the calendar, export, history; and the
catalog as the editor reads it (the SKUs a scope reaches, search, the sample cart's lines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Category, Product, ProductRole, Shop, Sku
from zhanggui.core.models import AuditEntry
from zhanggui.promotions import spec
from zhanggui.promotions.models import Promotion, PromotionState, PromotionStatus
from zhanggui.promotions.picking import cart_line


def promotion_status_q(status: str, at: datetime) -> Q:
    """The rows whose derived status (Promotion.status_at) is `status` at that moment, as a database filter."""
    approved = Q(state=PromotionState.APPROVED)
    return {
        PromotionStatus.DRAFT: Q(state=PromotionState.DRAFT),
        PromotionStatus.PENDING_APPROVAL: Q(state=PromotionState.SUBMITTED),
        PromotionStatus.CANCELLED: Q(state=PromotionState.CANCELLED),
        PromotionStatus.SCHEDULED: approved & Q(starts_at__gt=at),
        PromotionStatus.RUNNING: approved & Q(starts_at__lte=at, ends_at__gt=at),
        PromotionStatus.ENDED: approved & Q(ends_at__lte=at),
    }[PromotionStatus(status)]


def _for_shop(shop: Shop | None) -> Q:
    """A shop sees its own promotions and the all-shops ones; no shop means the all-shops ones only."""
    return Q(shop__isnull=True) | Q(shop=shop) if shop is not None else Q(shop__isnull=True)


def promotions(
    *,
    shop: Shop | None = None,
    status: str | None = None,
    kind: str | None = None,
    starts_before: datetime | None = None,
    ends_after: datetime | None = None,
    at: datetime | None = None,
) -> QuerySet[Promotion]:
    """Stored promotions in calendar order; with both bounds, those whose window overlaps them.

    `shop` narrows to that shop's rows and the all-shops ones; without it every row is listed.
    """
    rows = Promotion.objects.select_related("shop", "created_by", "approved_by")
    if shop is not None:
        rows = rows.filter(_for_shop(shop))
    if status:
        rows = rows.filter(promotion_status_q(status, at or timezone.now()))
    if kind:
        rows = rows.filter(kind=kind)
    if starts_before is not None:
        rows = rows.filter(starts_at__lt=starts_before)
    if ends_after is not None:
        rows = rows.filter(ends_at__gt=ends_after)
    return rows


def calendar(
    *, start: datetime, end: datetime, shop: Shop | None = None, cancelled: bool = False
) -> QuerySet[Promotion]:
    """Promotions whose window [starts_at, ends_at) overlaps [start, end), cancelled ones left out unless asked."""
    rows = promotions(shop=shop, starts_before=end, ends_after=start)
    return rows if cancelled else rows.exclude(state=PromotionState.CANCELLED)


# (row id, updated_at) → parsed spec: a row's spec only changes with its updated_at, and parsing is the
# costly part of reading the running promotions for each quote.
_PARSED: dict[tuple[int, datetime], spec.Promotion] = {}
_PARSED_MAX = 2_000


def _parsed(row_id: int, updated_at: datetime, raw: dict[str, Any]) -> spec.Promotion:
    key = (row_id, updated_at)
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        parsed = _PARSED[key] = spec.parse_promotion(raw, f"promotion #{row_id}")
    return parsed


def running_promotions(shop: Shop | None = None, at: datetime | None = None) -> list[spec.Promotion]:
    """The approved promotions whose window contains `at` (default now), parsed for the engine.

    With a shop: that shop's and the all-shops ones; without: the all-shops ones only (codes are unique
    within what one quote sees, so the engine's ids never clash).
    """
    at = at or timezone.now()
    rows = (
        Promotion.objects.filter(_for_shop(shop), state=PromotionState.APPROVED, starts_at__lte=at, ends_at__gt=at)
        .order_by("code", "id")
        .values_list("id", "updated_at", "spec")
    )
    return [_parsed(row_id, updated_at, raw) for row_id, updated_at, raw in rows]


def export_promotions(*, shop: Shop | None = None) -> list[dict[str, Any]]:
    """The specs of a shop's promotions (or the all-shops ones), cancelled ones left out, in calendar order:
    the file `zhanggui import-promotions` reads back unchanged."""
    rows = Promotion.objects.filter(shop=shop).exclude(state=PromotionState.CANCELLED).order_by("starts_at", "code")
    return [row.spec for row in rows]


def promotion_history(promotion: Promotion) -> QuerySet[AuditEntry]:
    """The audit rows of one promotion, oldest first."""
    return (
        AuditEntry.objects.filter(object_type=Promotion._meta.label_lower, object_id=str(promotion.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


# --------------------------------------------------------------------------------------------------------
# The catalog as the editor reads it
# --------------------------------------------------------------------------------------------------------


def skus_in(shop: Shop | None) -> QuerySet[Sku]:
    """The shop's SKUs; every shop's without one (an all-shops promotion)."""
    rows = Sku.objects.all()
    return rows if shop is None else rows.filter(shop=shop)


def reached_skus(scope: spec.Scope, shop: Shop | None) -> QuerySet[Sku]:
    """The SKUs a scope reaches today, in its shop (every shop for an all-shops promotion), as the engine
    matches cart lines: SKU code, product code, category name, product role; exclusions win."""
    rows = skus_in(shop)
    if not scope.everything:
        wanted = Q(code__in=scope.skus) | Q(product__code__in=scope.products)
        wanted |= Q(product__category__name__in=scope.categories) | Q(product__role__in=scope.roles)
        rows = rows.filter(wanted)
    return rows.exclude(
        Q(code__in=scope.exclude_skus)
        | Q(product__code__in=scope.exclude_products)
        | Q(product__category__name__in=scope.exclude_categories)
        | Q(product__role__in=scope.exclude_roles)
    )


def scope_reach(raw_scope: Any, shop: Shop | None) -> int | None:
    """How many of the shop's SKUs a spec's scope reaches today (the editor's "reaches N SKUs"); None when the
    scope does not parse."""
    try:
        scope = spec.parse_scope(raw_scope, "scope")
    except spec.SpecError:
        return None
    return reached_skus(scope, shop).count()


@dataclass(frozen=True)
class CatalogMatch:
    """One search result of the editor's catalog pickers: what the spec names (`code`) and what a person reads."""

    type: str  # categories, products, skus, roles (the scope key it goes into)
    code: str
    label: str
    detail: str = ""


SEARCH_TYPES = ("categories", "products", "skus", "roles")
SEARCH_LIMIT = 20


def catalog_matches(
    *, shop: Shop | None, query: str, types: tuple[str, ...] = SEARCH_TYPES, limit: int = SEARCH_LIMIT
) -> list[CatalogMatch]:
    """Categories, products, SKUs and product roles of the shop whose code or name holds `query` (every one when
    it is empty), at most `limit` in all, in that order of types; SKUs say their price."""
    query = query.strip()
    found: list[CatalogMatch] = []
    if "categories" in types:
        rows = Category.objects.filter(products__shop=shop) if shop is not None else Category.objects.all()
        if query:
            rows = rows.filter(name__icontains=query)
        names = rows.order_by("name").values_list("name", flat=True).distinct()[:limit]
        found += [CatalogMatch("categories", name, name) for name in names]
    if "products" in types and len(found) < limit:
        products = Product.objects.all() if shop is None else Product.objects.filter(shop=shop)
        if query:
            products = products.filter(Q(code__icontains=query) | Q(title__icontains=query))
        for p in products.select_related("shop").order_by("code", "shop__code")[: limit - len(found)]:
            found.append(CatalogMatch("products", p.code, p.title, "" if shop else p.shop.name))
    if "skus" in types and len(found) < limit:
        skus = skus_in(shop)
        if query:
            skus = skus.filter(
                Q(code__icontains=query) | Q(barcode__icontains=query) | Q(product__title__icontains=query)
            )
        for s in skus.select_related("product").order_by("code", "shop_id")[: limit - len(found)]:
            label = f"{s.product.title} {s.spec}".strip()
            found.append(CatalogMatch("skus", s.code, label, f"¥{s.price:.2f}"))
    if "roles" in types and len(found) < limit:
        for role, role_label in ProductRole.choices:
            if not query or query.lower() in role or query.lower() in str(role_label).lower():
                found.append(CatalogMatch("roles", role, str(role_label)))
    return found[:limit]


def default_cart_skus(raw_scope: Any, shop: Shop | None, *, size: int = 3) -> list[str]:
    """The sample cart's SKUs when the editor opens: up to `size` the scope reaches (the dearest first), else
    any of the shop's."""
    try:
        scope = spec.parse_scope(raw_scope, "scope")
    except spec.SpecError:
        scope = spec.Scope()
    order = ("-price", "code", "pk")
    codes = list(reached_skus(scope, shop).order_by(*order).values_list("code", flat=True)[:size])
    return codes or list(skus_in(shop).order_by(*order).values_list("code", flat=True)[:size])


@dataclass(frozen=True)
class SampleLines:
    lines: list[dict[str, Any]]
    problems: list[str]


def sample_lines(*, shop: Shop | None, rows: list[tuple[str, int]]) -> SampleLines:
    """Cart lines of the engine (docs/pricing.md, "The cart") for (SKU code, quantity) rows: the list price,
    product, category and role from the catalog; a code the shop does not have is a problem naming its row."""
    codes = {code for code, _quantity in rows}
    found: dict[str, Sku] = {}
    for sku in skus_in(shop).filter(code__in=codes).select_related("product__category").order_by("shop__code"):
        found.setdefault(sku.code, sku)
    lines: list[dict[str, Any]] = []
    problems: list[str] = []
    for i, (code, quantity) in enumerate(rows, start=1):
        picked = found.get(code)
        if picked is None:
            problems.append(_("Row %(row)s: no SKU %(code)s in this shop.") % {"row": i, "code": code})
            continue
        lines.append(cart_line(picked, quantity))
    return SampleLines(lines, problems)
