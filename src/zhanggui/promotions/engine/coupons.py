"""The coupon layer: which coupons the buyer may use, on which units, and the best combination of them
(at most one non-combinable), minimum spends measured after the shop layer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from zhanggui.promotions.engine.allocation import place
from zhanggui.promotions.engine.common import times
from zhanggui.promotions.engine.shop import Cover
from zhanggui.promotions.spec import Cart, Promotion

# ------------------------------------------------------------------------------------------------------------
# Coupons
# ------------------------------------------------------------------------------------------------------------


def coupon_allowed(p: Promotion, cart: Cart) -> bool:
    q = p.params
    offered = q["codes"] & cart.coupons
    if not offered or offered <= cart.used_codes:
        return False
    return cart.buyer.coupon_uses.get(p.id, 0) < q["per_buyer_limit"]


CouponUnits = list[tuple[Promotion, list[int]]]  # each coupon with its in-scope, unlocked lots (indexes)


def coupon_units(coupons: Sequence[Promotion], locked: int, covered: Cover) -> CouponUnits:
    """Each coupon with the lots it may measure and discount: its scope less the locked lots (bit fields)."""
    return [(p, [lot.index for lot in covered[p.id] if not lot.field & locked]) for p in coupons]


def coupon_discount(p: Promotion, amount: int) -> int:
    """What coupon p takes off an in-scope `amount` (its minimum spend already met): its amount, or for a 折扣券
    the amount less `rate` of it (rounded half-up, as 满折) within its `max_amount`; never more than `amount`."""
    q = p.params
    if q["rate"] is None:
        return min(q["amount"], amount)
    off = amount - times(amount, q["rate"])
    return min(off, q["max_amount"]) if q["max_amount"] is not None else off


@dataclass(slots=True, init=False)
class CouponUse:
    """A coupon the buyer may use on this cart: what it takes off, on which lots, measured on what amount."""

    promotion: Promotion
    discount: int
    lots: list[int]
    amount: int  # its in-scope amount, on which its minimum spend was met

    # Its own __init__: the dataclass's would run as plain Python even when compiled (ADR 0005).
    def __init__(self, promotion: Promotion, discount: int, lots: list[int], amount: int) -> None:
        self.promotion = promotion
        self.discount = discount
        self.lots = lots
        self.amount = amount


def coupon_amounts(coupons: CouponUnits, after: list[int]) -> list[CouponUse]:
    """Each usable coupon: its minimum spend met on its lots, which cost `after` (per lot, all its units)."""
    result = []
    for p, idx in coupons:
        amount = sum(after[k] for k in idx)
        if amount > 0 and amount >= p.params["min_spend"]:
            result.append(CouponUse(p, coupon_discount(p, amount), idx, amount))
    return result


def best_coupons(options: list[CouponUse]) -> tuple[int, list[CouponUse]]:
    """At most one non-combinable coupon (the best; lowest id on ties) plus every combinable one."""
    combinable = [o for o in options if o.promotion.params["combinable"]]
    single = [o for o in options if not o.promotion.params["combinable"]]
    chosen = list(combinable)
    if single:
        chosen.append(max(single, key=lambda o: (o.discount, [-ord(c) for c in o.promotion.id])))
    return sum(o.discount for o in chosen), chosen


def choose_coupons(
    coupons: CouponUnits, lows: list[int], after: list[int], line_of: Sequence[int]
) -> tuple[int, list[CouponUse]]:
    """The coupons that give the buyer most on lots that cost `after` (and may cost no less than `lows`), as
    really allocated."""
    return pick_coupons(coupon_amounts(coupons, after), lows, lambda: after, line_of, floors=any(lows))


def pick_coupons(
    options: list[CouponUse], lows: list[int], after: Callable[[], list[int]], line_of: Sequence[int], floors: bool
) -> tuple[int, list[CouponUse]]:
    """Of the usable coupons (`options`), those that give the buyer most, as really allocated (within each
    lot's room above its floors): every combinable coupon plus at most one other; the lowest id wins a tie.
    `after()` gives what each lot costs; it is asked only when a coupon may not fit in its lots."""
    if not options:
        return 0, []
    combinable = [o for o in options if o.promotion.params["combinable"]]
    singles = sorted((o for o in options if not o.promotion.params["combinable"]), key=lambda o: o.promotion.id)
    known: list[Any] = []

    def rooms() -> tuple[list[int], list[int]]:
        if not known:
            left = after()
            known.extend([left, [max(0, a - low) for a, low in zip(left, lows, strict=True)]])
        return known[0], known[1]

    best: tuple[int, list[CouponUse]] = (-1, [])
    for single in [None, *singles]:
        chosen = sorted(combinable + ([single] if single else []), key=lambda o: o.promotion.id)
        # Shortcut: when each coupon, with all those before it, fits in its own lots' room, allocation will
        # give every coupon in full (allocate gives min(total, Σ room)); otherwise allocate for real. Without
        # floors a coupon's room is its in-scope amount.
        running, fits = 0, True
        for use in chosen:
            running += use.discount
            if running > (sum(rooms()[1][k] for k in use.lots) if floors else use.amount):
                fits = False
                break
        if fits:
            given = running
        else:
            left, base_room = rooms()
            discounts = [(use.discount, use.lots, [left[k] for k in use.lots]) for use in chosen]
            given = sum(map(sum, place(discounts, base_room, line_of)))
        if given > best[0]:
            best = (given, chosen)
    return best
