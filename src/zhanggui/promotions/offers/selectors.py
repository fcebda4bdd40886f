"""Reads of stored promotions: running now (for a quote), the list and the calendar, export, history; and the
catalog as the editor reads it (the SKUs a scope reaches, search, the sample cart's lines)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Category, Product, ProductRole, Shop, Sku
from zhanggui.catalog.price_changes import Margin
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.models import AuditEntry
from zhanggui.promotions import spec
from zhanggui.promotions.engine import quote
from zhanggui.promotions.models import Promotion, PromotionState, PromotionStatus
from zhanggui.promotions.picking import cart_line, search_skus


def promotion_status_q(status: str, at: datetime) -> Q:
    """The rows whose derived status (Promotion.status_at) is `status` at that moment, as a database filter."""
    approved = Q(state=PromotionState.APPROVED)
    return {
        PromotionStatus.DRAFT: Q(state=PromotionState.DRAFT),
        PromotionStatus.PENDING_APPROVAL: Q(state=PromotionState.SUBMITTED),
        PromotionStatus.REJECTED: Q(state=PromotionState.REJECTED),
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
    rows = Promotion.objects.select_related("shop", "created_by", "approved_by", "rejected_by")
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


def submission_note(promotion: Promotion) -> str:
    """The note typed with the latest submission (what the approving manager should know)."""
    note = (
        promotion_history(promotion)
        .filter(action="promotion.submit")
        .order_by("-at", "-id")
        .values_list("note", flat=True)
        .first()
    )
    return note or ""


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
    """Categories, products, SKUs and product roles of the shop whose code or name holds `query`, at most `limit`
    in all, in that order of types; SKUs say their price. An empty query lists the categories, products and
    roles but no SKU: a shop has too many to browse, they are found by typing (picking.search_skus, the one SKU
    search of the promotion pages, in its catalog order)."""
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
        for s in search_skus(q=query, shop=shop, limit=limit - len(found)):
            found.append(CatalogMatch("skus", s.code, sku_title(s), f"¥{s.price:.2f}"))
    if "roles" in types and len(found) < limit:
        for role, role_label in ProductRole.choices:
            if not query or query.lower() in role or query.lower() in str(role_label).lower():
                found.append(CatalogMatch("roles", role, str(role_label)))
    return found[:limit]


def sku_title(sku: Sku) -> str:
    """How a SKU is named to a person next to its code: its product's title and its spec (颜色、尺码)."""
    return f"{sku.product.title} {sku.spec}".strip()


def sku_titles(codes: Iterable[str], shop: Shop | None) -> dict[str, str]:
    """Code → title (sku_title) of the SKUs of the shop (of every shop: the first shop's) with those codes; a code
    the catalog does not have is left out. One query, for the chips of picked SKUs."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    titles: dict[str, str] = {}
    for sku in skus_in(shop).filter(code__in=wanted).select_related("product").order_by("shop__code"):
        titles.setdefault(sku.code, sku_title(sku))
    return titles


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


# --------------------------------------------------------------------------------------------------------
# Approvals: the promotions waiting for a manager, and what one of them would do to the SKUs it reaches
# --------------------------------------------------------------------------------------------------------


def pending_promotions() -> QuerySet[Promotion]:
    """Submitted promotions (each deeper than the approval limit: the others are approved on submission),
    the one waiting longest first."""
    return (
        Promotion.objects.filter(state=PromotionState.SUBMITTED)
        .select_related("shop", "created_by")
        .order_by("updated_at", "id")
    )


def pending_promotion_count() -> int:
    return Promotion.objects.filter(state=PromotionState.SUBMITTED).count()


def rejected_promotions(*, created_by: Any, days: int = 14) -> QuerySet[Promotion]:
    """A person's promotions a manager rejected in the last `days` days and still rejected, newest first."""
    since = timezone.now() - timedelta(days=days)
    return (
        Promotion.objects.filter(state=PromotionState.REJECTED, created_by=created_by, rejected_at__gte=since)
        .select_related("shop", "created_by", "rejected_by")
        .order_by("-rejected_at", "-id")
    )


IMPACT_SKUS = 20  # SKUs the approval page prices: enough to judge, one cart the engine prices at once


@dataclass(frozen=True)
class ImpactRow:
    """One SKU a promotion reaches: its price now and after the promotion's item-level effect, at its cost; and
    what its unit pays in the preview cart without and with the promotion."""

    sku: Sku
    price: Decimal
    item_price: Decimal
    paid_without: Decimal | None = None
    paid_with: Decimal | None = None

    @property
    def margin_now(self) -> Margin:
        return Margin(self.price, self.sku.cost)

    @property
    def margin_after(self) -> Margin:
        return Margin(self.item_price, self.sku.cost)

    @property
    def margin_in_cart(self) -> Margin | None:
        return Margin(self.paid_with, self.sku.cost) if self.paid_with is not None else None


@dataclass
class PromotionImpact:
    rows: list[ImpactRow] = field(default_factory=list)
    reached: int = 0  # SKUs reached in all (rows holds at most IMPACT_SKUS of them)
    at: datetime | None = None  # the moment the cart is priced at (the promotion's start, or now once started)
    tier: str = ""  # the member tier of the sample buyer, for member prices
    payable_without: Decimal | None = None
    payable_with: Decimal | None = None
    list_total: Decimal | None = None
    others: list[str] = field(default_factory=list)  # the running promotions priced alongside
    error: str = ""

    @property
    def saving(self) -> Decimal | None:
        if self.payable_with is None or self.payable_without is None:
            return None
        return self.payable_without - self.payable_with


def _impact_skus(parsed: spec.Promotion, shop: Shop | None) -> tuple[list[Sku], int]:
    """The SKUs the promotion reaches (a bundle's items first), dearest first, at most IMPACT_SKUS; and how many
    it reaches in all."""
    rows = reached_skus(parsed.scope, shop).select_related("product__category")
    if parsed.kind == spec.Kind.BUNDLE:
        items = {code for code, _quantity in parsed.params["items"]}
        rows = skus_in(shop).filter(code__in=items).select_related("product__category")
    total = rows.count()
    picked: dict[str, Sku] = {}  # an all-shops promotion: one SKU a code (a cart line names its SKU by code)
    for sku in rows.order_by("-price", "code", "pk")[: IMPACT_SKUS * 2]:
        picked.setdefault(sku.code, sku)
    return list(picked.values())[:IMPACT_SKUS], total


def _yuan(amount_fen: int) -> Decimal:
    return (Decimal(amount_fen) / 100).quantize(Decimal("0.01"))


def _sample_buyer(parsed: spec.Promotion) -> tuple[dict[str, Any], str]:
    """A buyer the promotion applies to: the tier with the deepest member rate, the spend a member discount
    asks for."""
    p = parsed.params
    if parsed.kind == spec.Kind.MEMBER_PRICE:
        tiers = sorted({*p["rates"], *p["prices"]}, key=lambda t: (p["rates"].get(t, spec.RATE_ONE), t))
        return ({"tier": tiers[0]}, tiers[0]) if tiers else ({}, "")
    if parsed.kind == spec.Kind.MEMBER_DISCOUNT:
        return {"past_spend": spec.yuan(p["min_past_spend"])}, ""
    return {}, ""


def promotion_impact(promotion: Promotion, *, at: datetime | None = None) -> PromotionImpact:
    """What approving the promotion does to the SKUs it reaches (at most IMPACT_SKUS of them): each one's price
    now and after the promotion's own item-level effect (the engine pricing one unit of each with this
    promotion alone), and one cart of those SKUs, one unit each, priced by the engine with the promotions
    running at its start without and with it, under the shop's stacking policy."""
    impact = PromotionImpact()
    try:
        parsed = spec.parse_promotion(promotion.spec)
    except ValidationFailed as exc:
        impact.error = exc.message
        return impact
    now = at or timezone.now()
    impact.at = max(now, promotion.starts_at) if promotion.ends_at > now else promotion.starts_at
    skus, impact.reached = _impact_skus(parsed, promotion.shop)
    if not skus:
        return impact
    buyer, impact.tier = _sample_buyer(parsed)
    raw_cart: dict[str, Any] = {"lines": [cart_line(sku, 1) for sku in skus], "at": impact.at.isoformat()}
    if buyer:
        raw_cart["buyer"] = buyer
    if parsed.kind == spec.Kind.COUPON:
        raw_cart["coupons"] = sorted(parsed.params["codes"])[:1]  # the sample buyer offers its code
    policy = promotion.shop.pricing_policy if promotion.shop else None
    try:
        cart = spec.parse_cart(raw_cart)
        others = [p for p in running_promotions(promotion.shop, at=impact.at) if p.id != parsed.id]
        alone = quote(cart, [parsed], policy)
        without, with_it = quote(cart, others, policy), quote(cart, [*others, parsed], policy)
    except ValidationFailed as exc:
        impact.error = exc.message
        return impact
    # The engine keeps the cart's lines in its own canonical order: match them by SKU code (one line each).
    item_prices = {line.sku: line.unit_prices[0][0] for line in alone.lines}
    paid_without = {line.sku: line.paid for line in without.lines}
    paid_with = {line.sku: line.paid for line in with_it.lines}
    impact.rows = [
        ImpactRow(
            sku=sku,
            price=sku.price,
            item_price=_yuan(item_prices.get(sku.code, int(sku.price * 100))),
            paid_without=_yuan(paid_without[sku.code]) if sku.code in paid_without else None,
            paid_with=_yuan(paid_with[sku.code]) if sku.code in paid_with else None,
        )
        for sku in skus
    ]
    impact.list_total = _yuan(with_it.list_total)
    impact.payable_without, impact.payable_with = _yuan(without.payable), _yuan(with_it.payable)
    impact.others = [p.name or p.id for p in others]
    return impact
