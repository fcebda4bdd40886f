"""The search across layers: which item promotions to keep and which shop promotions and coupons to use,
best for the buyer (exact up to EXACT_SHOP/EXACT_ITEMS promotions in play, greedy beyond, said in the notes)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from zhanggui.promotions.engine.allocation import allocate_by_line, place
from zhanggui.promotions.engine.basket import Basket
from zhanggui.promotions.engine.caps import order_cap
from zhanggui.promotions.engine.common import EXACT_ITEMS, EXACT_SHOP
from zhanggui.promotions.engine.coupons import (
    CouponUnits,
    CouponUse,
    best_coupons,
    choose_coupons,
    coupon_amounts,
    coupon_discount,
    coupon_units,
    pick_coupons,
)
from zhanggui.promotions.engine.items import Lot, lost_without, price_lots
from zhanggui.promotions.engine.shop import (
    SPEND_KINDS,
    Outcome,
    can_give,
    evaluate,
    evaluate_any_n_for,
    evaluate_bundle,
    evaluate_multibuy,
    evaluate_spend,
    ranked,
    runs_of,
)
from zhanggui.promotions.spec import Cart, Kind, Promotion

MULTIBUY, ANY_N_FOR, BUNDLE = Kind.MULTIBUY, Kind.ANY_N_FOR, Kind.BUNDLE  # an enum's member is slower to reach

# ------------------------------------------------------------------------------------------------------------
# The search
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    saving: int
    item_enabled: tuple[Promotion, ...]
    shop: list[tuple[Promotion, Outcome]]
    coupons: list[Promotion]  # those to use (quote() works out what each takes, after the shop layer)
    exhausted: bool = False  # the search budget ran out: best plan found, not proven best

    def key(self) -> tuple:
        """Best for the buyer first; then fewer promotions; then the lowest ids (deterministic on ties)."""
        ids = sorted([p.id for p in self.item_enabled] + [p.id for p, _o in self.shop] + [p.id for p in self.coupons])
        return (-self.saving, len(ids), ids)


@dataclass(slots=True, init=False)
class Choice:
    """The shop promotions and coupons chosen for a set of item prices, and what they give together."""

    given: int  # what the shop and coupon layers give, as allocated
    shop: list[tuple[Promotion, Outcome]]
    coupons: list[CouponUse]

    # Its own __init__: the dataclass's would run as plain Python even when compiled (ADR 0005).
    def __init__(self, given: int, shop: list[tuple[Promotion, Outcome]], coupons: list[CouponUse]) -> None:
        self.given = given
        self.shop = shop
        self.coupons = coupons


_UNKNOWN = object()  # not evaluated yet (None is an answer: the promotion gives nothing)


class Search:
    """Chooses shop promotions and coupons for the units' current prices.

    Exact (branch and bound over every subset) while at most EXACT_SHOP promotions can give anything;
    beyond that, greedy by value with one round of improvement, and the quote says so in its notes.
    Sets of units are bit masks; a promotion's outcome on a set of units is computed once per set of prices.
    """

    def __init__(self, basket: Basket):
        self.lows = basket.lot_low  # per lot: the least its units may cost in all
        self.lot_line = basket.lot_line
        self.cart_skus = {line.sku for line in basket.lines}
        self.lots = lots = basket.lots
        self.rank = basket.rank  # promotion id → its place in the engine's order (common.order_key)
        self.shop = sorted(basket.shop, key=lambda p: basket.rank[p.id])
        self.coupons = basket.coupons
        self.covered = covered = basket.covered
        self.scope = {p.id: covered.mask(p.id) for p in self.shop}  # bit fields
        self.everything = basket.everything  # every unit, packed
        self.all_fields = covered.all_fields
        self.floors = any(self.lows)
        self.ranked: dict[str, Any] = {}  # a multibuy's lots (a bundle's, per item) by price (per set of prices)
        self.all_ranked: list[Lot] | None = None  # every lot by price (per set of prices)
        self.spend_lots: dict[str, list[tuple[int, int, int]]] = {}  # (field, shift, price) of a promotion's lots
        self.spent: dict[int, tuple[int, int]] = {}  # a set of units (packed) → what they cost, how many
        self.exhausted = False
        self.memo: dict[tuple, Choice] = {}
        # Per set of prices (set by above() from the lots):
        self.prices = [-1] * len(lots)  # per lot: its unit price
        self.amounts = [0] * len(lots)  # per lot: what all its units cost
        self.locked = 0  # bit fields of the locked lots
        self.free = -1  # ~locked: the units later layers may use
        self.line_amount = [0] * len(basket.lines)  # each line's unlocked units: what they cost, how many
        self.line_count = [0] * len(basket.lines)
        # Per shop promotion: its outcome on each set of units (packed) asked, while their prices hold.
        self.outcomes: dict[str, dict[int, Outcome | None]] = {p.id: {} for p in self.shop}
        self.realized: dict[tuple[tuple[str, int], ...], tuple[int, list[CouponUse]]] = {}
        self.coupon_units: CouponUnits = []
        self.coupon_base: list[int] = []  # each coupon's in-scope amount before the shop layer
        self.coupon_masks: list[int] = []  # each coupon's lots, as bit fields
        self.shares: dict[int, list[tuple[int, int]]] = {}  # id(outcome) → its allocation, when alone on its lots
        self.coupon_cut: dict[tuple[int, int], int] = {}  # (id(outcome), coupon index) → its shares in the scope

    def shop_and_coupon(self) -> Choice:
        """Memoised on the lots' prices: item-promotion subsets often leave the same prices behind."""
        choice = self.above(-1)
        assert choice is not None
        return choice

    def above(self, target: int) -> Choice | None:
        """The best choice for the current prices when it gives more than `target`, else None: with a target
        the exact search prunes every branch that cannot beat it, which is most of them."""
        key = tuple((lot.price, lot.locked) for lot in self.lots)
        if key in self.memo:
            known = self.memo[key]
            return known if known.given > target else None
        prices, amounts, locked, changed = self.prices, self.amounts, 0, 0
        line_amount, line_count = self.line_amount, self.line_count
        for li in range(len(line_amount)):
            line_amount[li] = line_count[li] = 0
        for k, lot in enumerate(self.lots):
            if prices[k] != lot.price or bool(self.locked & lot.field) != lot.locked:
                changed |= lot.field
                prices[k] = lot.price
                amounts[k] = lot.price * lot.count
            if lot.locked:
                locked |= lot.field
            else:
                line_amount[lot.line] += amounts[k]
                line_count[lot.line] += lot.count
        self.locked, self.free = locked, ~locked
        # Outcomes on lots whose prices did not change stay right: item-promotion subsets move a few lots.
        for pid, cached in self.outcomes.items():
            if cached and changed & self.scope[pid]:
                self.outcomes[pid] = {mask: o for mask, o in cached.items() if not mask & changed}
        self.realized = {}
        self.ranked = {}
        self.all_ranked = None
        self.spend_lots = {}
        self.spent = {}
        self.shares = {}
        self.coupon_cut = {}
        self.coupon_units = coupon_units(self.coupons, locked, self.covered)
        self.coupon_base = [sum(amounts[k] for k in idx) for _p, idx in self.coupon_units]
        self.coupon_masks = [self._fields(idx) for _p, idx in self.coupon_units]
        choice = self._shop_and_coupon(target)
        if choice is not None:
            self.memo[key] = choice  # the pruned search finds the same best as the full one when it beats target
            if choice.given <= target:
                return None
        return choice

    def _fields(self, lot_indexes: list[int]) -> int:
        m = 0
        for k in lot_indexes:
            m |= self.lots[k].field
        return m

    def evaluate(self, p: Promotion, available: int) -> Outcome | None:
        """What p gives on the units `available` (packed) of its scope that are not locked, once per set of units
        and prices."""
        mask = available & self.scope[p.id] & self.free
        if not mask:  # nothing left to use (the usual answer once a shop-wide promotion took every unit)
            return None
        known = self.outcomes[p.id]
        outcome = known.get(mask, _UNKNOWN)
        if outcome is _UNKNOWN:
            outcome = known[mask] = self._outcome(p, mask)
        return outcome  # type: ignore[return-value]

    def _outcome(self, p: Promotion, mask: int) -> Outcome | None:
        """What p gives on the units `mask` (in its scope, not locked), by the fastest way its kind has."""
        kind = p.kind
        if kind in SPEND_KINDS:  # amounts from the lines or the lots: the units of a lot cost the same
            lots = self.covered[p.id]
            if mask == self.everything & self.scope[p.id] & self.free:  # all its lines' unlocked units
                lines = self.covered.lines_of[p.id]
                amount = sum(map(self.line_amount.__getitem__, lines))
                count = sum(map(self.line_count.__getitem__, lines))
            else:  # what the units cost, once per set of units (promotions of one scope ask the same)
                known = self.spent.get(mask)
                if known is None:
                    fields = self.spend_lots.get(p.id)
                    if fields is None:
                        fields = self.spend_lots[p.id] = [(lot.field, lot.shift, lot.price) for lot in lots]
                    amount = count = 0
                    for field, shift, price in fields:
                        n = (mask & field) >> shift  # lot.taken(mask), inlined: asked most
                        if n:
                            amount += price * n
                            count += n
                    self.spent[mask] = (amount, count)
                else:
                    amount, count = known
            return evaluate_spend(p, amount, count, mask, lots) if count else None
        if kind in (MULTIBUY, ANY_N_FOR):  # its lots ranked by price once per set of prices
            ordered = self.ranked.get(p.id)
            if ordered is None:
                ordered = self.ranked[p.id] = self._ranked(p)
            runs, n = [], 0
            for lot in ordered:  # runs_of(), counting the units: asked often
                taken = (mask & lot.field) >> lot.shift
                if taken:
                    runs.append((lot, taken))
                    n += taken
            if not runs:
                return None
            return evaluate_multibuy(p, runs, n) if kind == MULTIBUY else evaluate_any_n_for(p, runs)
        if kind == BUNDLE:
            return self._bundle(p, mask)
        return evaluate(p, self.covered[p.id], mask)  # a kind without a faster way: the plain definition

    def _ranked(self, p: Promotion) -> list[Lot]:
        """p's lots dearest first (shop.ranked): every lot is ranked once per set of prices and each promotion takes
        its own from that list (a stable sort of the lots in order, so the same order as ranking its own)."""
        if self.all_ranked is None:
            self.all_ranked = ranked(self.lots)
        lots = self.covered[p.id]
        if len(lots) == len(self.lots):
            return self.all_ranked
        scope = self.scope[p.id]
        return [lot for lot in self.all_ranked if lot.field & scope]

    def _bundle(self, p: Promotion, mask: int) -> Outcome | None:
        """A bundle on the units `mask`: only its items' lots are looked at, ranked by price once per set of
        prices; an item not in the cart at all (the usual case) answers at once."""
        items = p.params["items"]
        if not all(sku in self.cart_skus for sku, _n in items):
            return None
        by_sku = self.ranked.get(p.id)
        if by_sku is None:
            by_sku = {}
            for sku, _n in items:
                by_sku[sku] = ranked([lot for lot in self.covered[p.id] if lot.sku == sku])
            self.ranked[p.id] = by_sku
        available = {sku: runs for sku, lots in by_sku.items() if (runs := runs_of(lots, mask))}
        return evaluate_bundle(p, available)

    def _shop_and_coupon(self, target: int) -> Choice | None:
        # Each promotion on all the units, once: the stackable ones' outcome, everyone's starting point.
        whole = {p.id: self.evaluate(p, self.everything) for p in self.shop}
        stacked = {p.id: whole[p.id] for p in self.shop if p.stackable}
        # A promotion that gives nothing on all the units gives nothing on fewer (but multibuy can: it is kept
        # when some subset gives something): leave it out of the search.
        candidates: list[Promotion] = []
        for p in self.shop:
            outcome = whole[p.id]
            if outcome is not None:
                candidates.append(p)
            elif p.kind == Kind.MULTIBUY and not p.stackable:
                ordered = ranked([lot for lot in self.covered[p.id] if not lot.locked])
                if can_give(p, [(lot, lot.count) for lot in ordered]):
                    candidates.append(p)
        if not self.coupons and not self.floors and not any(o is not None and o.discount for o in stacked.values()):
            return self._by_parts(candidates, stacked, whole, target)
        if len(candidates) <= EXACT_SHOP:
            return self._exact(candidates, stacked, target)
        self.exhausted = True
        return self._greedy(candidates, stacked, whole)

    def _by_parts(self, candidates: list[Promotion], stacked, whole, target: int) -> Choice | None:
        """Without coupons, floors or stackable discounts (every platform quote's shop layer, mostly) what a plan
        gives is the sum of its promotions' discounts, so promotions whose units never meet are chosen apart:
        the non-stackable ones fall into parts whose scopes overlap, each part is searched on its own (exact up
        to EXACT_SHOP promotions a part, rather than in all), and the parts' best plans together are the best
        plan. Stackable ones here only give gifts and are always taken."""
        free = ~self.locked
        parts: list[tuple[int, list[Promotion]]] = []  # (the lots its promotions may use, the promotions)
        for p in candidates:
            if p.stackable:
                continue
            fields, members = self.scope[p.id] & free, [p]
            apart = []
            for other_fields, others in parts:
                if other_fields & fields:
                    fields |= other_fields
                    members = others + members
                else:
                    apart.append((other_fields, others))
            parts = [*apart, (fields, members)]
        total = 0
        chosen = [(p, stacked[p.id]) for p in candidates if p.stackable]
        place = {p.id: k for k, p in enumerate(self.shop)}
        for _fields, members in parts:
            members.sort(key=lambda p: place[p.id])
            if len(members) <= EXACT_SHOP:
                found = self._exact(members, {}, -1)
            else:
                self.exhausted = True
                found = self._greedy(members, {}, whole)
            if found is not None:
                total += found.given
                chosen += found.shop
        return Choice(total, chosen, []) if total > target else None

    def _score(self, chosen: list[tuple[Promotion, Outcome]]) -> tuple[tuple, int, list[CouponUse]]:
        total, coupon_choice = self._realize(chosen)
        ids = sorted(p.id for p, _o in chosen)
        gifts = sum(1 for _p, o in chosen if o.gift is not None)
        return (-total, -gifts, len(ids) + len(coupon_choice), ids), total, coupon_choice

    def _exact(self, promos: list[Promotion], stacked, target: int) -> Choice | None:
        """Branch and bound over every subset of the candidates, applied in the engine's order (common.order_key:
        by what they are, never by id, so renaming one changes nothing).

        The bound is exact for the shop layer: `most(k, available)`, the most the promotions k.. can promise on
        the units still available, memoised on (k, available) — few distinct sets of units occur, as each
        promotion takes all it may — so only plans whose shop discounts come within the coupons' face value of
        the best are realised (allocated, with coupons chosen on top).
        """
        exact = _Exact(self, promos, stacked, target)
        exact.dfs(0, self.everything, [], 0, 0)
        if exact.best is None:
            return None
        _key, total, chosen, coupon_choice = exact.best
        return Choice(total, chosen, coupon_choice)

    def _greedy(self, candidates: list[Promotion], stacked, whole) -> Choice:
        """Take the promotion worth most on what is left, again and again; then try dropping each one."""
        scope = self.scope
        rank = {p.id: -i for i, p in enumerate(candidates)}  # candidates are in the engine's order: first wins ties

        def build(
            pool: list[Promotion], picked: Sequence[tuple[Promotion, Outcome]] = ()
        ) -> tuple[list[tuple[Promotion, Outcome]], list[tuple[Promotion, Outcome]]]:
            """The greedy plan from `pool`, continuing after the picks `picked` (a run over a larger pool makes
            the same picks until it picks what this pool lacks); returns it in id order, and the picks."""
            available = self.everything
            for _p, o in picked:
                available -= o.consumed
            picks = list(picked)
            done = {p.id for p, _o in picked}
            # Lazy greedy: a promotion's value changes only when units it covers were taken.
            scored = {
                p.id: (p, self.evaluate(p, available) if picked else whole[p.id])
                for p in pool
                if not p.stackable and p.id not in done
            }
            while scored:
                live = [(o.discount, rank[pid], pid, p, o) for pid, (p, o) in scored.items() if o is not None]
                if not live:
                    break
                _d, _r, pid, p, o = max(live, key=lambda t: (t[0], t[1]))
                picks.append((p, o))
                available -= o.consumed
                del scored[pid]
                for qid, (q, _qo) in list(scored.items()):
                    if scope[qid] & o.consumed:
                        scored[qid] = (q, self.evaluate(q, available))
            chosen = [(p, stacked[p.id]) for p in pool if p.stackable and stacked[p.id] is not None] + picks
            return sorted(chosen, key=lambda po: po[0].id), picks

        pool = candidates
        chosen, picks = build(pool)
        best = (*self._score(chosen), chosen)
        order = {p.id: k for k, (p, _o) in enumerate(picks)}
        coupon_upper = self._coupons_after([])[0]
        hungry = self._hungry(chosen)
        for p, o in list(chosen):
            # Leaving p out can only help when another promotion wants its units, or a coupon that could give
            # more measures them; else the plan without p gives p's discount less (or a gift less).
            wanted = bool(o.consumed & hungry) or (
                not p.stackable and any(scope[q.id] & o.consumed for q in pool if q is not p and not q.stackable)
            )
            if not wanted:
                continue
            before = picks[: order[p.id]] if p.id in order else picks
            alternative = build([q for q in pool if q is not p], before)[0]
            if sum(o.discount for _q, o in alternative) + coupon_upper < best[1]:
                continue  # what it gives, with every coupon at its face value, is less than the best gives
            scored = (*self._score(alternative), alternative)
            if scored[0] < best[0]:
                best = scored
        _key, total, coupon_choice, chosen = best
        return Choice(total, chosen, coupon_choice)

    def _hungry(self, shop: list[tuple[Promotion, Outcome]]) -> int:
        """The units measured by a coupon that could give more if the shop promotions took less of them: one
        below its minimum spend or its face value after `shop` (at its face value a coupon cannot give more).
        With floors, every unit: what a coupon may take depends on every unit's room above its floor. As bit
        fields (a set of lots)."""
        if not self.coupons:
            return 0
        if self.floors:
            return self.all_fields
        if any(p.stackable and o.discount for p, o in shop):
            after = self._after_shop(shop)[1]
            amounts = [sum(after[k] for k in idx) for _p, idx in self.coupon_units]
        else:  # disjoint units without floors: as _realize works them out
            discounted = [o for _p, o in shop if o.discount]
            amounts = [
                self.coupon_base[c] - sum(self._cut(o, c) for o in discounted) for c in range(len(self.coupon_units))
            ]
        hungry = 0
        for (p, _idx), amount, mask in zip(self.coupon_units, amounts, self.coupon_masks, strict=True):
            q = p.params  # a 折扣券 gives less on every fen the shop layer takes; an amount, under its floor
            if q["rate"] is not None or amount < max(q["min_spend"], q["amount"]):
                hungry |= mask
        return hungry

    def _after_shop(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[int]]:
        """Place the shop discounts as quote() does (allocation.place: in the engine's order, within each unit's
        room above its floor, moved where one left another too little room).

        Returns what was really given and what each lot's units cost afterwards: two discounts on the same units
        can promise more than they are worth, and the search must compare what the buyer really gets.
        """
        after = list(self.amounts)
        discounts = []
        rank = self.rank
        for _p, o in sorted(shop, key=lambda po: rank[po[0].id]):
            if o.discount:
                weights = o.weights_at()
                ids = sorted(weights)
                discounts.append((o.discount, ids, [weights[i] for i in ids]))
        rooms = [max(0, amount - low) for amount, low in zip(after, self.lows, strict=True)] if self.floors else after
        given = 0
        for (_total, ids, _w), shares in zip(discounts, place(discounts, rooms, self.lot_line), strict=True):
            for i, share in zip(ids, shares, strict=True):
                after[i] -= share
            given += sum(shares)
        return given, after

    def _alone(self, o: Outcome) -> list[tuple[int, int]]:
        """o's allocation when nothing else touched its units and there are no floors (what _after_shop gives
        then), once per outcome."""
        key = id(o)
        if key not in self.shares:
            weights = o.weights_at()
            ids = sorted(weights)
            shares = allocate_by_line(
                o.discount, ids, [weights[k] for k in ids], [self.amounts[k] for k in ids], self.lot_line
            )
            self.shares[key] = list(zip(ids, shares, strict=True))
        return self.shares[key]

    def _realize(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[CouponUse]]:
        """What the shop promotions and the best coupons on top really give (memoised per set of promotions)."""
        key = tuple(sorted((p.id, id(o)) for p, o in shop))
        if key in self.realized:
            return self.realized[key]
        result: tuple[int, list[CouponUse]]
        if self.floors or any(p.stackable and o.discount for p, o in shop):
            given, after = self._after_shop(shop)
            if self.coupons:
                coupon_given, chosen = choose_coupons(self.coupon_units, self.lows, after, self.lot_line)
                result = (given + coupon_given, chosen)
            else:
                result = (given, [])
        else:
            # Disjoint units, no floors: every discount fits in its units' prices, so allocation gives it all,
            # and each coupon's amount is its amount before the shop layer less the shares in its scope.
            given = sum(o.discount for _p, o in shop)
            if not self.coupons:
                result = (given, [])
            else:
                discounted = [o for _p, o in shop if o.discount]
                options = []
                for c, (p, idx) in enumerate(self.coupon_units):
                    amount = self.coupon_base[c] - sum(self._cut(o, c) for o in discounted)
                    if amount > 0 and amount >= p.params["min_spend"]:
                        options.append(CouponUse(p, coupon_discount(p, amount), idx, amount))

                def left_after() -> list[int]:
                    left = list(self.amounts)
                    for o in discounted:
                        for i, share in self._alone(o):
                            left[i] -= share
                    return left

                coupon_given, chosen = pick_coupons(options, self.lows, left_after, self.lot_line, floors=False)
                result = (given + coupon_given, chosen)
        self.realized[key] = result
        return result

    def _cut(self, o: Outcome, coupon: int) -> int:
        """How much of o's discount lands on coupon's units."""
        scope = self.coupon_masks[coupon]
        if not o.consumed & scope:
            return 0
        if o.consumed & scope == o.consumed:
            return o.discount  # alone on its units without floors, an outcome's shares add up to its discount
        key = (id(o), coupon)
        if key not in self.coupon_cut:
            lots = self.lots
            self.coupon_cut[key] = sum(share for k, share in self._alone(o) if lots[k].field & scope)
        return self.coupon_cut[key]

    def _coupons_after(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[CouponUse]]:
        """An upper bound of the coupon layer: the coupons' face value on the prices after the shop layer."""
        if not self.coupons:
            return 0, []
        after = self._after_shop(shop)[1]
        return best_coupons(coupon_amounts(self.coupon_units, after))


class _Exact:
    """One exact search (Search._exact). A class rather than closures: a closure that calls itself holds itself,
    so each search (its outcomes, the quote's lots) stayed alive until the garbage collector's next pass, and
    those passes, started by a quote's garbage, landed inside quotes."""

    def __init__(self, search: Search, promos: list[Promotion], stacked: dict[str, Any], target: int):
        self.search = search
        self.promos = promos
        self.stacked = stacked
        self.target = target
        self.coupon_upper = search._coupons_after([])[0]
        # The stackable promotions give the same whatever else applies: what those from k on give is fixed[k].
        # The others are searched: from the j-th on (plain[j:]), only the units in reach[j] matter, so the
        # memo is keyed on those and sets of units that differ elsewhere share one answer.
        n = len(promos)
        self.plain = plain = [p for p in promos if not p.stackable]
        self.fixed, self.first_plain = fixed, first_plain = [0] * (n + 1), [len(plain)] * (n + 1)
        for k in range(n - 1, -1, -1):
            p = promos[k]
            o = stacked[p.id] if p.stackable else None
            fixed[k] = fixed[k + 1] + (o.discount if o is not None else 0)
            first_plain[k] = first_plain[k + 1] - (not p.stackable)
        self.reach = reach = [0] * (len(plain) + 1)
        for j in range(len(plain) - 1, -1, -1):
            reach[j] = reach[j + 1] | search.scope[plain[j].id]
        self.known: list[dict[int, int]] = [{} for _ in reach]
        self.masks = [search.scope[p.id] & search.free for p in plain]  # the units each may use
        self.outcomes = [search.outcomes[p.id] for p in plain]  # shared with evaluate()
        # A stackable promotion that only gives a gift is always taken: it changes no price and a plan with
        # one more gift is the better one. From k on: how many are so taken, how many could give a gift.
        self.forced = forced = [0] * (n + 1)
        self.gifting = gifting = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            p = promos[k]
            o = stacked[p.id] if p.stackable else None
            forced[k] = forced[k + 1] + (o is not None and not o.discount)
            gifting[k] = gifting[k + 1] + (p.kind == Kind.GIFT)
        self.best: tuple[tuple, int, list[tuple[Promotion, Outcome]], list[CouponUse]] | None = None

    def most_plain(self, j: int, available: int) -> int:
        """The most the plain promotions j.. give on the units `available`. Asked most of all: evaluate() inlined."""
        available &= self.reach[j]
        if not available:
            return 0
        memo = self.known[j]
        found = memo.get(available)
        if found is None:
            found = self.most_plain(j + 1, available)
            mask = available & self.masks[j]
            if mask:
                cache = self.outcomes[j]
                o: Any = cache.get(mask, _UNKNOWN)
                if o is _UNKNOWN:
                    o = cache[mask] = self.search._outcome(self.plain[j], mask)
                if o is not None:
                    taken = o.discount + self.most_plain(j + 1, available - o.consumed)
                    if taken > found:
                        found = taken
            memo[available] = found
        return found

    def most(self, k: int, available: int) -> int:
        return self.fixed[k] + self.most_plain(self.first_plain[k], available)

    def dfs(self, k: int, available: int, chosen: list[tuple[Promotion, Outcome]], value: int, gifts: int) -> None:
        best = self.best
        bound = value + self.most(k, available) + self.coupon_upper
        if bound <= self.target or (best is not None and bound < best[1]):
            return
        if best is not None and bound == best[1]:  # at most a tie: the key decides (_score)
            _total, best_gifts, best_count, _ids = best[0]
            most_gifts = gifts + self.gifting[k]
            if most_gifts < -best_gifts or (most_gifts == -best_gifts and len(chosen) + self.forced[k] > best_count):
                return  # fewer gifts, or as many with more promotions: never the better key
        promos = self.promos
        if k == len(promos):
            key, total, coupon_choice = self.search._score(chosen)
            if total > self.target and (best is None or key < best[0]):
                self.best = (key, total, list(chosen), coupon_choice)
            return
        p = promos[k]
        outcome = self.stacked[p.id] if p.stackable else self.search.evaluate(p, available)
        if outcome is None:
            self.dfs(k + 1, available, chosen, value, gifts)
            return
        gift = outcome.gift is not None
        if p.stackable and not outcome.discount:
            chosen.append((p, outcome))
            self.dfs(k + 1, available, chosen, value, gifts + gift)
            chosen.pop()
            return
        rest = available if p.stackable else available - outcome.consumed
        # The branch that promises more first, leaving p out on a tie (fewer promotions is the better key): the
        # best plan is found early and prunes the rest; the order cannot change the answer.
        take_first = outcome.discount + self.most(k + 1, rest) > self.most(k + 1, available)
        for take in (take_first, not take_first):
            if take:
                chosen.append((p, outcome))
                self.dfs(k + 1, rest, chosen, value + outcome.discount, gifts + gift)
                chosen.pop()
            else:
                self.dfs(k + 1, available, chosen, value, gifts)


def choose_platform(basket: Basket) -> Plan:
    """As the platforms price: every item promotion (the lots are priced with all of them), the shop activities
    best for the buyer among themselves (coupons play no part: a buyer cannot decline a 满减 to keep a coupon
    usable), and every usable coupon left to the coupon layer, which quote() chooses on what the shop layer
    leaves."""
    search = Search(replace(basket, coupons=[]))
    item_saving = sum((lot.list_price - lot.price) * lot.count for lot in basket.lots)
    shop = search.shop_and_coupon()
    return Plan(item_saving + shop.given, tuple(basket.items), shop.shop, list(basket.coupons), search.exhausted)


def _used(choice: Choice) -> list[Promotion]:
    return [use.promotion for use in choice.coupons]


def choose(cart: Cart, basket: Basket) -> Plan:
    """All item promotions at their best, unless leaving some out makes the buyer pay strictly less (a price cut
    that takes the cart under a 满减 threshold, say).

    Only item promotions that lower some unit a later-layer promotion covers can matter ("sensitive"). Later
    layers only give more when unit prices are higher, so a plan without one of them can win only if the
    later layers, with none of them, give more than the best plan less what the item layer still saves
    without it: that is asked of a search pruned at that target, which mostly answers no at once. If yes,
    every subset is tried while there are at most EXACT_ITEMS sensitive promotions; beyond that, and when the
    shop layer itself is searched greedily (more than EXACT_SHOP promotions), the item promotions are all kept
    and the quote says its plan is good, not proven best.
    """
    lots, items, shop, coupons, covered = basket.lots, basket.items, basket.shop, basket.coupons, basket.covered
    search = Search(basket)
    all_saving = sum((lot.list_price - lot.price) * lot.count for lot in lots)  # item_lots priced them
    everything = search.shop_and_coupon()
    best = Plan(all_saving + everything.given, tuple(items), everything.shop, _used(everything))
    if not items or not (shop or coupons) or search.exhausted:
        best.exhausted = search.exhausted
        return best
    later_units = functools.reduce(operator.or_, (covered.mask(p.id) for p in [*shop, *coupons]), 0)
    acting = {p.id for lot in lots for p, _x in lot.options} | {p.id for lot in lots for p in lot.stack}
    sensitive = [p for p in items if p.id in acting and covered.mask(p.id) & later_units]
    if not sensitive:
        return best
    cap = order_cap(cart, sum(line.unit_price * line.quantity for line in basket.lines))
    if cap is not None and best.saving >= cap:
        # The cap trims shop and coupon discounts, never item ones: with every item promotion the order is at
        # its cap or above it on item discounts alone, and no plan with fewer of them saves more.
        return best
    if len(sensitive) > EXACT_ITEMS:  # too many to try every subset: keep them all, and say so
        best.exhausted = True
        return best
    touched = {p.id for p in sensitive}
    fixed = [p for p in items if p.id not in touched]
    moving = [lot for lot in lots if ({p.id for p, _x in lot.options} | {p.id for p in lot.stack}) & touched]
    # The lots are priced with every item promotion: leaving p out raises only the prices of p's lots.
    still_saving = all_saving - sum((lot.list_price - lot.price) * lot.count for lot in moving)
    most_without_one = all_saving - min(lost_without(p, moving, items, cart) for p in sensitive)
    price_lots(moving, fixed, cart)
    none = search.above(best.saving - most_without_one)
    if none is None:  # no plan without a sensitive promotion can beat the best: keep them all
        price_lots(moving, items, cart)
        best.exhausted = search.exhausted
        return best
    later_none = none.given
    subsets = [[p for bit, p in enumerate(sensitive) if mask >> bit & 1] for mask in range(2 ** len(sensitive) - 1)]
    all_items = best
    for subset in subsets:
        enabled = [*fixed, *subset]
        saving = still_saving + price_lots(moving, enabled, cart)
        # Later layers must give more than this for the subset to win (beat all items, or tie the best so far).
        target = all_items.saving - saving if best is all_items else best.saving - saving - 1
        if later_none <= target:
            continue
        choice = search.above(target)
        if choice is None:
            continue
        enabled_ids = tuple(sorted(enabled, key=lambda p: p.id))
        candidate = Plan(saving + choice.given, enabled_ids, choice.shop, _used(choice))
        if candidate.saving > all_items.saving and candidate.key() < best.key():
            best = candidate
    price_lots(lots, list(best.item_enabled), cart)
    best.exhausted = search.exhausted
    return best
