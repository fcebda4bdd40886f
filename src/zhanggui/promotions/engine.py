"""The pricing engine: one pure function prices a cart against the running promotions, to the fen.

    quote(cart, promotions) -> Quote

No database, no clock, no globals: the web store, the API, `zhanggui quote` and the what-if tool all call it
with the same inputs and get the same answer. The rules (with their sources) are in docs/pricing.md; in short:

1. Layers in order item → shop → coupon; each layer's thresholds are measured on the amounts after the layers
   before it.
2. Item layer: each unit gets the best non-stackable item promotion, then stackable ones on top; unit prices
   round half-up to the fen and never go below the line's floor (最低折扣价).
3. Shop layer: the combination of non-stackable shop promotions best for the buyer, each unit used by at most
   one of them (in promotion-id order: conditions take the most expensive units, benefits the cheapest);
   stackable ones (满赠 by default) apply on top.
4. Coupon layer: at most one non-combinable coupon, plus combinable ones.
5. The choice is made over all three layers together (an item discount that would cost a 满减 threshold is
   left out when that is better for the buyer), deterministically on ties; so adding a promotion never raises
   what the buyer pays (exact up to EXACT_SHOP shop and EXACT_ITEMS item promotions in play; beyond that a
   greedy plan is used and the quote's notes say so).
6. Order-level discounts are allocated (分摊) over the lines they cover in proportion to their amounts after
   the earlier layers, by largest remainder, so shares add up exactly; no line goes below its floor (or 0);
   then the optional order cap (max discount, amount or share of the list total) trims coupon, then shop.
Amounts are integer fen inside; Decimal strings outside.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from zhanggui.promotions.spec import COUPON, ITEM, RATE_ONE, SHOP, Cart, CartLine, Promotion, yuan

EXACT_SHOP = 10  # shop promotions that can give something: up to this many, every combination is tried
EXACT_ITEMS = 4  # item promotions that touch a threshold's units: up to this many, every subset is tried


def times(amount: int, rate: int) -> int:
    """amount × rate/10,000 (a 折 rate), rounded half-up to the fen: integer arithmetic, exact."""
    return (amount * rate * 2 + RATE_ONE) // (2 * RATE_ONE)


# ------------------------------------------------------------------------------------------------------------
# Results
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Share:
    promotion: str
    kind: str
    layer: str
    amount: int  # fen

    def as_dict(self) -> dict[str, Any]:
        return {"promotion": self.promotion, "kind": self.kind, "layer": self.layer, "amount": yuan(self.amount)}


@dataclass
class PricedLine:
    sku: str
    quantity: int
    list_unit_price: int
    unit_prices: list[tuple[int, int]]  # (price after the item layer, units)
    shares: list[Share] = field(default_factory=list)

    @property
    def list_amount(self) -> int:
        return self.list_unit_price * self.quantity

    @property
    def discount(self) -> int:
        return sum(s.amount for s in self.shares)

    @property
    def paid(self) -> int:
        """What the buyer pays for this line; a refund of the whole line returns exactly this."""
        return self.list_amount - self.discount

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "quantity": self.quantity,
            "list_unit_price": yuan(self.list_unit_price),
            "unit_prices": [{"price": yuan(p), "units": n} for p, n in self.unit_prices],
            "list_amount": yuan(self.list_amount),
            "discounts": [s.as_dict() for s in self.shares],
            "discount": yuan(self.discount),
            "paid": yuan(self.paid),
        }


@dataclass(frozen=True)
class Gift:
    promotion: str
    sku: str
    quantity: int

    def as_dict(self) -> dict[str, Any]:
        return {"promotion": self.promotion, "sku": self.sku, "quantity": self.quantity}


@dataclass(frozen=True)
class NearMiss:
    """A promotion the cart almost reached: spend `missing` more (or add `missing_items`) to get `benefit`."""

    promotion: str
    kind: str
    missing: int  # fen, 0 when the condition counts items
    missing_items: int
    benefit: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "promotion": self.promotion,
            "kind": self.kind,
            "missing": yuan(self.missing),
            "missing_items": self.missing_items,
            "benefit": self.benefit,
            "message": self.message,
        }


@dataclass
class Quote:
    lines: list[PricedLine]
    gifts: list[Gift]
    applied: dict[str, int]  # promotion id → total discount, fen
    near_misses: list[NearMiss]
    notes: list[str]

    def _layer_total(self, layer: str) -> int:
        return sum(s.amount for line in self.lines for s in line.shares if s.layer == layer)

    @property
    def list_total(self) -> int:
        return sum(line.list_amount for line in self.lines)

    @property
    def discount_total(self) -> int:
        return sum(line.discount for line in self.lines)

    @property
    def payable(self) -> int:
        return self.list_total - self.discount_total

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": [line.as_dict() for line in self.lines],
            "gifts": [g.as_dict() for g in self.gifts],
            "applied": [{"promotion": pid, "discount": yuan(amount)} for pid, amount in self.applied.items()],
            "totals": {
                "list": yuan(self.list_total),
                "item_discount": yuan(self._layer_total(ITEM)),
                "shop_discount": yuan(self._layer_total(SHOP)),
                "coupon_discount": yuan(self._layer_total(COUPON)),
                "discount": yuan(self.discount_total),
                "payable": yuan(self.payable),
            },
            "near_misses": [n.as_dict() for n in self.near_misses],
            "notes": self.notes,
        }


def as_decimal(amount_fen: int) -> Decimal:
    return Decimal(amount_fen) / 100


# ------------------------------------------------------------------------------------------------------------
# Units and the item layer
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Unit:
    line: int  # index into the canonical lines
    cl: CartLine  # that line
    list_price: int
    floor: int  # lowest price allowed for this unit (0 without a floor)
    price: int = 0  # after the item layer
    item: list[tuple[Promotion, int]] = field(default_factory=list)
    locked: bool = False  # an exclusive promotion touched it: no later layer
    low: int = 0  # the lowest this unit may cost after every layer: min(floor, list price)

    def __post_init__(self) -> None:
        self.low = min(self.floor, self.list_price)


def _apply_item(p: Promotion, price: int, cart: Cart) -> int | None:
    """The unit price under one item promotion, or None when it does not apply to this buyer."""
    q = p.params
    kind = p.kind
    if kind == "price_cut":
        return max(0, price - q["amount"])
    if kind == "discount":
        return times(price, q["rate"])
    if kind in ("special_price", "flash_sale"):
        return min(price, q["price"])
    if kind == "group_buy":
        return min(price, q["price"]) if q["joined"] >= q["min_buyers"] else None
    if kind == "member_price":
        tier = cart.buyer.tier
        if tier in q["prices"]:
            return min(price, q["prices"][tier])
        if tier in q["rates"]:
            return times(price, q["rates"][tier])
        return None
    if kind == "member_discount":
        return times(price, q["rate"]) if cart.buyer.past_spend >= q["min_past_spend"] else None
    raise AssertionError(kind)


ItemTable = list[tuple[list[tuple[Promotion, int]], list[Promotion]]]  # per unit: (non-stackable, prices), stackable


def _item_table(units: list[Unit], items: Sequence[Promotion], eligible: dict[str, set[int]], cart: Cart) -> ItemTable:
    """Per unit, once a quote: each non-stackable item promotion that applies with the price it gives, and the
    stackable ones in id order. Pricing a subset of promotions then only looks these up."""
    table: ItemTable = []
    for i, u in enumerate(units):
        options = []
        stack = []
        for p in items:
            if i not in eligible[p.id]:
                continue
            if p.stackable:
                stack.append(p)
            else:
                price = _apply_item(p, u.list_price, cart)
                if price is not None and price < u.list_price:
                    options.append((p, price))
        table.append((options, stack))
    return table


def _price_units(units: list[Unit], enabled: Sequence[Promotion], table: ItemTable, cart: Cart) -> int:
    """Set each unit's price under the enabled item promotions; returns the item-layer saving in fen."""
    saving = 0
    on = {p.id for p in enabled}
    for u, (options, stack) in zip(units, table, strict=True):
        best, best_price = None, u.list_price
        for p, price in options:
            if price < best_price and p.id in on:
                best, best_price = p, price
        steps: list[tuple[Promotion, int]] = []
        if best is not None:
            steps.append((best, u.list_price - best_price))
        price = best_price
        for p in stack:
            if p.id in on:
                new = _apply_item(p, price, cart)
                if new is not None and new < price:
                    steps.append((p, price - new))
                    price = new
        if price < u.floor:  # the floor takes back the last discounts first
            excess = min(u.floor, u.list_price) - price
            while excess > 0 and steps:
                promo, amount = steps.pop()
                give_back = min(amount, excess)
                excess -= give_back
                if amount > give_back:
                    steps.append((promo, amount - give_back))
            price = max(price, min(u.floor, u.list_price))
        u.price = price
        u.item = steps
        u.locked = any(p.exclusive for p, _a in steps)
        saving += u.list_price - price
    return saving


# ------------------------------------------------------------------------------------------------------------
# The shop layer: evaluating one promotion on the units it may use
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    discount: int
    consumed: frozenset[int]  # unit indexes used (conditions and benefits)
    weights: dict[int, int]  # unit index → weight for the allocation of the discount
    gift: Gift | None = None


def _reached(tiers: Sequence[tuple[Any, Any]], value: int) -> list[Any]:
    """The benefits of every tier the value reaches (the buyer gets the best of them, so a higher amount never
    gives less even when a spec's tiers are not in increasing order of benefit)."""
    return [benefit for threshold, benefit in tiers if value >= threshold]


Covered = dict[str, frozenset[int]]  # promotion id → the unit indexes its scope covers (computed once a quote)


def _evaluate(p: Promotion, units: list[Unit], available: Iterable[int], covered: Covered) -> Outcome | None:
    """What promotion p gives on the available units (in its scope, not locked), or None."""
    q = p.params
    idx = sorted(i for i in covered[p.id].intersection(available) if not units[i].locked)
    if not idx:
        return None
    kind = p.kind
    if kind in ("spend_save", "spend_discount", "quantity_discount", "gift"):
        amount = sum(units[i].price for i in idx)
        weights = {i: units[i].price for i in idx}
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
            rates = _reached(q["tiers"], len(idx))
            discount = amount - times(amount, min(rates)) if rates else 0
        else:
            ok = (q["threshold"] is None or amount >= q["threshold"]) and (
                q["min_items"] is None or len(idx) >= q["min_items"]
            )
            stock_ok = q["gift_stock"] is None or q["gift_stock"] >= q["gift_quantity"]
            if ok and stock_ok:
                return Outcome(0, frozenset(idx), {}, Gift(p.id, q["gift_sku"], q["gift_quantity"]))
            return None
        discount = min(discount, amount)
        return Outcome(discount, frozenset(idx), weights) if discount > 0 else None
    if kind == "multibuy":
        ordered = sorted(idx, key=lambda i: (-units[i].price, i))  # most expensive first
        if "nth" in q:
            groups = len(ordered) // q["nth"]
            if not groups:
                return None
            conditions = ordered[: groups * (q["nth"] - 1)]
            benefits = ordered[len(ordered) - groups :]
            cut = {i: units[i].price - times(units[i].price, q["rate"]) for i in benefits}
        else:
            groups = len(ordered) // (q["buy"] + q["free"])
            if not groups:
                return None
            conditions = ordered[: groups * q["buy"]]
            benefits = ordered[len(ordered) - groups * q["free"] :]
            cut = {i: units[i].price for i in benefits}
        discount = sum(cut.values())
        if discount <= 0:
            return None
        # The benefit is the cheapest units' own cut: weights equal to the cut put each share where it belongs.
        return Outcome(discount, frozenset(conditions) | frozenset(benefits), cut)
    if kind == "bundle":
        by_sku: dict[str, list[int]] = {}
        for i in idx:
            by_sku.setdefault(units[i].cl.sku, []).append(i)
        sets = min(len(by_sku.get(sku, [])) // n for sku, n in q["items"])
        if not sets:
            return None
        chosen: list[int] = []
        for sku, n in q["items"]:
            chosen += sorted(by_sku[sku], key=lambda i: (-units[i].price, i))[: sets * n]
        total = sum(units[i].price for i in chosen)
        discount = total - sets * q["price"]
        if discount <= 0:
            return None
        return Outcome(discount, frozenset(chosen), {i: units[i].price for i in chosen})
    raise AssertionError(kind)


def _upper_bound(p: Promotion, units: list[Unit], everything: list[int], covered: Covered) -> int:
    """The most p can give on any subset of the units (multibuy can give more on fewer units)."""
    if p.kind == "multibuy":
        q = p.params
        prices = sorted((units[i].price for i in covered[p.id] if not units[i].locked), reverse=True)
        if "nth" in q:
            return sum(price - times(price, q["rate"]) for price in prices[: len(prices) // q["nth"]])
        return sum(prices[: (len(prices) // (q["buy"] + q["free"])) * q["free"]])
    outcome = _evaluate(p, units, everything, covered)
    return outcome.discount if outcome else 0


# ------------------------------------------------------------------------------------------------------------
# Coupons
# ------------------------------------------------------------------------------------------------------------


def _coupon_allowed(p: Promotion, cart: Cart) -> bool:
    q = p.params
    offered = q["codes"] & cart.coupons
    if not offered or offered <= cart.used_codes:
        return False
    return cart.buyer.coupon_uses.get(p.id, 0) < q["per_buyer_limit"]


def _coupon_amounts(
    coupons: Sequence[Promotion], units: list[Unit], unit_after_shop: list[int], covered: Covered
) -> list[tuple]:
    """Each usable coupon with (discount, its in-scope unit indexes, in-scope amount)."""
    result = []
    for p in coupons:
        idx = sorted(i for i in covered[p.id] if not units[i].locked)
        amount = sum(unit_after_shop[i] for i in idx)
        if amount > 0 and amount >= p.params["min_spend"]:
            result.append((p, min(p.params["amount"], amount), idx, amount))
    return result


def _best_coupons(options: list[tuple]) -> tuple[int, list[tuple]]:
    """At most one non-combinable coupon (the best; lowest id on ties) plus every combinable one."""
    combinable = [o for o in options if o[0].params["combinable"]]
    single = [o for o in options if not o[0].params["combinable"]]
    chosen = list(combinable)
    if single:
        chosen.append(max(single, key=lambda o: (o[1], [-ord(c) for c in o[0].id])))
    return sum(o[1] for o in chosen), chosen


def choose_coupons(
    coupons: Sequence[Promotion], units: list[Unit], after: list[int], covered: Covered
) -> tuple[int, list[tuple]]:
    """The coupons that give the buyer most, as really allocated (within each unit's room above its floor):
    every combinable coupon plus at most one other; the lowest id wins a tie."""
    options = _coupon_amounts(coupons, units, after, covered)
    if not options:
        return 0, []
    combinable = [o for o in options if o[0].params["combinable"]]
    singles = sorted((o for o in options if not o[0].params["combinable"]), key=lambda o: o[0].id)
    base_room = [max(0, a - u.low) for a, u in zip(after, units, strict=True)]
    best: tuple[int, list[tuple]] = (-1, [])
    for single in [None, *singles]:
        chosen = sorted(combinable + ([single] if single else []), key=lambda o: o[0].id)
        # Shortcut: when each coupon, with all those before it, fits in its own units' room, allocation will
        # give every coupon in full (allocate gives min(total, Σ room)); otherwise allocate for real.
        running, fits = 0, True
        for _p, discount, idx, _amount in chosen:
            running += discount
            if running > sum(base_room[i] for i in idx):
                fits = False
                break
        if fits:
            given = running
        else:
            room = list(base_room)
            given = 0
            for _p, discount, idx, _amount in chosen:
                shares = allocate(discount, [after[i] for i in idx], [room[i] for i in idx])
                for i, share in zip(idx, shares, strict=True):
                    room[i] -= share
                given += sum(shares)
        if given > best[0]:
            best = (given, chosen)
    return best


# ------------------------------------------------------------------------------------------------------------
# Allocation (分摊)
# ------------------------------------------------------------------------------------------------------------


def allocate(total: int, weights: Sequence[int], caps: Sequence[int] | None = None) -> list[int]:
    """Split `total` fen over `weights` in proportion, by largest remainder, never above `caps`.

    The shares add up to exactly `total` (or to Σ caps when the caps leave less room). Ties on the remainder
    go to the earlier position, so the result is deterministic.
    """
    n = len(weights)
    caps = list(caps) if caps is not None else [total] * n
    total = min(total, sum(caps))
    shares = [0] * n
    open_ = [i for i in range(n) if caps[i] > 0]
    remaining = total
    while remaining > 0 and open_:
        weight_sum = sum(weights[i] for i in open_)
        if weight_sum <= 0:
            weight_sum = len(open_)
            w = dict.fromkeys(open_, 1)
        else:
            w = {i: weights[i] for i in open_}
        base = {i: remaining * w[i] // weight_sum for i in open_}
        rest = remaining - sum(base.values())
        order = sorted(open_, key=lambda i: (-(remaining * w[i] % weight_sum), i))
        for i in order[:rest]:
            base[i] += 1
        overflow = False
        for i in open_:
            room = caps[i] - shares[i]
            if base[i] >= room:
                shares[i] += room
                remaining -= room
                overflow = True
            # shares of the others are recomputed in the next round when someone hit its cap
        if not overflow:
            for i in open_:
                shares[i] += base[i]
            remaining = 0
        open_ = [i for i in open_ if shares[i] < caps[i]]
    return shares


# ------------------------------------------------------------------------------------------------------------
# The search
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    saving: int
    item_enabled: tuple[Promotion, ...]
    shop: list[tuple[Promotion, Outcome]]
    coupons: list[tuple]
    exhausted: bool = False  # the search budget ran out: best plan found, not proven best

    def key(self) -> tuple:
        """Best for the buyer first; then fewer promotions; then the lowest ids (deterministic on ties)."""
        ids = sorted(
            [p.id for p in self.item_enabled] + [p.id for p, _o in self.shop] + [o[0].id for o in self.coupons]
        )
        return (-self.saving, len(ids), ids)


class _Search:
    """Chooses shop promotions and coupons for the units' current prices.

    Exact (branch and bound over every subset) while at most EXACT_SHOP promotions can give anything;
    beyond that, greedy by value with one round of improvement, and the quote says so in its notes.
    """

    def __init__(self, units: list[Unit], shop: list[Promotion], coupons: list[Promotion], covered: Covered):
        self.units = units
        self.shop = sorted(shop, key=lambda p: p.id)
        self.coupons = coupons
        self.covered = covered
        self.nodes = 0
        self.exhausted = False
        self.everything = list(range(len(units)))
        self.memo: dict[tuple, tuple[int, list[tuple[Promotion, Outcome]], list[tuple]]] = {}

    def shop_and_coupon(self) -> tuple[int, list[tuple[Promotion, Outcome]], list[tuple]]:
        """Memoised on the units' prices: item-promotion subsets often leave the same prices behind."""
        key = tuple((u.price, u.locked) for u in self.units)
        if key not in self.memo:
            self.memo[key] = self._shop_and_coupon()
        return self.memo[key]

    def _shop_and_coupon(self) -> tuple[int, list[tuple[Promotion, Outcome]], list[tuple]]:
        units, everything, covered = self.units, self.everything, self.covered
        # Each promotion on all the units, once: the stackable ones' outcome, everyone's starting point.
        whole = {p.id: _evaluate(p, units, everything, covered) for p in self.shop}
        stacked = {p.id: whole[p.id] for p in self.shop if p.stackable}
        # A promotion that gives nothing on all the units gives nothing on fewer: leave it out of the search.
        candidates: list[tuple[Promotion, int]] = []
        for p in self.shop:
            outcome = whole[p.id]
            if p.kind == "multibuy" and not p.stackable:
                upper = _upper_bound(p, units, everything, covered)
            else:
                upper = outcome.discount if outcome is not None else 0
            if upper > 0 or (outcome is not None and outcome.gift is not None):
                candidates.append((p, upper))
        if len(candidates) <= EXACT_SHOP:
            return self._exact(candidates, stacked)
        self.exhausted = True
        return self._greedy(candidates, stacked, whole)

    def _score(self, chosen: list[tuple[Promotion, Outcome]]) -> tuple[tuple, int, list[tuple]]:
        total, coupon_choice = self._realize(chosen)
        ids = sorted(p.id for p, _o in chosen)
        gifts = sum(1 for _p, o in chosen if o.gift is not None)
        return (-total, -gifts, len(ids) + len(coupon_choice), ids), total, coupon_choice

    def _exact(self, candidates, stacked) -> tuple[int, list[tuple[Promotion, Outcome]], list[tuple]]:
        units, covered = self.units, self.covered
        promos = [p for p, _u in candidates]
        suffix = [0] * (len(candidates) + 1)
        for k in range(len(candidates) - 1, -1, -1):
            suffix[k] = suffix[k + 1] + candidates[k][1]
        coupon_upper = self._coupons_after([])[0]
        best: list[Any] = [None]

        def dfs(k: int, available: frozenset[int], chosen: list[tuple[Promotion, Outcome]], value: int) -> None:
            self.nodes += 1
            if best[0] is not None and value + suffix[k] + coupon_upper < best[0][1]:
                return
            if k == len(promos):
                key, total, coupon_choice = self._score(chosen)
                if best[0] is None or key < best[0][0]:
                    best[0] = (key, total, list(chosen), coupon_choice)
                return
            p = promos[k]
            outcome = stacked[p.id] if p.stackable else _evaluate(p, units, available, covered)
            if outcome is not None:
                chosen.append((p, outcome))
                rest = available if p.stackable else available - outcome.consumed
                dfs(k + 1, rest, chosen, value + outcome.discount)
                chosen.pop()
            dfs(k + 1, available, chosen, value)

        dfs(0, frozenset(self.everything), [], 0)
        _key, total, chosen, coupon_choice = best[0]
        return total, chosen, coupon_choice

    def _greedy(self, candidates, stacked, whole) -> tuple[int, list[tuple[Promotion, Outcome]], list[tuple]]:
        """Take the promotion worth most on what is left, again and again; then try dropping each one."""
        units, covered = self.units, self.covered

        rank = {p.id: -i for i, (p, _u) in enumerate(candidates)}  # candidates are in id order: lowest id wins ties

        def build(pool: list[Promotion]) -> list[tuple[Promotion, Outcome]]:
            available = frozenset(self.everything)
            chosen = [(p, stacked[p.id]) for p in pool if p.stackable and stacked[p.id] is not None]
            # Lazy greedy: a promotion's value changes only when units it covers were taken.
            scored = {p.id: (p, whole[p.id]) for p in pool if not p.stackable}
            while scored:
                live = [(o.discount, rank[pid], pid, p, o) for pid, (p, o) in scored.items() if o is not None]
                if not live:
                    break
                _d, _r, pid, p, o = max(live, key=lambda t: (t[0], t[1]))
                chosen.append((p, o))
                available = available - o.consumed
                del scored[pid]
                for qid, (q, _qo) in list(scored.items()):
                    if covered[qid] & o.consumed:
                        scored[qid] = (q, _evaluate(q, units, available, covered))
            return sorted(chosen, key=lambda po: po[0].id)

        pool = [p for p, _u in candidates]
        chosen = build(pool)
        best = (*self._score(chosen), chosen)
        for p, o in list(chosen):
            # Leaving p out can only help when another promotion wants its units, or a coupon measures them.
            wanted = bool(self.coupons) or (
                not p.stackable and any(covered[q.id] & o.consumed for q in pool if q is not p and not q.stackable)
            )
            if not wanted:
                continue
            alternative = build([q for q in pool if q is not p])
            scored = (*self._score(alternative), alternative)
            if scored[0] < best[0]:
                best = scored
        _key, total, coupon_choice, chosen = best
        return total, chosen, coupon_choice

    def _after_shop(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[int]]:
        """Allocate the shop discounts in id order, as quote() does, within each unit's room above its floor.

        Returns what was really given and what each unit costs afterwards: two discounts on the same unit can
        promise more than the unit is worth, and the search must compare what the buyer really gets.
        """
        after = [u.price for u in self.units]
        given = 0
        for _p, o in sorted(shop, key=lambda po: po[0].id):
            if o.discount and o.weights:
                ids = sorted(o.weights)
                rooms = [max(0, after[i] - self.units[i].low) for i in ids]
                shares = allocate(o.discount, [o.weights[i] for i in ids], rooms)
                for i, share in zip(ids, shares, strict=True):
                    after[i] -= share
                given += sum(shares)
        return given, after

    def _realize(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[tuple]]:
        given, after = self._after_shop(shop)
        if not self.coupons:
            return given, []
        coupon_given, chosen = choose_coupons(self.coupons, self.units, after, self.covered)
        return given + coupon_given, chosen

    def _coupons_after(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[tuple]]:
        """An upper bound of the coupon layer: the coupons' face value on the prices after the shop layer."""
        if not self.coupons:
            return 0, []
        after = self._after_shop(shop)[1]
        return _best_coupons(_coupon_amounts(self.coupons, self.units, after, self.covered))


def _plan(cart: Cart, units: list[Unit], items: list[Promotion], table: ItemTable, shop, coupons, covered) -> Plan:
    """All item promotions at their best, unless some of them cost a later layer more than they save.

    Later layers only give more when unit prices are higher, so their value with no item promotion bounds
    every plan. When it is above the value with all of them, the item promotions whose units a threshold
    promotion covers are searched: every subset while there are at most EXACT_ITEMS of them, otherwise
    each one left out in turn.
    """
    search = _Search(units, shop, coupons, covered)
    all_saving = _price_units(units, items, table, cart)
    later_all, shop_all, coupons_all = search.shop_and_coupon()
    best = Plan(all_saving + later_all, tuple(items), shop_all, coupons_all)
    if not items or not (shop or coupons):
        best.exhausted = search.exhausted
        return best
    _price_units(units, [], table, cart)
    later_none, _s, _c = search.shop_and_coupon()
    if later_none > later_all:
        later_units = set().union(*(covered[p.id] for p in [*shop, *coupons]))
        sensitive = [p for p in items if covered[p.id] & later_units]
        fixed = [p for p in items if p not in sensitive]
        if len(sensitive) <= EXACT_ITEMS:
            subsets = [
                [p for bit, p in enumerate(sensitive) if mask >> bit & 1] for mask in range(2 ** len(sensitive) - 1)
            ]
        else:
            search.exhausted = True
            subsets = [[q for q in sensitive if q is not p] for p in sensitive] + [[]]
        for subset in subsets:
            enabled = [*fixed, *subset]
            saving = _price_units(units, enabled, table, cart)
            if saving + later_none < best.saving:
                continue
            later, shop_choice, coupon_choice = search.shop_and_coupon()
            candidate = Plan(saving + later, tuple(sorted(enabled, key=lambda p: p.id)), shop_choice, coupon_choice)
            if candidate.key() < best.key():
                best = candidate
    _price_units(units, list(best.item_enabled), table, cart)
    best.exhausted = search.exhausted
    return best


# ------------------------------------------------------------------------------------------------------------
# quote()
# ------------------------------------------------------------------------------------------------------------


def _lines_covered(promotions: Sequence[Promotion], lines: Sequence[CartLine]) -> dict[str, list[int]]:
    """Which lines each promotion covers, by looking its scope's codes up rather than testing every line."""
    index: dict[str, dict[str, list[int]]] = {"skus": {}, "products": {}, "categories": {}, "roles": {}}
    for li, line in enumerate(lines):
        index["skus"].setdefault(line.sku, []).append(li)
        index["products"].setdefault(line.product, []).append(li)
        index["categories"].setdefault(line.category, []).append(li)
        index["roles"].setdefault(line.role, []).append(li)
    everything = list(range(len(lines)))
    result: dict[str, list[int]] = {}
    for p in promotions:
        scope = p.scope
        if scope.everything:
            candidates = everything
        else:
            found: set[int] = set()
            for key in ("skus", "products", "categories", "roles"):
                for code in getattr(scope, key):
                    found.update(index[key].get(code, ()))
            candidates = sorted(found)
        if scope.exclude_skus or scope.exclude_products or scope.exclude_categories or scope.exclude_roles:
            candidates = [li for li in candidates if scope.covers(lines[li])]
        result[p.id] = candidates
    return result


def _canonical(lines: Sequence[CartLine]) -> list[int]:
    return sorted(
        range(len(lines)),
        key=lambda i: (
            lines[i].sku,
            lines[i].unit_price,
            lines[i].quantity,
            lines[i].product,
            lines[i].category,
            lines[i].role,
            -1 if lines[i].floor is None else lines[i].floor,
        ),
    )


def quote(cart: Cart, promotions: Sequence[Promotion]) -> Quote:
    """Price the cart. Pure: the same cart and promotions always give the same Quote, whatever the line order."""
    order = _canonical(cart.lines)
    lines = tuple(cart.lines[i] for i in order)
    notes: list[str] = []
    running = sorted((p for p in promotions if p.running_at(cart.at)), key=lambda p: p.id)
    line_cover = _lines_covered(running, lines)
    covering = [p for p in running if line_cover[p.id]]
    items = [p for p in covering if p.layer == ITEM]
    shop = [p for p in covering if p.layer == SHOP]
    coupons = [p for p in covering if p.layer == COUPON and _coupon_allowed(p, cart)]

    units: list[Unit] = []
    line_units: list[range] = []
    for li, line in enumerate(lines):
        floor = line.floor or 0
        line_units.append(range(len(units), len(units) + line.quantity))
        units += [Unit(li, line, line.unit_price, floor) for _ in range(line.quantity)]
    covered: Covered = {p.id: frozenset(i for li in line_cover[p.id] for i in line_units[li]) for p in covering}

    # Which units each item promotion may touch: its scope, and a flash sale's per-buyer allowance
    # (given to the most expensive units, the best use for the buyer).
    eligible: dict[str, set[int]] = {}
    for p in items:
        flags = set(covered[p.id])
        if p.kind == "flash_sale":
            allowance = max(0, p.params["per_buyer_cap"] - cart.buyer.flash_bought.get(p.id, 0))
            ordered = sorted(flags, key=lambda i: (-units[i].list_price, i))
            flags = set(ordered[:allowance])
            if len(ordered) > allowance:
                notes.append(
                    _("%(promo)s: at most %(cap)s units at the flash-sale price for this buyer.")
                    % {"promo": p.id, "cap": p.params["per_buyer_cap"]}
                )
        eligible[p.id] = flags
    table = _item_table(units, items, eligible, cart)

    plan = _plan(cart, units, items, table, shop, coupons, covered)

    # Build the priced lines: item shares per unit, then shop and coupon allocations per line.
    priced = [PricedLine(line.sku, line.quantity, line.unit_price, []) for line in lines]
    item_share: dict[tuple[int, str], list[Any]] = {}
    price_groups: list[dict[int, int]] = [{} for _ in lines]
    for u in units:
        price_groups[u.line][u.price] = price_groups[u.line].get(u.price, 0) + 1
        for p, amount in u.item:
            entry = item_share.setdefault((u.line, p.id), [p, 0])
            entry[1] += amount
    for (li, _pid), (p, amount) in sorted(item_share.items()):
        priced[li].shares.append(Share(p.id, p.kind, ITEM, amount))
    for li, groups in enumerate(price_groups):
        priced[li].unit_prices = sorted(groups.items(), key=lambda g: -g[0])

    unit_left = [u.price for u in units]  # what each unit still costs, for the floors and the coupon layer
    applied: dict[str, int] = {}
    for (_li, pid), (_p, amount) in item_share.items():
        applied[pid] = applied.get(pid, 0) + amount
    gifts: list[Gift] = []

    def spread(p: Promotion, layer: str, total: int, weights: dict[int, int]) -> int:
        ids = sorted(weights)
        caps = [max(0, unit_left[i] - min(units[i].floor, units[i].list_price)) for i in ids]
        shares = allocate(total, [weights[i] for i in ids], caps)
        per_line: dict[int, int] = {}
        for i, share in zip(ids, shares, strict=True):
            unit_left[i] -= share
            per_line[units[i].line] = per_line.get(units[i].line, 0) + share
        for li in sorted(per_line):
            if per_line[li]:
                priced[li].shares.append(Share(p.id, p.kind, layer, per_line[li]))
        given = sum(shares)
        if given < total:
            notes.append(
                _("%(promo)s: limited to ¥%(given)s by the lowest allowed prices.")
                % {"promo": p.id, "given": yuan(given)}
            )
        if given:
            applied[p.id] = applied.get(p.id, 0) + given
        return given

    for p, outcome in sorted(plan.shop, key=lambda po: po[0].id):
        if outcome.gift is not None:
            gifts.append(outcome.gift)
            applied.setdefault(p.id, 0)
        if outcome.discount:
            spread(p, SHOP, outcome.discount, outcome.weights)
    # Coupons: recomputed on what the units cost after the shop layer as allocated.
    coupon_choice = choose_coupons([o[0] for o in plan.coupons], units, unit_left, covered)[1]
    for p, discount, idx, _amount in sorted(coupon_choice, key=lambda o: o[0].id):
        spread(p, COUPON, discount, {i: unit_left[i] for i in idx})

    _apply_order_cap(cart, priced, applied, notes)
    if plan.exhausted:
        notes.append(_("Many promotions apply: a good plan is used, not proven the best."))

    near = _near_misses(units, covered, shop, coupons, plan, unit_left)
    back = [0] * len(order)
    for canonical_index, original_index in enumerate(order):
        back[original_index] = canonical_index
    return Quote(
        lines=[priced[back[i]] for i in range(len(order))],
        gifts=gifts,
        applied={pid: applied[pid] for pid in sorted(applied)},
        near_misses=near,
        notes=notes,
    )


def _apply_order_cap(cart: Cart, priced: list[PricedLine], applied: dict[str, int], notes: list[str]) -> None:
    """Trim coupon, then shop discounts so the order's total discount stays within the cap."""
    list_total = sum(line.list_amount for line in priced)
    caps = []
    if cart.max_discount is not None:
        caps.append(cart.max_discount)
    if cart.max_discount_rate is not None:
        caps.append(int(list_total * cart.max_discount_rate))  # rounded down: the cap is never exceeded
    if not caps:
        return
    cap = min(caps)
    excess = sum(line.discount for line in priced) - cap
    for layer in (COUPON, SHOP):
        if excess <= 0:
            break
        shares = [(li, s) for li, line in enumerate(priced) for s in line.shares if s.layer == layer]
        layer_total = sum(s.amount for _li, s in shares)
        if not layer_total:
            continue
        cut = min(excess, layer_total)
        cuts = allocate(cut, [s.amount for _li, s in shares], [s.amount for _li, s in shares])
        for (_li, s), c in zip(shares, cuts, strict=True):
            s.amount -= c
            applied[s.promotion] -= c
        for line in priced:
            line.shares = [s for s in line.shares if s.amount > 0]
        excess -= cut
    notes.append(_("The order's discount is capped at ¥%(cap)s.") % {"cap": yuan(cap)})


def _near_misses(units, covered, shop, coupons, plan, unit_left) -> list[NearMiss]:
    """Threshold promotions not reached (or whose next tier is close): what is missing and what it would give."""
    result: list[NearMiss] = []
    used = {p.id for p, _o in plan.shop} | {o[0].id for o in plan.coupons}
    for p in shop:
        q = p.params
        idx = [i for i in sorted(covered[p.id]) if not units[i].locked]
        amount = sum(units[i].price for i in idx)
        items_n = len(idx)
        if p.kind == "spend_save":
            for threshold, off in q["tiers"]:
                if amount < threshold:
                    result.append(_miss(p, threshold - amount, 0, _("save ¥%(off)s") % {"off": yuan(off)}))
                    break
            if q["repeat"] and not q["tiers"]:
                every, off, cap = q["repeat"]
                if cap is None or (amount // every) * off < cap:
                    result.append(_miss(p, every - amount % every, 0, _("save ¥%(off)s more") % {"off": yuan(off)}))
        elif p.kind == "spend_discount":
            for threshold, r in q["tiers"]:
                if amount < threshold:
                    result.append(_miss(p, threshold - amount, 0, _("pay %(rate)s折") % {"rate": _zhe(r)}))
                    break
        elif p.kind == "quantity_discount":
            for n, r in q["tiers"]:
                if items_n < n:
                    result.append(_miss(p, 0, n - items_n, _("pay %(rate)s折") % {"rate": _zhe(r)}))
                    break
        elif p.kind == "gift" and p.id not in used and q["threshold"] is not None and amount < q["threshold"]:
            result.append(_miss(p, q["threshold"] - amount, 0, _("get %(sku)s free") % {"sku": q["gift_sku"]}))
    for p in coupons:
        if p.id in used:
            continue
        idx = [i for i in sorted(covered[p.id]) if not units[i].locked]
        amount = sum(unit_left[i] for i in idx)
        if amount < p.params["min_spend"]:
            result.append(
                _miss(
                    p,
                    p.params["min_spend"] - amount,
                    0,
                    _("use coupon: ¥%(off)s off") % {"off": yuan(p.params["amount"])},
                )
            )
    return result


def _zhe(r: int) -> str:
    return f"{(Decimal(r) / 1000).normalize():f}"


def _miss(p: Promotion, missing: int, missing_items: int, benefit: str) -> NearMiss:
    if missing_items:
        message = _("Add %(n)s more items to %(benefit)s") % {"n": missing_items, "benefit": benefit}
    else:
        message = _("Spend ¥%(missing)s more to %(benefit)s") % {"missing": yuan(missing), "benefit": benefit}
    return NearMiss(p.id, p.kind, missing, missing_items, benefit, message)
