"""What-if: what a draft promotion would do to a set of carts, before anyone launches it.

Each cart is priced twice by the engine — with the promotions already running, and with the draft added —
so the figures are the draft's real effect under the shop's stacking policy (platform or best_for_buyer),
not its face value: how many carts it touches, how much less the shop would take in, margin per SKU at catalog
cost before and after, the share of carts that would cross the draft's threshold by adding items (its near
misses), and the share of carts in which the draft makes a running coupon unusable (a 满减 that applies by
itself and takes the order under the coupon's minimum spend: "设置满减后优惠券用不了").
Pure: the carts come from a file, a cart list, the shop's sample carts, or a source an app above promotions
registers here (CART_SOURCES: the orders app's last N days of a shop's orders), so that promotions never
imports it (ARCHITECTURE.md, "Which way imports point").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zhanggui.core.errors import ValidationFailed
from zhanggui.promotions.engine import Quote, quote
from zhanggui.promotions.spec import COUPON, PLATFORM, Cart, Promotion, yuan

ORDERS = "orders"  # the source the orders app registers: the last N days of a shop's orders
DEFAULT_DAYS, MAX_DAYS = 30, 365


@dataclass(frozen=True)
class SourcedCarts:
    """What a registered source gives: the carts (docs/pricing.md's format), a sentence for the page saying which
    they are and what was left out and why, and the same as `facts` for the API and the command (JSON)."""

    carts: list[dict[str, Any]]
    summary: str
    facts: dict[str, Any]


@dataclass(frozen=True)
class CartSource:
    name: str
    label: Any  # a lazy translation: the page's choice
    carts: Callable[..., SourcedCarts]  # carts(shop=, days=) -> SourcedCarts


CART_SOURCES: dict[str, CartSource] = {}


def register_cart_source(name: str, label: Any, function: Callable[..., SourcedCarts]) -> None:
    """Offer the what-if report a source of carts, `function(shop=…, days=…)`; called from the providing app's
    AppConfig.ready(). Registering a name again replaces it."""
    CART_SOURCES[name] = CartSource(name, label, function)


def source_carts(name: str, *, shop: Any, days: int) -> SourcedCarts:
    """The carts of the registered source `name` for `shop` over the last `days` days; ValidationFailed when there
    is no such source, no shop, `days` out of 1–MAX_DAYS, or nothing to replay."""
    source = CART_SOURCES.get(name)
    if source is None:
        raise ValidationFailed(_("No source of carts called %(name)s here.") % {"name": name})
    if shop is None:
        raise ValidationFailed(_("Choose the shop whose carts to replay."))
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(_("Days: a whole number from 1 to %(max)s.") % {"max": MAX_DAYS})
    sourced = source.carts(shop=shop, days=days)
    if not sourced.carts:
        raise ValidationFailed(f"{sourced.summary} {_('Nothing to replay: take more days or another shop.')}")
    return sourced


@dataclass
class SkuMargin:
    sku: str
    units: int = 0
    revenue_before: int = 0  # fen
    revenue_after: int = 0
    cost: int | None = 0  # None: the SKU's cost is not known

    def as_dict(self) -> dict[str, Any]:
        def margin(revenue: int) -> dict[str, Any]:
            if self.cost is None:
                return {"revenue": yuan(revenue), "margin": None, "margin_rate": None}
            profit = revenue - self.cost
            rate = f"{profit * 100 / revenue:.1f}%" if revenue else None
            return {"revenue": yuan(revenue), "margin": yuan(profit), "margin_rate": rate}

        return {
            "sku": self.sku,
            "units": self.units,
            "cost": yuan(self.cost) if self.cost is not None else None,
            "before": margin(self.revenue_before),
            "after": margin(self.revenue_after),
        }


@dataclass
class WhatIf:
    promotion: str
    carts: int = 0
    touched: int = 0  # carts the draft changes the price of (or gives a gift to)
    revenue_before: int = 0
    revenue_after: int = 0
    draft_discount: int = 0  # the draft's own allocated discount
    near_miss_carts: int = 0  # carts that would reach the draft (or its next tier) by buying more
    near_miss_total: int = 0  # Σ of what those carts are missing, fen
    coupon_lost_carts: int = 0  # carts whose coupon worked without the draft and does not with it
    stacking: str = PLATFORM
    skus: dict[str, SkuMargin] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        share = f"{self.near_miss_carts * 100 / self.carts:.1f}%" if self.carts else None
        average_missing = yuan(self.near_miss_total // self.near_miss_carts) if self.near_miss_carts else None
        lost = f"{self.coupon_lost_carts * 100 / self.carts:.1f}%" if self.carts else None
        return {
            "promotion": self.promotion,
            "stacking": self.stacking,
            "carts": self.carts,
            "coupon_lost_carts": self.coupon_lost_carts,
            "coupon_lost_share": lost,
            "carts_touched": self.touched,
            "revenue_before": yuan(self.revenue_before),
            "revenue_after": yuan(self.revenue_after),
            "revenue_change": yuan(self.revenue_after - self.revenue_before),
            "draft_discount": yuan(self.draft_discount),
            "near_miss_carts": self.near_miss_carts,
            "near_miss_share": share,
            "near_miss_average_missing": average_missing,
            "skus": [m.as_dict() for _sku, m in sorted(self.skus.items())],
        }


def what_if(
    draft: Promotion,
    carts: Sequence[Cart],
    running: Sequence[Promotion] = (),
    costs: Mapping[str, int] | None = None,
    stacking: str | None = None,
) -> WhatIf:
    """Replay `draft` over `carts` on top of the `running` promotions; `costs` maps SKU → unit cost in fen;
    `stacking` is the shop's policy (a cart's own overrides it; default platform)."""
    others = [p for p in running if p.id != draft.id]
    with_draft = [*others, draft]
    report = WhatIf(promotion=draft.id, stacking=stacking or PLATFORM)
    costs = costs or {}
    for cart in carts:
        before = quote(cart, others, stacking)
        after = quote(cart, with_draft, stacking)
        if _coupons_used(before) - _coupons_used(after) - {draft.id}:
            report.coupon_lost_carts += 1
        report.carts += 1
        report.revenue_before += before.payable
        report.revenue_after += after.payable
        gift = any(g.promotion == draft.id for g in after.gifts)
        if after.payable != before.payable or gift:
            report.touched += 1
        report.draft_discount += after.applied.get(draft.id, 0)
        misses = [m for m in after.near_misses if m.promotion == draft.id]
        if misses:
            report.near_miss_carts += 1
            report.near_miss_total += min(m.missing for m in misses)
        for line_before, line_after in zip(before.lines, after.lines, strict=True):
            margin = report.skus.setdefault(line_after.sku, SkuMargin(line_after.sku))
            margin.units += line_after.quantity
            margin.revenue_before += line_before.paid
            margin.revenue_after += line_after.paid
            unit_cost = costs.get(line_after.sku)
            if unit_cost is None or margin.cost is None:
                margin.cost = None
            else:
                margin.cost += unit_cost * line_after.quantity
    return report


def _coupons_used(priced: Quote) -> set[str]:
    return {share.promotion for line in priced.lines for share in line.shares if share.layer == COUPON}
