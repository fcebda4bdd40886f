"""The shop layer, one promotion at a time: what a 满减/满折/满N件/多买/套餐/满赠 gives on a set of units
(Outcome), with the bound the search prunes on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from zhanggui.promotions.engine.common import times
from zhanggui.promotions.engine.results import Gift
from zhanggui.promotions.spec import RATE_ONE, Promotion

# ------------------------------------------------------------------------------------------------------------
# The shop layer: evaluating one promotion on the units it may use
# ------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    discount: int
    consumed: int  # bit mask of the unit indexes used (conditions and benefits)
    weights: dict[int, int] | None  # unit index → weight for the allocation; None: worked out when asked
    gift: Gift | None = None
    cuts: tuple[list[int], list[int]] | None = None  # multibuy: its benefit units and each one's cut

    def weights_at(self, prices: Sequence[int]) -> dict[int, int]:
        """The allocation weights, at the prices the outcome was computed at (an outcome is dropped when its
        units' prices change): a multibuy's discount lies on its benefit units, each weighing its own cut, so
        each share lands where it belongs; any other discount is spread in proportion to its units' prices.
        Worked out when first asked: most outcomes are never chosen."""
        if self.weights is None:
            if self.cuts is not None:
                self.weights = dict(zip(*self.cuts, strict=True))
            else:
                m = self.consumed
                self.weights = {i: prices[i] for i in range(m.bit_length()) if m >> i & 1}
        return self.weights


def _reached(tiers: Sequence[tuple[Any, Any]], value: int) -> list[Any]:
    """The benefits of every tier the value reaches (the buyer gets the best of them, so a higher amount never
    gives less even when a spec's tiers are not in increasing order of benefit)."""
    return [benefit for threshold, benefit in tiers if value >= threshold]


Covered = dict[str, list[int]]  # promotion id → the unit indexes its scope covers, ascending (once a quote)


class Cover(dict):
    """Covered, each promotion's units listed when first asked for (most item promotions never are)."""

    def __init__(self, lines_of: dict[str, list[int]], line_units: list[range]):
        super().__init__()
        self.lines_of = lines_of
        self.line_units = line_units
        self.line_masks = [((1 << len(r)) - 1) << r.start for r in line_units]  # each line's units are consecutive
        self.masks: dict[str, int] = {}

    def mask(self, promotion_id: str) -> int:
        """The promotion's units as a bit mask, from its lines'."""
        m = self.masks.get(promotion_id)
        if m is None:
            lines = self.lines_of[promotion_id]
            if len(lines) == len(self.line_masks):
                m = (1 << self.line_units[-1].stop) - 1
            else:
                m = 0
                for li in lines:
                    m |= self.line_masks[li]
            self.masks[promotion_id] = m
        return m

    def __missing__(self, promotion_id: str) -> list[int]:
        units = self.line_units
        found = self[promotion_id] = [i for li in self.lines_of[promotion_id] for i in units[li]]
        return found


def bit_mask(indexes: Iterable[int]) -> int:
    m = 0
    for i in indexes:
        m |= 1 << i
    return m


SPEND_KINDS = frozenset({"spend_save", "spend_discount", "quantity_discount", "quantity_save", "gift"})


def evaluate_spend(p: Promotion, amount: int, count: int, mask: int) -> Outcome | None:
    """What a spend-based promotion (满减, 满折, 满N件打折/减, 满赠) gives on `count` units worth `amount` (the units
    `mask`); None when it gives nothing. Its discount is spread over those units in proportion to price."""
    q = p.params
    kind = p.kind
    discount = 0
    if kind == "spend_save":
        discount = max(_reached(q["tiers"], amount), default=0)
        if q["repeat"]:
            every, off, cap = q["repeat"]
            repeat = (amount // every) * off
            discount = max(discount, min(repeat, cap) if cap is not None else repeat)
    elif kind == "spend_discount":
        rates = _reached(q["tiers"], amount)
        discount = amount - times(amount, min(rates)) if rates else 0
    elif kind == "quantity_discount":
        rates = _reached(q["tiers"], count)
        discount = amount - times(amount, min(rates)) if rates else 0
    elif kind == "quantity_save":
        discount = max(_reached(q["tiers"], count), default=0)
    else:
        ok = (q["threshold"] is None or amount >= q["threshold"]) and (
            q["min_items"] is None or count >= q["min_items"]
        )
        stock_ok = q["gift_stock"] is None or q["gift_stock"] >= q["gift_quantity"]
        if ok and stock_ok:
            return Outcome(0, mask, {}, Gift(p.id, q["gift_sku"], q["gift_quantity"]))
        return None
    discount = min(discount, amount)
    return Outcome(discount, mask, None) if discount > 0 else None


def evaluate_multibuy(p: Promotion, prices: list[int], ordered: list[int], mask: int) -> Outcome | None:
    """What multibuy p (第N件 x折, 买B送F) gives on the units `ordered` (the set `mask`), ranked most expensive
    first and the lower index first among equal prices: the first groups × (N−1) (or × B) units are the
    conditions, the last groups (or groups × F) get the benefit, so the cheapest units are given away."""
    q = p.params
    nth = q.get("nth")
    size, free = (nth, 1) if nth is not None else (q["buy"] + q["free"], q["free"])
    n = len(ordered)
    groups = n // size
    if not groups:
        return None
    benefits = ordered[n - groups * free :]
    cuts = [prices[i] for i in benefits]
    if nth is not None:
        twice = 2 * q["rate"]  # times() inlined
        cuts = [price - (price * twice + RATE_ONE) // (2 * RATE_ONE) for price in cuts]
    discount = sum(cuts)
    if discount <= 0:
        return None
    consumed = mask
    for i in ordered[groups * (size - free) : n - groups * free]:  # the units in between are not used
        consumed ^= 1 << i
    # The benefit is the cheapest units' own cut: weights equal to the cut put each share where it belongs.
    return Outcome(discount, consumed, None, cuts=(benefits, cuts))


def evaluate_any_n_for(p: Promotion, prices: list[int], ordered: list[int]) -> Outcome | None:
    """What 任选N件X元 gives on the units `ordered` (dearest first; the lower index first among equal prices): as
    many sets of N as cost more than the set price, each made of the dearest units left (best for the buyer);
    the discount lies on the sets' units in proportion to their prices. Fewer units never give more."""
    n, price = p.params["n"], p.params["price"]
    discount, used = 0, []
    for start in range(0, len(ordered) - n + 1, n):
        group = ordered[start : start + n]
        worth = sum([prices[i] for i in group])
        if worth <= price:
            break
        discount += worth - price
        used += group
    return Outcome(discount, bit_mask(used), None) if discount else None


def evaluate(p: Promotion, prices: list[int], skus: Sequence[str], idx: list[int], mask: int) -> Outcome | None:
    """What promotion p gives on the units idx (ascending; in its scope, available, not locked; `mask` is the
    same set as a bit mask) at the unit prices `prices` (`skus`: each unit's SKU); None when it gives nothing.
    The plain, unit-by-unit definition: the search gets the same faster from line sums and ranked units
    (Search.evaluate; the tests compare the two)."""
    if not idx:
        return None
    kind = p.kind
    if kind in SPEND_KINDS:
        return evaluate_spend(p, sum([prices[i] for i in idx]), len(idx), mask)
    if kind == "multibuy":  # most expensive first; ties: lower index (a stable sort)
        return evaluate_multibuy(p, prices, sorted(idx, key=prices.__getitem__, reverse=True), mask)
    if kind == "any_n_for":
        return evaluate_any_n_for(p, prices, sorted(idx, key=prices.__getitem__, reverse=True))
    if kind == "bundle":
        by_sku: dict[str, list[int]] = {}
        for i in idx:
            by_sku.setdefault(skus[i], []).append(i)
        ranked = {sku: sorted(units, key=prices.__getitem__, reverse=True) for sku, units in by_sku.items()}
        return evaluate_bundle(p, prices, ranked)
    raise AssertionError(kind)


def evaluate_bundle(p: Promotion, prices: list[int], ranked: dict[str, list[int]]) -> Outcome | None:
    """What bundle p (搭配套餐) gives on the units `ranked`: per SKU, its units most expensive first.

    As many sets as lower the price: each set takes the dearest units left of each item, so each next set is
    worth no more than the one before; sets are made while one is worth more than the set price."""
    q = p.params
    most = min(len(ranked.get(sku, ())) // n for sku, n in q["items"])
    chosen: list[int] = []
    discount = 0
    for k in range(most):
        units = [i for sku, n in q["items"] for i in ranked[sku][k * n : (k + 1) * n]]
        worth = sum(prices[i] for i in units) - q["price"]
        if worth <= 0:
            break
        chosen += units
        discount += worth
    if not chosen:
        return None
    return Outcome(discount, bit_mask(chosen), {i: prices[i] for i in chosen})


def upper_bound(p: Promotion, prices: list[int], idx: list[int]) -> int:
    """The most multibuy p can give on any subset of the units idx (it can give more on fewer units).

    Multibuy on a subset with g groups gives its benefit on the subset's cheapest units, which are never
    dearer than the units ranked (N−1)g+1 … Ng (第N件) or Bg+1 … (B+F)g (买B送F) among all of idx by price:
    the most over g of those is the bound.
    """
    q = p.params
    ranked = sorted((prices[i] for i in idx), reverse=True)
    if "nth" in q:
        step, free = q["nth"], 1
        twice = 2 * q["rate"]  # times() inlined: price − price × rate, the rate rounded half-up
        cuts = [price - (price * twice + RATE_ONE) // (2 * RATE_ONE) for price in ranked]
    else:
        step, free = q["buy"] + q["free"], q["free"]
        cuts = ranked
    prefix = [0]
    for cut in cuts:
        prefix.append(prefix[-1] + cut)
    return max((prefix[step * g] - prefix[(step - free) * g] for g in range(1, len(ranked) // step + 1)), default=0)
