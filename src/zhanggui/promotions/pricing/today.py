"""What a SKU costs today: the running promotions that reach it and what a buyer pays for one unit now.

客服's first question ("这个今天多少钱？") answered on the product page: each SKU priced by the engine as a one-unit
cart under its shop's stacking policy (a buyer with no member tier and no coupon), with the promotions whose
scope reaches it, the member prices per tier, and what is missing to reach a shop threshold (满减's near miss).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhanggui.catalog.models import Shop, Sku
from zhanggui.promotions import spec
from zhanggui.promotions.engine import as_decimal, quote
from zhanggui.promotions.offers.forms import kind_label
from zhanggui.promotions.offers.selectors import running_promotions
from zhanggui.promotions.picking import cart_line

CENT = Decimal("0.01")


@dataclass
class Reach:
    """One running promotion reaching the SKU: what it is, its layer, and what it saves on one unit now."""

    promotion: spec.Promotion
    label: str
    layer: str
    saves: Decimal | None  # on a one-unit cart; None when it does not apply to one unit alone (a threshold)


@dataclass
class PriceToday:
    sku: Sku
    pays: Decimal  # one unit, no tier, no coupon
    reaches: list[Reach] = field(default_factory=list)
    member_prices: list[tuple[str, Decimal]] = field(default_factory=list)  # tier → what that buyer pays
    near_misses: list[str] = field(default_factory=list)
    stacking: str = spec.PLATFORM

    @property
    def saving(self) -> Decimal:
        return self.sku.price - self.pays


def _tiers(promotions: Sequence[spec.Promotion]) -> list[str]:
    tiers: set[str] = set()
    for p in promotions:
        if p.kind == spec.Kind.MEMBER_PRICE:
            tiers.update(p.params.get("prices", {}))
            tiers.update(p.params.get("rates", {}))
    return sorted(tiers)


def _paid(cart: dict[str, Any], promotions: Sequence[spec.Promotion], policy: str) -> tuple[Decimal, Any]:
    result = quote(spec.parse_cart(cart), promotions, policy)
    return as_decimal(result.lines[0].paid).quantize(CENT), result


def prices_today(skus: Sequence[Sku], *, shop: Shop, at: datetime | None = None) -> list[PriceToday]:
    """Each SKU of one shop priced now; one query for the running promotions, then the engine per SKU."""
    at = at or timezone.now()
    running = running_promotions(shop, at)
    policy = shop.pricing_policy
    found = []
    for sku in skus:
        raw = {"lines": [cart_line(sku, 1)]}
        line = spec.parse_cart(raw).lines[0]
        reaching = [p for p in running if p.scope.covers(line)]
        pays, result = _paid(raw, reaching, policy)
        today = PriceToday(sku, pays, stacking=policy)
        for p in reaching:
            saved = result.applied.get(p.id)
            today.reaches.append(
                Reach(p, kind_label(p.kind), p.layer, as_decimal(saved).quantize(CENT) if saved is not None else None)
            )
        for tier in _tiers(reaching):
            member, _result = _paid({**raw, "buyer": {"tier": tier}}, reaching, policy)
            if member != pays:
                today.member_prices.append((tier, member))
        today.near_misses = [miss.message for miss in result.near_misses]
        found.append(today)
    return found
