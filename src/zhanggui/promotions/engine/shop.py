"""The shop layer, one promotion at a time: what a 满减/满折/满N件/多买/任选N件X元/套餐/满赠 gives on a set of units
(Outcome), worked out on runs of equal units (lots with a count), never unit by unit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zhanggui.promotions.engine.items import Lot
from zhanggui.promotions.engine.results import Gift
from zhanggui.promotions.spec import RATE_ONE, Kind, Promotion

Runs = list[tuple[Lot, int]]  # lots and how many of their units, ranked dearest first (the lower position on ties)


@dataclass(slots=True, init=False)
class Outcome:
    """What one shop promotion gives on a set of units: its discount, the units it uses (packed: conditions and
    benefits), and how its discount weighs on each lot for the allocation (worked out when first asked, from
    `lots`: most outcomes are never chosen)."""

    discount: int
    consumed: int  # packed: how many units of each lot it uses
    lots: Sequence[Lot]  # the lots it may have used
    weights: dict[int, int] | None  # lot index → weight for the allocation; None: worked out when asked
    gift: Gift | None = None

    # Its own __init__: the dataclass's would run as plain Python even when compiled (ADR 0005).
    def __init__(
        self,
        discount: int,
        consumed: int,
        lots: Sequence[Lot],
        weights: dict[int, int] | None,
        gift: Gift | None = None,
    ) -> None:
        self.discount = discount
        self.consumed = consumed
        self.lots = lots
        self.weights = weights
        self.gift = gift

    def weights_at(self) -> dict[int, int]:
        """The allocation weights, at the lots' prices when the outcome was computed (an outcome is dropped when
        its lots' prices change): a spend promotion's discount is spread in proportion to what the units it
        used cost; a multibuy's lies on its benefit units, each weighing its own cut."""
        if self.weights is None:
            weights = {}
            consumed = self.consumed
            for lot in self.lots:
                n = (consumed & lot.field) >> lot.shift
                if n:
                    weights[lot.index] = lot.price * n
            self.weights = weights
        return self.weights


class Cover:
    """Each promotion's lots (the lots of the lines its scope covers: `cover[promotion_id]`), listed when first
    asked for; and as bit fields (`mask`): the set of those lots, to test and restrict packed sets of units.

    A plain class holding its dictionary, not a dict subclass: compiled by mypyc, a subclass of dict never
    freed what it held (ADR 0005)."""

    def __init__(self, lines_of: dict[str, list[int]], lots: list[Lot], n_lines: int):
        self.lines_of = lines_of
        self.lots = lots
        self.line_lots: list[list[Lot]] = [[] for _ in range(n_lines)]
        all_fields = 0
        for lot in lots:
            self.line_lots[lot.line].append(lot)
            all_fields |= lot.field
        self.all_fields = all_fields
        self.masks: dict[str, int] = {}
        self.listed: dict[str, list[Lot]] = {}

    def mask(self, promotion_id: str) -> int:
        """The bit fields of the promotion's lots."""
        m = self.masks.get(promotion_id)
        if m is None:
            lines = self.lines_of[promotion_id]
            if len(lines) == len(self.line_lots):
                m = self.all_fields
            else:
                m = 0
                for li in lines:
                    for lot in self.line_lots[li]:
                        m |= lot.field
            self.masks[promotion_id] = m
        return m

    def __getitem__(self, promotion_id: str) -> list[Lot]:
        found = self.listed.get(promotion_id)
        if found is None:
            lines = self.lines_of[promotion_id]
            if len(lines) == len(self.line_lots):  # every line (shop-wide): every lot, in order
                found = self.lots
            else:
                line_lots = self.line_lots
                found = [lot for li in lines for lot in line_lots[li]]
            self.listed[promotion_id] = found
        return found


SPEND_KINDS = frozenset({Kind.SPEND_SAVE, Kind.SPEND_DISCOUNT, Kind.QUANTITY_DISCOUNT, Kind.QUANTITY_SAVE, Kind.GIFT})
_SPEND_SAVE, _SPEND_DISCOUNT = Kind.SPEND_SAVE, Kind.SPEND_DISCOUNT  # module names: an enum member is slower to reach
_QUANTITY_DISCOUNT, _QUANTITY_SAVE = Kind.QUANTITY_DISCOUNT, Kind.QUANTITY_SAVE


def evaluate_spend(p: Promotion, amount: int, count: int, mask: int, lots: Sequence[Lot]) -> Outcome | None:
    """What a spend-based promotion (满减, 满折, 满N件打折/减, 满赠) gives on `count` units worth `amount` (the units
    `mask` of `lots`); None when it gives nothing. Its discount is spread over those units in proportion to price.
    The buyer gets the best benefit of the tiers reached (a higher amount never gives less, whatever the order
    of the spec's tiers)."""
    q = p.params
    kind = p.kind
    discount = 0
    if kind == _SPEND_SAVE:
        for threshold, off in q["tiers"]:
            if amount >= threshold and off > discount:
                discount = off
        if q["repeat"]:
            every, off, cap = q["repeat"]
            repeat = (amount // every) * off
            if cap is not None and repeat > cap:
                repeat = cap
            if repeat > discount:
                discount = repeat
    elif kind in (_SPEND_DISCOUNT, _QUANTITY_DISCOUNT):
        value = amount if kind == _SPEND_DISCOUNT else count
        rate = None
        for threshold, r in q["tiers"]:
            if value >= threshold and (rate is None or r < rate):
                rate = r
        if rate is not None:
            discount = amount - (amount * rate * 2 + RATE_ONE) // (2 * RATE_ONE)  # times(), inlined
    elif kind == _QUANTITY_SAVE:
        for threshold, off in q["tiers"]:
            if count >= threshold and off > discount:
                discount = off
    else:
        ok = (q["threshold"] is None or amount >= q["threshold"]) and (
            q["min_items"] is None or count >= q["min_items"]
        )
        stock_ok = q["gift_stock"] is None or q["gift_stock"] >= q["gift_quantity"]
        if ok and stock_ok:
            return Outcome(0, mask, lots, {}, Gift(p.id, q["gift_sku"], q["gift_quantity"]))
        return None
    if discount > amount:
        discount = amount
    return Outcome(discount, mask, lots, None) if discount > 0 else None


def _multibuy_shape(p: Promotion) -> tuple[int, int, int | None]:
    """(units a group, free units a group, the 第N件 rate or None for 买B送F)."""
    q = p.params
    nth = q.get("nth")
    return (nth, 1, q["rate"]) if nth is not None else (q["buy"] + q["free"], q["free"], None)


def _cut(price: int, rate: int | None) -> int:
    """A benefit unit's cut: price − price × rate (rounded half-up, times() inlined), or the whole price (free)."""
    return price if rate is None else price - (price * 2 * rate + RATE_ONE) // (2 * RATE_ONE)


def evaluate_multibuy(p: Promotion, runs: Runs, n: int | None = None) -> Outcome | None:
    """What multibuy p (第N件 x折, 买B送F) gives on the units `runs` (dearest first): of n units in groups of N
    (or B+F), the first groups × (N−1) (or × B) are the conditions and the last groups (or groups × F) get the
    benefit, so the cheapest units are given away; the units in between are not used. Each run is walked
    once: the positions it holds are compared with those two ranges."""
    size, free, rate = _multibuy_shape(p)
    if n is None:  # how many units the runs hold
        n = 0
        for _lot, count in runs:
            n += count
    groups = n // size
    if not groups:
        return None
    conditions_end, benefits_start = groups * (size - free), n - groups * free
    consumed, discount = 0, 0
    weights: dict[int, int] = {}
    position = 0
    for lot, count in runs:
        end = position + count
        used = ((end if end < conditions_end else conditions_end) - position) if position < conditions_end else 0
        if end > benefits_start:
            benefits = end - (position if position > benefits_start else benefits_start)
            used += benefits
            price = lot.price
            cut = (price if rate is None else price - (price * 2 * rate + RATE_ONE) // (2 * RATE_ONE)) * benefits
            if cut:
                weights[lot.index] = weights.get(lot.index, 0) + cut
                discount += cut
        if used:
            consumed += used << lot.shift
        position = end
    if discount <= 0:
        return None
    # The benefit is the cheapest units' own cut: weights equal to the cut put each share where it belongs.
    return Outcome(discount, consumed, (), weights)


def can_give(p: Promotion, runs: Runs) -> bool:
    """Whether multibuy p gives anything on some subset of the units `runs` (dearest first). With one group made
    of the dearest N (or B+F) units its benefit units are the dearest any one group can have; cuts never grow
    as prices fall, so when those give nothing, no group of any subset does."""
    size, free, rate = _multibuy_shape(p)
    position = 0
    for lot, count in runs:
        end = position + count
        if end > size - free and position < size and _cut(lot.price, rate) > 0:
            return sum(c for _lot, c in runs) >= size
        if end >= size:
            return False
        position = end
    return False


def evaluate_any_n_for(p: Promotion, runs: Runs) -> Outcome | None:
    """What 任选N件X元 gives on the units `runs` (dearest first): as many sets of N as cost more than the set price,
    each made of the dearest units left (best for the buyer); the discount lies on the sets' units in
    proportion to their prices. Fewer units never give more. Sets inside one run are counted, not walked."""
    size, price = p.params["n"], p.params["price"]
    discount = 0
    used: dict[int, int] = {}
    lots_used: dict[int, Lot] = {}
    filled, worth, part = 0, 0, []  # the set being made: how many units, what they cost, from which lots
    for lot, count in runs:
        left = count
        if filled:  # complete the set begun in the runs before
            take = min(size - filled, left)
            filled, worth, left = filled + take, worth + take * lot.price, left - take
            part.append((lot, take))
            if filled < size:
                continue
            if worth <= price:
                break
            discount += worth - price
            for member, n in part:
                used[member.index] = used.get(member.index, 0) + n
                lots_used[member.index] = member
            filled, worth, part = 0, 0, []
        whole = left // size
        if whole:
            if size * lot.price <= price:  # sets only get cheaper from here
                left = 0
                break
            discount += whole * (size * lot.price - price)
            used[lot.index] = used.get(lot.index, 0) + whole * size
            lots_used[lot.index] = lot
            left -= whole * size
        if left:
            filled, worth, part = left, left * lot.price, [(lot, left)]
    if not discount:
        return None
    return _sets_outcome(discount, used, lots_used)


def evaluate_bundle(p: Promotion, ranked: dict[str, Runs]) -> Outcome | None:
    """What bundle p (搭配套餐) gives on the units `ranked`: per SKU, its runs dearest first.

    As many sets as lower the price: each set takes the dearest units left of each item, so each next set is
    worth no more than the one before; sets are made while one is worth more than the set price. While every
    item's next sets lie inside one run, they are all worth the same and are counted at once."""
    q = p.params
    items = q["items"]
    if not all(sku in ranked for sku, _n in items):
        return None
    most = min(sum(c for _lot, c in ranked[sku]) // n for sku, n in items)
    where = {sku: [0, 0] for sku, _n in items}  # per item: its current run, units of it already used
    used: dict[int, int] = {}
    lots_used: dict[int, Lot] = {}
    discount, made = 0, 0
    while made < most:
        # How many next sets lie inside each item's current run (0: the next set spans runs).
        inside = most - made
        for sku, n in items:
            run, taken = where[sku]
            inside = min(inside, (ranked[sku][run][1] - taken) // n)
        if inside:
            worth = sum(ranked[sku][where[sku][0]][0].price * n for sku, n in items) - q["price"]
            if worth <= 0:
                break
            discount += worth * inside
            for sku, n in items:
                lot = ranked[sku][where[sku][0]][0]
                used[lot.index] = used.get(lot.index, 0) + n * inside
                lots_used[lot.index] = lot
                where[sku][1] += n * inside
                if where[sku][1] == ranked[sku][where[sku][0]][1]:
                    where[sku] = [where[sku][0] + 1, 0]
            made += inside
            continue
        # One set that spans runs: walk its units.
        taking: list[tuple[Lot, int]] = []
        worth = -q["price"]
        for sku, n in items:
            need = n
            run, taken = where[sku]
            while need:
                lot, count = ranked[sku][run]
                take = min(need, count - taken)
                taking.append((lot, take))
                worth += lot.price * take
                need -= take
                taken += take
                if taken == count:
                    run, taken = run + 1, 0
            where[sku] = [run, taken]
        if worth <= 0:
            break
        discount += worth
        for lot, take in taking:
            used[lot.index] = used.get(lot.index, 0) + take
            lots_used[lot.index] = lot
        made += 1
    if not discount:
        return None
    return _sets_outcome(discount, used, lots_used)


def _sets_outcome(discount: int, used: dict[int, int], lots: dict[int, Lot]) -> Outcome:
    """The outcome of sets made of `used` units per lot (任选N件X元, bundles): its discount weighs on the sets'
    units in proportion to their prices."""
    consumed = 0
    weights = {}
    for k, n in used.items():
        lot = lots[k]
        consumed += n << lot.shift
        weights[k] = lot.price * n
    return Outcome(discount, consumed, (), weights)


def runs_of(lots: Sequence[Lot], mask: int) -> Runs:
    """The units `mask` of `lots` (already ranked) as runs."""
    runs = []
    for lot in lots:
        n = (mask & lot.field) >> lot.shift  # lot.taken(), inlined: the search asks this most
        if n:
            runs.append((lot, n))
    return runs


def ranked(lots: Sequence[Lot]) -> list[Lot]:
    """Lots dearest first; the lower cart position first among equal prices (a stable sort of lots in order)."""
    return sorted(lots, key=lambda lot: -lot.price)


def evaluate(p: Promotion, lots: Sequence[Lot], mask: int) -> Outcome | None:
    """What promotion p gives on the units `mask` of `lots` (in its scope, available, not locked) at the lots'
    prices; None when it gives nothing. The plain definition the search's faster paths must agree with."""
    kind = p.kind
    if kind in SPEND_KINDS:
        runs = runs_of(lots, mask)
        if not runs:
            return None
        amount = sum(lot.price * n for lot, n in runs)
        return evaluate_spend(p, amount, sum(n for _lot, n in runs), mask, lots)
    if kind == Kind.MULTIBUY:
        return evaluate_multibuy(p, runs_of(ranked(lots), mask))
    if kind == Kind.ANY_N_FOR:
        return evaluate_any_n_for(p, runs_of(ranked(lots), mask))
    if kind == Kind.BUNDLE:
        by_sku: dict[str, list[Lot]] = {}
        for lot in lots:
            by_sku.setdefault(lot.sku, []).append(lot)
        return evaluate_bundle(p, {sku: r for sku, own in by_sku.items() if (r := runs_of(ranked(own), mask))})
    raise AssertionError(kind)
