"""The coupon layer: which coupons the buyer may use, on which units, and the best combination of them
(at most one non-combinable), minimum spends measured after the shop layer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def coupon_amounts(coupons: CouponUnits, after: list[int]) -> list[tuple]:
    """Each usable coupon with (discount, its in-scope lots, in-scope amount)."""
    result = []
    for p, idx in coupons:
        amount = sum(after[k] for k in idx)  # after: per lot, what all its units cost
        if amount > 0 and amount >= p.params["min_spend"]:
            result.append((p, coupon_discount(p, amount), idx, amount))
    return result


def best_coupons(options: list[tuple]) -> tuple[int, list[tuple]]:
    """At most one non-combinable coupon (the best; lowest id on ties) plus every combinable one."""
    combinable = [o for o in options if o[0].params["combinable"]]
    single = [o for o in options if not o[0].params["combinable"]]
    chosen = list(combinable)
    if single:
        chosen.append(max(single, key=lambda o: (o[1], [-ord(c) for c in o[0].id])))
    return sum(o[1] for o in chosen), chosen


def choose_coupons(
    coupons: CouponUnits, lows: list[int], after: list[int], line_of: Sequence[int]
) -> tuple[int, list[tuple]]:
    """The coupons that give the buyer most on lots that cost `after` (and may cost no less than `lows`), as
    really allocated."""
    return pick_coupons(coupon_amounts(coupons, after), lows, lambda: after, line_of, floors=any(lows))


def pick_coupons(
    options: list[tuple], lows: list[int], after: Callable[[], list[int]], line_of: Sequence[int], floors: bool
) -> tuple[int, list[tuple]]:
    """Of the usable coupons (`options`), those that give the buyer most, as really allocated (within each
    lot's room above its floors): every combinable coupon plus at most one other; the lowest id wins a tie.
    `after()` gives what each lot costs; it is asked only when a coupon may not fit in its lots."""
    if not options:
        return 0, []
    combinable = [o for o in options if o[0].params["combinable"]]
    singles = sorted((o for o in options if not o[0].params["combinable"]), key=lambda o: o[0].id)
    known: list[Any] = []

    def rooms() -> tuple[list[int], list[int]]:
        if not known:
            left = after()
            known.extend([left, [max(0, a - low) for a, low in zip(left, lows, strict=True)]])
        return known[0], known[1]

    best: tuple[int, list[tuple]] = (-1, [])
    for single in [None, *singles]:
        chosen = sorted(combinable + ([single] if single else []), key=lambda o: o[0].id)
        # Shortcut: when each coupon, with all those before it, fits in its own units' room, allocation will
        # give every coupon in full (allocate gives min(total, Σ room)); otherwise allocate for real. Without
        # floors a coupon's room is its in-scope amount.
        running, fits = 0, True
        for _p, discount, idx, amount in chosen:
            running += discount
            if running > (sum(rooms()[1][i] for i in idx) if floors else amount):
                fits = False
                break
        if fits:
            given = running
        else:
            left, base_room = rooms()
            discounts = [(discount, idx, [left[i] for i in idx]) for _p, discount, idx, _amount in chosen]
            given = sum(map(sum, place(discounts, base_room, line_of)))
        if given > best[0]:
            best = (given, chosen)
    return best
