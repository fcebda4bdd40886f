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
   left out when that makes the buyer pay strictly less), deterministically on ties; so adding a promotion
   never raises what the buyer pays (exact up to EXACT_SHOP shop and EXACT_ITEMS item promotions in play;
   beyond that a greedy plan is used, item promotions are all kept, and the quote's notes say so).
6. Order-level discounts are allocated (分摊) over the lines they cover in proportion to their amounts after
   the earlier layers, by largest remainder, so shares add up exactly; no line goes below its floor (or 0);
   then the optional order cap (max discount, amount or share of the list total) trims coupon, then shop.
Amounts are integer fen inside; Decimal strings outside.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext

from zhanggui.promotions.spec import COUPON, ITEM, RATE_ONE, SCOPE_KEYS, SHOP, Cart, CartLine, Promotion, yuan

EXACT_SHOP = 10  # shop promotions that can give something: up to this many, every combination is tried
EXACT_ITEMS = 4  # item promotions that touch a threshold's units: up to this many, every subset is tried


_TRANSLATED: dict[str | None, dict[str, str]] = {}  # language → message → its translation


def _translator() -> Callable[[str], str]:
    """gettext for the active language, each message translated once: every gettext call looks the language
    up again (microseconds), and a quote writes several messages. Named `_` where used, so makemessages
    finds the messages."""
    table = _TRANSLATED.setdefault(get_language(), {})

    def translate(message: str) -> str:
        text = table.get(message)
        if text is None:
            text = table[message] = gettext(message)
        return text

    return translate


def times(amount: int, rate: int) -> int:
    """amount × rate/10,000 (a 折 rate), rounded half-up to the fen: integer arithmetic, exact."""
    return (amount * rate * 2 + RATE_ONE) // (2 * RATE_ONE)


# ------------------------------------------------------------------------------------------------------------
# Results
# ------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Share:
    promotion: str
    kind: str
    layer: str
    amount: int  # fen

    def as_dict(self) -> dict[str, Any]:
        return {"promotion": self.promotion, "kind": self.kind, "layer": self.layer, "amount": yuan(self.amount)}


@dataclass(slots=True)
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


@dataclass(slots=True)
class Gift:
    promotion: str
    sku: str
    quantity: int

    def as_dict(self) -> dict[str, Any]:
        return {"promotion": self.promotion, "sku": self.sku, "quantity": self.quantity}


@dataclass(slots=True)
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
# Units, lots and the item layer
# ------------------------------------------------------------------------------------------------------------


class Lot:
    """Units of one line that the same item promotions may touch: they always get the same item price, so the
    item layer prices a lot once (a line is one lot, or two when a flash sale's allowance covers part of it).
    A lot's units are consecutive. A plain slotted class: a quote makes one or two a line."""

    __slots__ = ("floor", "line", "list_price", "locked", "mask", "options", "price", "stack", "steps", "units")

    def __init__(
        self,
        units: Sequence[int],
        list_price: int,
        floor: int,
        options: list[tuple[Promotion, int]],
        stack: list[Promotion],
        mask: int = 0,
        line: int = 0,
    ):
        self.units = units  # ascending unit indexes (a range when the lot is the whole line)
        self.list_price = list_price
        self.floor = floor
        self.options = options  # non-stackable item promotions that apply, with the price each gives
        self.stack = stack  # stackable ones, in id order
        self.mask = mask  # the units as a bit mask
        self.line = line  # index of its line
        self.price = 0  # after the enabled item promotions
        self.steps: list[tuple[Promotion, int]] = []  # each promotion's cut of that, in order
        self.locked = False  # an exclusive promotion is among the steps


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


def _item_lots(
    lines: Sequence[CartLine],
    line_units: list[range],
    line_items: list[tuple[list[Promotion], tuple[int, ...]]],
    allowance: dict[str, set[int]],
    cart: Cart,
    known: dict[tuple, Any] | None = None,
) -> list[Lot]:
    """Once a quote: group each line's units by the item promotions that may touch them (the line's, less the
    flash sales whose per-buyer allowance does not reach the unit), and per group list each non-stackable
    promotion that applies with the price it gives, and the stackable ones in id order; and price each lot with
    all of them on, where the plan starts. `known` remembers those lists and that price between quotes, by all
    they depend on: the buyer, the price and floor, and the promotions (each line's come with a key naming
    them)."""
    known = {} if known is None else known
    buyer = (cart.buyer.tier, cart.buyer.past_spend)
    lots: list[Lot] = []
    for li, (unit_range, (promos, promos_key)) in enumerate(zip(line_units, line_items, strict=True)):
        list_price, floor = lines[li].unit_price, lines[li].floor or 0
        whole_line = ((1 << len(unit_range)) - 1) << unit_range.start
        if not promos:
            lot = Lot(unit_range, list_price, floor, [], [], whole_line, li)
            lot.price = list_price
            lots.append(lot)
            continue
        flash = [p for p in promos if p.id in allowance] if allowance else None
        groups: list[tuple[tuple[str, ...], Sequence[int]]] = [((), unit_range)]
        if flash:
            split: dict[tuple[str, ...], list[int]] = {}
            for i in unit_range:
                split.setdefault(tuple(p.id for p in flash if i not in allowance[p.id]), []).append(i)
            groups = list(split.items())
        for left_out, members in groups:
            key = (buyer, list_price, floor, promos_key, left_out)
            found = known.get(key)
            if found is None:
                options, stack = [], []
                for p in promos:
                    if p.id in left_out:
                        continue
                    if p.stackable:
                        stack.append(p)
                    else:
                        price = _apply_item(p, list_price, cart)
                        if price is not None and price < list_price:
                            options.append((p, price))
                lot = Lot(members, list_price, floor, options, stack)
                price, steps = _lot_price(lot, None, cart)
                if len(known) >= 100_000:
                    known.clear()
                found = known[key] = (options, stack, price, steps, any(p.exclusive for p, _a in steps))
            mask = whole_line if len(members) == len(unit_range) else _mask(members)
            lot = Lot(members, list_price, floor, found[0], found[1], mask, li)
            lot.price, lot.steps, lot.locked = found[2], found[3], found[4]
            lots.append(lot)
    return lots


def _lot_price(lot: Lot, on: set[str] | None, cart: Cart) -> tuple[int, list[tuple[Promotion, int]]]:
    """A lot's unit price under the item promotions whose ids are `on` (None: all), and each one's cut of it,
    in order."""
    list_price = lot.list_price
    best, best_price = None, list_price
    for p, price in lot.options:
        if price < best_price and (on is None or p.id in on):
            best, best_price = p, price
    steps: list[tuple[Promotion, int]] = [] if best is None else [(best, list_price - best_price)]
    price = best_price
    for p in lot.stack:
        if on is None or p.id in on:
            new = _apply_item(p, price, cart)
            if new is not None and new < price:
                steps.append((p, price - new))
                price = new
    if price < lot.floor:  # the floor takes back the last discounts first
        excess = min(lot.floor, list_price) - price
        while excess > 0 and steps:
            promo, amount = steps.pop()
            give_back = min(amount, excess)
            excess -= give_back
            if amount > give_back:
                steps.append((promo, amount - give_back))
        price = max(price, min(lot.floor, list_price))
    return price, steps


def _price_lots(lots: list[Lot], enabled: Sequence[Promotion], cart: Cart) -> int:
    """Price each lot under the enabled item promotions; returns the item-layer saving in fen."""
    saving = 0
    on = {p.id for p in enabled}
    for lot in lots:
        price, steps = _lot_price(lot, on, cart)
        lot.price, lot.steps = price, steps
        lot.locked = False
        for p, _a in steps:
            if p.exclusive:
                lot.locked = True
        saving += (lot.list_price - price) * len(lot.units)
    return saving


def _lost_without(p: Promotion, lots: list[Lot], items: list[Promotion], cart: Cart) -> int:
    """What the item layer saves less without p, the lots priced with all `items` (they stay so)."""
    on = {q.id for q in items if q is not p}
    lost = 0
    for lot in lots:
        if any(q is p for q, _x in lot.options) or any(q is p for q in lot.stack):
            lost += (_lot_price(lot, on, cart)[0] - lot.price) * len(lot.units)
    return lost


def _unit_prices(lots: list[Lot], n: int) -> tuple[list[int], int]:
    """Each unit's price after the item layer, as the lots now hold it, and the locked units (bit mask)."""
    prices = [0] * n
    locked = 0
    for lot in lots:
        for i in lot.units:
            prices[i] = lot.price
        if lot.locked:
            locked |= lot.mask
    return prices, locked


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


class _Cover(dict):
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


def _mask(indexes: Iterable[int]) -> int:
    m = 0
    for i in indexes:
        m |= 1 << i
    return m


SPEND_KINDS = frozenset({"spend_save", "spend_discount", "quantity_discount", "gift"})


def _spend(p: Promotion, amount: int, count: int, mask: int) -> Outcome | None:
    """What a spend-based promotion (满减, 满折, 满N件, 满赠) gives on `count` units worth `amount` (the units
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


def _multibuy(p: Promotion, prices: list[int], ordered: list[int], mask: int) -> Outcome | None:
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


def _evaluate(p: Promotion, prices: list[int], skus: Sequence[str], idx: list[int], mask: int) -> Outcome | None:
    """What promotion p gives on the units idx (ascending; in its scope, available, not locked; `mask` is the
    same set as a bit mask) at the unit prices `prices` (`skus`: each unit's SKU); None when it gives nothing.
    The plain, unit-by-unit definition: the search gets the same faster from line sums and ranked units
    (_Search.evaluate; the tests compare the two)."""
    if not idx:
        return None
    kind = p.kind
    if kind in SPEND_KINDS:
        return _spend(p, sum([prices[i] for i in idx]), len(idx), mask)
    if kind == "multibuy":  # most expensive first; ties: lower index (a stable sort)
        return _multibuy(p, prices, sorted(idx, key=prices.__getitem__, reverse=True), mask)
    if kind == "bundle":
        by_sku: dict[str, list[int]] = {}
        for i in idx:
            by_sku.setdefault(skus[i], []).append(i)
        ranked = {sku: sorted(units, key=prices.__getitem__, reverse=True) for sku, units in by_sku.items()}
        return _bundle(p, prices, ranked)
    raise AssertionError(kind)


def _bundle(p: Promotion, prices: list[int], ranked: dict[str, list[int]]) -> Outcome | None:
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
    return Outcome(discount, _mask(chosen), {i: prices[i] for i in chosen})


def _upper_bound(p: Promotion, prices: list[int], idx: list[int]) -> int:
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


# ------------------------------------------------------------------------------------------------------------
# Coupons
# ------------------------------------------------------------------------------------------------------------


def _coupon_allowed(p: Promotion, cart: Cart) -> bool:
    q = p.params
    offered = q["codes"] & cart.coupons
    if not offered or offered <= cart.used_codes:
        return False
    return cart.buyer.coupon_uses.get(p.id, 0) < q["per_buyer_limit"]


CouponUnits = list[tuple[Promotion, list[int]]]  # each coupon with its in-scope, unlocked unit indexes


def coupon_units(coupons: Sequence[Promotion], locked: int, covered: Covered) -> CouponUnits:
    """Each coupon with the units it may measure and discount: its scope less the locked units (bit mask)."""
    return [(p, [i for i in covered[p.id] if not locked >> i & 1]) for p in coupons]


def _coupon_amounts(coupons: CouponUnits, unit_after_shop: list[int]) -> list[tuple]:
    """Each usable coupon with (discount, its in-scope unit indexes, in-scope amount)."""
    result = []
    for p, idx in coupons:
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


def choose_coupons(coupons: CouponUnits, lows: list[int], after: list[int]) -> tuple[int, list[tuple]]:
    """The coupons that give the buyer most on units that cost `after` (and may cost no less than `lows`), as
    really allocated."""
    return _pick_coupons(_coupon_amounts(coupons, after), lows, lambda: after, floors=any(lows))


def _pick_coupons(
    options: list[tuple], lows: list[int], after: Callable[[], list[int]], floors: bool
) -> tuple[int, list[tuple]]:
    """Of the usable coupons (`options`), those that give the buyer most, as really allocated (within each
    unit's room above its floor): every combinable coupon plus at most one other; the lowest id wins a tie.
    `after()` gives what each unit costs; it is asked only when a coupon may not fit in its units."""
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
            room = list(base_room)
            given = 0
            for _p, discount, idx, _amount in chosen:
                shares = allocate(discount, [left[i] for i in idx], [room[i] for i in idx])
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
    weight_sum = sum(weights)
    if weight_sum > 0 and (caps is None or min(caps, default=0) > 0):
        # The first round of the loop below, which is the last when no share reaches its cap (the usual case).
        base = [total * w // weight_sum for w in weights]
        rest = total - sum(base)
        if rest:
            remainders = [total * w % weight_sum for w in weights]
            for k in sorted(range(n), key=remainders.__getitem__, reverse=True)[:rest]:
                base[k] += 1
        if caps is None or not any(map(operator.ge, base, caps)):  # every share below its cap
            return base
    caps = list(caps) if caps is not None else [total] * n
    total = min(total, sum(caps))
    shares = [0] * n
    open_ = [i for i in range(n) if caps[i] > 0]
    remaining = total
    while remaining > 0 and open_:
        w = [weights[i] for i in open_]
        weight_sum = sum(w)
        if weight_sum <= 0:
            w = [1] * len(open_)
            weight_sum = len(open_)
        base, rems = [], []
        for x in w:
            q, r = divmod(remaining * x, weight_sum)
            base.append(q)
            rems.append(r)
        rest = remaining - sum(base)
        if rest:  # the largest remainders get a fen more; a stable sort leaves ties in position order
            for k in sorted(range(len(open_)), key=rems.__getitem__, reverse=True)[:rest]:
                base[k] += 1
        overflow = False
        for k, i in enumerate(open_):
            room = caps[i] - shares[i]
            if base[k] >= room:
                shares[i] += room
                remaining -= room
                overflow = True
            # shares of the others are recomputed in the next round when someone hit its cap
        if not overflow:
            for k, i in enumerate(open_):
                shares[i] += base[k]
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


Choice = tuple[int, list[tuple[Promotion, Outcome]], list[tuple]]  # (what later layers give, shop, coupons)
_UNKNOWN = object()  # not evaluated yet (None is an answer: the promotion gives nothing)


class _Search:
    """Chooses shop promotions and coupons for the units' current prices.

    Exact (branch and bound over every subset) while at most EXACT_SHOP promotions can give anything;
    beyond that, greedy by value with one round of improvement, and the quote says so in its notes.
    Sets of units are bit masks; a promotion's outcome on a set of units is computed once per set of prices.
    """

    def __init__(self, basket: _Basket):
        self.lows = basket.unit_low
        self.skus = basket.unit_sku
        self.cart_skus = {line.sku for line in basket.lines}
        self.lots = lots = basket.lots
        self.shop = sorted(basket.shop, key=lambda p: p.id)
        self.coupons = basket.coupons
        self.covered = covered = basket.covered
        self.scope = {p.id: covered.mask(p.id) for p in self.shop}
        n = len(self.lows)
        self.everything = (1 << n) - 1
        self.floors = any(self.lows)
        self.lot_masks = [lot.mask for lot in lots]
        self.line_lots: list[list[Lot]] = [[] for _ in covered.line_units]
        for lot in lots:
            self.line_lots[lot.line].append(lot)
        self.scope_lots: dict[str, list[Lot]] = {}  # a promotion's lots, in unit order, when first asked for
        self.ranked: dict[str, Any] = {}  # a multibuy's units (a bundle's, per item) by price (per set of prices)
        self.exhausted = False
        self.memo: dict[tuple, Choice] = {}
        # Per set of prices (set by above() from the lots):
        self.prices = [-1] * n
        self.locked = 0
        self.line_amount = [0] * len(covered.line_units)  # each line's unlocked units: what they cost, how many
        self.line_count = [0] * len(covered.line_units)
        self.outcomes: dict[tuple[str, int], Outcome | None] = {}
        self.realized: dict[tuple[tuple[str, int], ...], tuple[int, list[tuple]]] = {}
        self.coupon_units: CouponUnits = []
        self.coupon_base: list[int] = []  # each coupon's in-scope amount before the shop layer
        self.coupon_masks: list[int] = []
        self.shares: dict[int, list[tuple[int, int]]] = {}  # id(outcome) → its allocation, when alone on its units
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
            return known if known[0] > target else None
        prices, locked, changed = self.prices, 0, 0
        line_amount, line_count = self.line_amount, self.line_count
        for li in range(len(line_amount)):
            line_amount[li] = line_count[li] = 0
        for lot, lot_mask in zip(self.lots, self.lot_masks, strict=True):
            if prices[lot.units[0]] != lot.price or bool(self.locked & lot_mask) != lot.locked:
                changed |= lot_mask
                for i in lot.units:
                    prices[i] = lot.price
            if lot.locked:
                locked |= lot_mask
            else:
                n = len(lot.units)
                line_amount[lot.line] += lot.price * n
                line_count[lot.line] += n
        self.locked = locked
        # Outcomes on units whose prices did not change stay right: item-promotion subsets move a few lots.
        self.outcomes = {key: o for key, o in self.outcomes.items() if not key[1] & changed}
        self.realized = {}
        self.ranked = {}
        self.shares = {}
        self.coupon_cut = {}
        self.coupon_units = coupon_units(self.coupons, locked, self.covered)
        self.coupon_base = [sum(prices[i] for i in idx) for _p, idx in self.coupon_units]
        self.coupon_masks = [_mask(idx) for _p, idx in self.coupon_units]
        choice = self._shop_and_coupon(target)
        if choice is not None:
            self.memo[key] = choice  # the pruned search finds the same best as the full one when it beats target
            if choice[0] <= target:
                return None
        return choice

    def evaluate(self, p: Promotion, available: int) -> Outcome | None:
        scope = self.scope[p.id]
        mask = scope & available & ~self.locked
        if not mask:  # nothing left to use (the usual answer once a shop-wide promotion took every unit)
            return None
        key = (p.id, mask)
        outcome = self.outcomes.get(key, _UNKNOWN)
        if outcome is _UNKNOWN:
            kind = p.kind
            if kind in SPEND_KINDS:  # amounts from the lines or the lots: the units of a lot cost the same
                if mask == scope & ~self.locked:  # all its lines' unlocked units
                    lines = self.covered.lines_of[p.id]
                    amount = sum(map(self.line_amount.__getitem__, lines))
                    count = sum(map(self.line_count.__getitem__, lines))
                else:
                    amount = count = 0
                    for lot in self.lots_of(p):
                        n = (lot.mask & mask).bit_count()
                        amount += lot.price * n
                        count += n
                outcome = _spend(p, amount, count, mask) if count else None
            elif kind == "multibuy":  # its units ranked by price once per set of prices, then filtered
                ranked = self.ranked.get(p.id)
                if ranked is None:
                    ranked = self.ranked[p.id] = sorted(self.covered[p.id], key=self.prices.__getitem__, reverse=True)
                ordered = ranked if mask == scope else [i for i in ranked if mask >> i & 1]
                outcome = _multibuy(p, self.prices, ordered, mask) if ordered else None
            elif kind == "bundle":
                outcome = self._bundle(p, mask)
            else:  # a kind without a faster way: the per-unit definition
                idx = self.covered[p.id] if mask == scope else [i for i in self.covered[p.id] if mask >> i & 1]
                outcome = _evaluate(p, self.prices, self.skus, idx, mask)
            self.outcomes[key] = outcome
        return outcome  # type: ignore[return-value]

    def _bundle(self, p: Promotion, mask: int) -> Outcome | None:
        """A bundle on the units `mask`: only its items' units are looked at, ranked by price once per set of
        prices; an item not in the cart at all (the usual case) answers at once."""
        items = p.params["items"]
        if not all(sku in self.cart_skus for sku, _n in items):
            return None
        ranked = self.ranked.get(p.id)
        if ranked is None:
            ranked = {}
            for sku, _n in items:
                units = [i for i in self.covered[p.id] if self.skus[i] == sku]
                ranked[sku] = sorted(units, key=self.prices.__getitem__, reverse=True)
            self.ranked[p.id] = ranked
        available = {sku: [i for i in units if mask >> i & 1] for sku, units in ranked.items()}
        return _bundle(p, self.prices, available)

    def lots_of(self, p: Promotion) -> list[Lot]:
        """The lots of the lines p covers, in unit order."""
        lots = self.scope_lots.get(p.id)
        if lots is None:
            line_lots = self.line_lots
            lots = self.scope_lots[p.id] = [lot for li in self.covered.lines_of[p.id] for lot in line_lots[li]]
        return lots

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
            elif p.kind == "multibuy" and not p.stackable:
                idx = [i for i in self.covered[p.id] if not self.locked >> i & 1]
                if _upper_bound(p, self.prices, idx) > 0:
                    candidates.append(p)
        if len(candidates) <= EXACT_SHOP:
            return self._exact(candidates, stacked, target)
        self.exhausted = True
        return self._greedy(candidates, stacked, whole)

    def _score(self, chosen: list[tuple[Promotion, Outcome]]) -> tuple[tuple, int, list[tuple]]:
        total, coupon_choice = self._realize(chosen)
        ids = sorted(p.id for p, _o in chosen)
        gifts = sum(1 for _p, o in chosen if o.gift is not None)
        return (-total, -gifts, len(ids) + len(coupon_choice), ids), total, coupon_choice

    def _exact(self, promos: list[Promotion], stacked, target: int) -> Choice | None:
        """Branch and bound over every subset of the candidates, applied in id order.

        The bound is exact for the shop layer: `most(k, available)`, the most the promotions k.. can promise on
        the units still available, memoised on (k, available) — few distinct sets of units occur, as each
        promotion takes all it may — so only plans whose shop discounts come within the coupons' face value of
        the best are realised (allocated, with coupons chosen on top).
        """
        coupon_upper = self._coupons_after([])[0]
        # The stackable promotions give the same whatever else applies: what those from k on give is fixed[k].
        # The others are searched: from the j-th on (plain[j:]), only the units in reach[j] matter, so the
        # memo is keyed on those and sets of units that differ elsewhere share one answer.
        n = len(promos)
        plain = [p for p in promos if not p.stackable]
        fixed, first_plain = [0] * (n + 1), [len(plain)] * (n + 1)
        for k in range(n - 1, -1, -1):
            p = promos[k]
            o = stacked[p.id] if p.stackable else None
            fixed[k] = fixed[k + 1] + (o.discount if o is not None else 0)
            first_plain[k] = first_plain[k + 1] - (not p.stackable)
        reach = [0] * (len(plain) + 1)
        for j in range(len(plain) - 1, -1, -1):
            reach[j] = reach[j + 1] | self.scope[plain[j].id]
        known: list[dict[int, int]] = [{} for _ in reach]

        def most_plain(j: int, available: int) -> int:
            available &= reach[j]
            if not available:
                return 0
            found = known[j].get(available)
            if found is None:
                found = most_plain(j + 1, available)
                o = self.evaluate(plain[j], available)
                if o is not None:
                    found = max(found, o.discount + most_plain(j + 1, available & ~o.consumed))
                known[j][available] = found
            return found

        def most(k: int, available: int) -> int:
            return fixed[k] + most_plain(first_plain[k], available)

        # A stackable promotion that only gives a gift is always taken: it changes no price and a plan with
        # one more gift is the better one. From k on: how many are so taken, how many could give a gift.
        forced = [0] * (n + 1)
        gifting = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            p = promos[k]
            o = stacked[p.id] if p.stackable else None
            forced[k] = forced[k + 1] + (o is not None and not o.discount)
            gifting[k] = gifting[k + 1] + (p.kind == "gift")
        best: list[Any] = [None]

        def dfs(k: int, available: int, chosen: list[tuple[Promotion, Outcome]], value: int, gifts: int) -> None:
            bound = value + most(k, available) + coupon_upper
            if bound <= target or (best[0] is not None and bound < best[0][1]):
                return
            if best[0] is not None and bound == best[0][1]:  # at most a tie: the key decides (_score)
                _total, best_gifts, best_count, _ids = best[0][0]
                most_gifts = gifts + gifting[k]
                if most_gifts < -best_gifts or (most_gifts == -best_gifts and len(chosen) + forced[k] > best_count):
                    return  # fewer gifts, or as many with more promotions: never the better key
            if k == len(promos):
                key, total, coupon_choice = self._score(chosen)
                if total > target and (best[0] is None or key < best[0][0]):
                    best[0] = (key, total, list(chosen), coupon_choice)
                return
            p = promos[k]
            outcome = stacked[p.id] if p.stackable else self.evaluate(p, available)
            if outcome is None:
                dfs(k + 1, available, chosen, value, gifts)
                return
            gift = outcome.gift is not None
            if p.stackable and not outcome.discount:
                chosen.append((p, outcome))
                dfs(k + 1, available, chosen, value, gifts + gift)
                chosen.pop()
                return
            rest = available if p.stackable else available & ~outcome.consumed
            # The branch that promises more first, leaving p out on a tie (fewer promotions is the better
            # key): the best plan is found early and prunes the rest; the order cannot change the answer.
            take_first = outcome.discount + most(k + 1, rest) > most(k + 1, available)
            for take in (take_first, not take_first):
                if take:
                    chosen.append((p, outcome))
                    dfs(k + 1, rest, chosen, value + outcome.discount, gifts + gift)
                    chosen.pop()
                else:
                    dfs(k + 1, available, chosen, value, gifts)

        dfs(0, self.everything, [], 0, 0)
        if best[0] is None:
            return None
        _key, total, chosen, coupon_choice = best[0]
        return total, chosen, coupon_choice

    def _greedy(self, candidates: list[Promotion], stacked, whole) -> Choice:
        """Take the promotion worth most on what is left, again and again; then try dropping each one."""
        scope = self.scope
        rank = {p.id: -i for i, p in enumerate(candidates)}  # candidates are in id order: lowest id wins ties

        def build(
            pool: list[Promotion], picked: Sequence[tuple[Promotion, Outcome]] = ()
        ) -> tuple[list[tuple[Promotion, Outcome]], list[tuple[Promotion, Outcome]]]:
            """The greedy plan from `pool`, continuing after the picks `picked` (a run over a larger pool makes
            the same picks until it picks what this pool lacks); returns it in id order, and the picks."""
            available = self.everything
            for _p, o in picked:
                available &= ~o.consumed
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
                available &= ~o.consumed
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
        return total, chosen, coupon_choice

    def _hungry(self, shop: list[tuple[Promotion, Outcome]]) -> int:
        """The units measured by a coupon that could give more if the shop promotions took less of them: one
        below its minimum spend or its face value after `shop` (at its face value a coupon cannot give more).
        With floors, every unit: what a coupon may take depends on every unit's room above its floor."""
        if not self.coupons:
            return 0
        if self.floors:
            return self.everything
        if any(p.stackable and o.discount for p, o in shop):
            after = self._after_shop(shop)[1]
            amounts = [sum(after[i] for i in idx) for _p, idx in self.coupon_units]
        else:  # disjoint units without floors: as _realize works them out
            discounted = [o for _p, o in shop if o.discount]
            amounts = [
                self.coupon_base[c] - sum(self._cut(o, c) for o in discounted) for c in range(len(self.coupon_units))
            ]
        hungry = 0
        for (p, _idx), amount, mask in zip(self.coupon_units, amounts, self.coupon_masks, strict=True):
            if amount < max(p.params["min_spend"], p.params["amount"]):
                hungry |= mask
        return hungry

    def _after_shop(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[int]]:
        """Allocate the shop discounts in id order, as quote() does, within each unit's room above its floor.

        Returns what was really given and what each unit costs afterwards: two discounts on the same unit can
        promise more than the unit is worth, and the search must compare what the buyer really gets.
        """
        after = list(self.prices)
        given = 0
        for _p, o in sorted(shop, key=lambda po: po[0].id):
            if o.discount:
                weights = o.weights_at(self.prices)
                ids = sorted(weights)
                rooms = [max(0, after[i] - self.lows[i]) for i in ids]
                shares = allocate(o.discount, [weights[i] for i in ids], rooms)
                for i, share in zip(ids, shares, strict=True):
                    after[i] -= share
                given += sum(shares)
        return given, after

    def _alone(self, o: Outcome) -> list[tuple[int, int]]:
        """o's allocation when nothing else touched its units and there are no floors (what _after_shop gives
        then), once per outcome."""
        key = id(o)
        if key not in self.shares:
            weights = o.weights_at(self.prices)
            ids = sorted(weights)
            shares = allocate(o.discount, [weights[i] for i in ids], [self.prices[i] for i in ids])
            self.shares[key] = list(zip(ids, shares, strict=True))
        return self.shares[key]

    def _realize(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[tuple]]:
        """What the shop promotions and the best coupons on top really give (memoised per set of promotions)."""
        key = tuple(sorted((p.id, id(o)) for p, o in shop))
        if key in self.realized:
            return self.realized[key]
        result: tuple[int, list[tuple]]
        if self.floors or any(p.stackable and o.discount for p, o in shop):
            given, after = self._after_shop(shop)
            if self.coupons:
                coupon_given, chosen = choose_coupons(self.coupon_units, self.lows, after)
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
                        options.append((p, min(p.params["amount"], amount), idx, amount))

                def left_after() -> list[int]:
                    left = list(self.prices)
                    for o in discounted:
                        for i, share in self._alone(o):
                            left[i] -= share
                    return left

                coupon_given, chosen = _pick_coupons(options, self.lows, left_after, floors=False)
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
            self.coupon_cut[key] = sum(share for i, share in self._alone(o) if scope >> i & 1)
        return self.coupon_cut[key]

    def _coupons_after(self, shop: list[tuple[Promotion, Outcome]]) -> tuple[int, list[tuple]]:
        """An upper bound of the coupon layer: the coupons' face value on the prices after the shop layer."""
        if not self.coupons:
            return 0, []
        after = self._after_shop(shop)[1]
        return _best_coupons(_coupon_amounts(self.coupon_units, after))


def _choose(cart: Cart, basket: _Basket) -> Plan:
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
    search = _Search(basket)
    all_saving = sum((lot.list_price - lot.price) * len(lot.units) for lot in lots)  # _item_lots priced them
    later_all, shop_all, coupons_all = search.shop_and_coupon()
    best = Plan(all_saving + later_all, tuple(items), shop_all, coupons_all)
    if not items or not (shop or coupons) or search.exhausted:
        best.exhausted = search.exhausted
        return best
    later_units = functools.reduce(operator.or_, (covered.mask(p.id) for p in [*shop, *coupons]), 0)
    acting = {p.id for lot in lots for p, _x in lot.options} | {p.id for lot in lots for p in lot.stack}
    sensitive = [p for p in items if p.id in acting and covered.mask(p.id) & later_units]
    if not sensitive:
        return best
    cap = _order_cap(cart, sum(line.unit_price * line.quantity for line in basket.lines))
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
    still_saving = all_saving - sum((lot.list_price - lot.price) * len(lot.units) for lot in moving)
    most_without_one = all_saving - min(_lost_without(p, moving, items, cart) for p in sensitive)
    _price_lots(moving, fixed, cart)
    none = search.above(best.saving - most_without_one)
    if none is None:  # no plan without a sensitive promotion can beat the best: keep them all
        _price_lots(moving, items, cart)
        best.exhausted = search.exhausted
        return best
    later_none = none[0]
    subsets = [[p for bit, p in enumerate(sensitive) if mask >> bit & 1] for mask in range(2 ** len(sensitive) - 1)]
    all_items = best
    for subset in subsets:
        enabled = [*fixed, *subset]
        saving = still_saving + _price_lots(moving, enabled, cart)
        # Later layers must give more than this for the subset to win (beat all items, or tie the best so far).
        target = all_items.saving - saving if best is all_items else best.saving - saving - 1
        if later_none <= target:
            continue
        choice = search.above(target)
        if choice is None:
            continue
        later, shop_choice, coupon_choice = choice
        candidate = Plan(saving + later, tuple(sorted(enabled, key=lambda p: p.id)), shop_choice, coupon_choice)
        if candidate.saving > all_items.saving and candidate.key() < best.key():
            best = candidate
    _price_lots(lots, list(best.item_enabled), cart)
    best.exhausted = search.exhausted
    return best


# ------------------------------------------------------------------------------------------------------------
# quote()
# ------------------------------------------------------------------------------------------------------------


@dataclass
class _Index:
    """The promotions looked up by the codes their scopes name: built once per list of promotions (a desk
    prices many carts against the same running promotions), then each line finds its promotions by four
    dictionary lookups instead of every promotion testing every line."""

    promotions: tuple[Promotion, ...]  # in id order; holding them keeps the cache key's ids valid
    everywhere: list[int]  # positions of the promotions whose scope covers every line (no codes, no exclusions)
    by_code: tuple[dict[str, list[int]], ...]  # per SCOPE_KEYS: code → positions
    excluding: list[int]  # positions whose scope names no code but has exclusions: those check each line
    by_line: dict[tuple[str, str, str, str], tuple[list[int], tuple[int, ...], list[Promotion]]] = field(
        default_factory=dict
    )
    item_options: dict[tuple, Any] = field(default_factory=dict)  # for _item_lots
    running_at: dict[Any, list[bool]] = field(default_factory=dict)  # moment → running flags by position
    layers: list[str] = field(default_factory=list)  # each promotion's layer, by position

    def __post_init__(self) -> None:
        self.layers = [p.layer for p in self.promotions]

    def running(self, at: Any) -> list[bool]:
        """Which promotions run at `at` (None: all), remembered per moment."""
        flags = self.running_at.get(at)
        if flags is None:
            flags = [p.running_at(at) for p in self.promotions]
            if len(self.running_at) >= 1_000:
                self.running_at.clear()
            self.running_at[at] = flags
        return flags

    def covering(self, line: CartLine) -> tuple[list[int], tuple[int, ...], list[Promotion]]:
        """Positions of the promotions (running or not) whose scope covers the line, less those that cover
        every line; and of the item promotions among all that cover it, and those promotions. Ascending;
        remembered per (sku, product, category, role), the only things a scope looks at."""
        key = (line.sku, line.product, line.category, line.role)
        found = self.by_line.get(key)
        if found is None:
            hits = set()
            for table, code in zip(self.by_code, key, strict=True):
                if code in table:
                    hits.update(table[code])
            hits.update(self.excluding)
            specific = sorted(k for k in hits if self.promotions[k].scope.covers(line))
            items = tuple(k for k in sorted([*specific, *self.everywhere]) if self.promotions[k].layer == ITEM)
            if len(self.by_line) >= 100_000:
                self.by_line.clear()
            found = self.by_line[key] = (specific, items, [self.promotions[k] for k in items])
        return found


_INDEXES: dict[tuple[int, ...], _Index] = {}


def _index(promotions: Sequence[Promotion]) -> _Index:
    key = tuple(map(id, promotions))
    index = _INDEXES.get(key)
    if index is None:
        ordered = tuple(sorted(promotions, key=lambda p: p.id))
        by_code: tuple[dict[str, list[int]], ...] = tuple({} for _ in SCOPE_KEYS)
        everywhere: list[int] = []
        excluding: list[int] = []
        for k, p in enumerate(ordered):
            scope = p.scope
            if scope.everything:
                has_exclusions = scope.exclude_skus or scope.exclude_products or scope.exclude_categories
                (excluding if has_exclusions or scope.exclude_roles else everywhere).append(k)
            for table, name in zip(by_code, SCOPE_KEYS, strict=True):
                for code in getattr(scope, name):
                    table.setdefault(code, []).append(k)
        index = _Index(ordered, everywhere, by_code, excluding)
        if len(_INDEXES) >= 32:
            _INDEXES.clear()
        _INDEXES[key] = index
    return index


def _lines_covered(
    index: _Index, lines: Sequence[CartLine], at: Any
) -> tuple[dict[str, list[int]], dict[str, list[Promotion]], list[tuple[list[Promotion], tuple[int, ...]]]]:
    """The promotions running at `at` that cover some line: the lines each covers, and the promotions by layer
    in id order; and each line's running item promotions, in id order, with their positions in the index (a
    key naming them). A promotion for every line shares one list of all lines."""
    ordered = index.promotions
    running = index.running(at)
    all_running = all(running)
    found: dict[int, list[int]] = {}
    line_items: list[tuple[list[Promotion], tuple[int, ...]]] = []
    for li, line in enumerate(lines):
        specific, items, item_promotions = index.covering(line)
        for k in specific:
            if k in found:
                found[k].append(li)
            else:
                found[k] = [li]
        if all_running:
            line_items.append((item_promotions, items))
        else:
            items = tuple(k for k in items if running[k])
            line_items.append(([ordered[k] for k in items], items))
    every_line = list(range(len(lines)))
    for k in index.everywhere:
        found[k] = every_line
    lines_of: dict[str, list[int]] = {}
    by_layer: dict[str, list[Promotion]] = {ITEM: [], SHOP: [], COUPON: []}
    for k in sorted(found):
        if running[k]:
            p = ordered[k]
            lines_of[p.id] = found[k]
            by_layer[index.layers[k]].append(p)
    return lines_of, by_layer, line_items


def _canonical(lines: Sequence[CartLine]) -> list[int]:
    """The lines in an order that does not depend on the cart's: by SKU, then by all the rest."""
    skus = [line.sku for line in lines]
    if len(set(skus)) == len(skus):  # the usual cart: SKUs alone decide
        return sorted(range(len(lines)), key=skus.__getitem__)
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


@dataclass(slots=True)
class _Basket:
    """The cart as the engine works on it: its lines in canonical order, its units (a line of 3 is 3 units:
    promotions may treat them differently) numbered line after line, the lots, and the running promotions
    that cover some line, by layer (coupons: those the buyer offers and may use)."""

    order: list[int]  # canonical position → position in the cart
    lines: tuple[CartLine, ...]
    unit_line: list[int]  # per unit: its line
    unit_low: list[int]  # per unit: the lowest it may cost after every layer, min(floor, list price)
    unit_sku: list[str]  # per unit: its SKU
    lots: list[Lot]
    items: list[Promotion]
    shop: list[Promotion]
    coupons: list[Promotion]
    covered: _Cover


def _prepare(cart: Cart, promotions: Sequence[Promotion], notes: list[str], _: Callable[[str], str]) -> _Basket:
    """Everything the plan is chosen on; notes say when a flash sale's per-buyer cap limits the cart."""
    order = _canonical(cart.lines)
    lines = tuple(cart.lines[i] for i in order)
    index = _index(promotions)
    line_cover, by_layer, line_items = _lines_covered(index, lines, cart.at)
    items, shop = by_layer[ITEM], by_layer[SHOP]
    coupons = [p for p in by_layer[COUPON] if _coupon_allowed(p, cart)]

    unit_line: list[int] = []
    unit_low: list[int] = []
    unit_sku: list[str] = []
    line_units: list[range] = []
    for li, line in enumerate(lines):
        n = line.quantity
        line_units.append(range(len(unit_line), len(unit_line) + n))
        unit_line += [li] * n
        unit_low += [min(line.floor or 0, line.unit_price)] * n
        unit_sku += [line.sku] * n
    covered = _Cover(line_cover, line_units)

    # A flash sale's per-buyer allowance: the units it may touch (the most expensive, the best use for the buyer).
    allowance: dict[str, set[int]] = {}
    for p in items:
        if p.kind == "flash_sale":
            left = max(0, p.params["per_buyer_cap"] - cart.buyer.flash_bought.get(p.id, 0))
            ordered = sorted(covered[p.id], key=lambda i: (-lines[unit_line[i]].unit_price, i))
            allowance[p.id] = set(ordered[:left])
            if len(ordered) > left:
                notes.append(
                    _("%(promo)s: at most %(cap)s units at the flash-sale price for this buyer.")
                    % {"promo": p.id, "cap": p.params["per_buyer_cap"]}
                )
    lots = _item_lots(lines, line_units, line_items, allowance, cart, index.item_options)
    return _Basket(order, lines, unit_line, unit_low, unit_sku, lots, items, shop, coupons, covered)


def quote(cart: Cart, promotions: Sequence[Promotion]) -> Quote:
    """Price the cart. Pure: the same cart and promotions always give the same Quote, whatever the line order."""
    _ = _translator()
    notes: list[str] = []
    basket = _prepare(cart, promotions, notes, _)
    order, lines, lots = basket.order, basket.lines, basket.lots
    shop, coupons, covered = basket.shop, basket.coupons, basket.covered
    plan = _choose(cart, basket)  # the lots now hold the prices of the chosen item promotions
    item_prices, locked = _unit_prices(lots, len(basket.unit_line))

    # Build the priced lines: item shares per lot, then shop and coupon allocations per line.
    priced: list[PricedLine] = []
    applied: dict[str, int] = {}
    line_lots: list[list[Lot]] = [[] for _ in lines]
    for lot in lots:
        line_lots[lot.line].append(lot)
    for line, own in zip(lines, line_lots, strict=True):
        if len(own) == 1:  # the usual line: one lot
            lot = own[0]
            unit_prices = [(lot.price, line.quantity)]
            steps = [(p, amount * line.quantity) for p, amount in lot.steps]
        else:  # a flash sale's allowance split it: its lots' prices and item discounts add up
            groups: dict[int, int] = {}
            merged: dict[str, tuple[Promotion, int]] = {}
            for lot in own:
                n = len(lot.units)
                groups[lot.price] = groups.get(lot.price, 0) + n
                for p, amount in lot.steps:
                    merged[p.id] = (p, merged[p.id][1] + amount * n if p.id in merged else amount * n)
            unit_prices = sorted(groups.items(), key=lambda g: -g[0])
            steps = list(merged.values())
        if len(steps) > 1:
            steps.sort(key=lambda step: step[0].id)
        shares = []
        for p, amount in steps:
            shares.append(Share(p.id, p.kind, ITEM, amount))
            applied[p.id] = applied.get(p.id, 0) + amount
        priced.append(PricedLine(line.sku, line.quantity, line.unit_price, unit_prices, shares))

    unit_left = list(item_prices)  # what each unit still costs, for the floors and the coupon layer
    gifts: list[Gift] = []

    unit_low, unit_line = basket.unit_low, basket.unit_line

    def spread(p: Promotion, layer: str, total: int, weights: dict[int, int]) -> int:
        ids = sorted(weights)
        caps = [unit_left[i] - unit_low[i] for i in ids]
        if min(caps, default=0) < 0:
            caps = [max(0, cap) for cap in caps]
        shares = allocate(total, [weights[i] for i in ids], caps)
        per_line: dict[int, int] = {}
        for i, share in zip(ids, shares, strict=True):
            unit_left[i] -= share
            li = unit_line[i]
            per_line[li] = per_line.get(li, 0) + share
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
            spread(p, SHOP, outcome.discount, outcome.weights_at(item_prices))
    # Coupons: recomputed on what the units cost after the shop layer as allocated.
    chosen_coupons = coupon_units([o[0] for o in plan.coupons], locked, covered)
    coupon_choice = choose_coupons(chosen_coupons, unit_low, unit_left)[1]
    for p, discount, idx, _amount in sorted(coupon_choice, key=lambda o: o[0].id):
        spread(p, COUPON, discount, {i: unit_left[i] for i in idx})

    _apply_order_cap(cart, priced, applied, notes, _)
    if plan.exhausted:
        notes.append(_("Many promotions apply: a good plan is used, not proven the best."))

    near = _near_misses(lots, covered, shop, coupons, plan, unit_left, _)
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


def _order_cap(cart: Cart, list_total: int) -> int | None:
    """The most the order may be discounted (max_discount, max_discount_rate of the list total), if capped."""
    caps = []
    if cart.max_discount is not None:
        caps.append(cart.max_discount)
    if cart.max_discount_rate is not None:
        caps.append(int(list_total * cart.max_discount_rate))  # rounded down: the cap is never exceeded
    return min(caps) if caps else None


def _apply_order_cap(
    cart: Cart, priced: list[PricedLine], applied: dict[str, int], notes: list[str], _: Callable[[str], str]
) -> None:
    """Trim coupon, then shop discounts so the order's total discount stays within the cap.

    Item discounts are never trimmed (they are the unit prices the listing shows); when they alone exceed the
    cap, the note says so, with what was given and what the cap could not take back.
    """
    cap = _order_cap(cart, sum(line.list_amount for line in priced))
    if cap is None:
        return
    excess = sum(line.discount for line in priced) - cap
    trimmed = max(excess, 0)
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
            if c and not applied[s.promotion]:
                del applied[s.promotion]  # trimmed to nothing: no longer applied
        for line in priced:
            line.shares = [s for s in line.shares if s.amount > 0]
        excess -= cut
    if excess > 0:
        notes.append(
            _(
                "The order's discount is capped at ¥%(cap)s: ¥%(trimmed)s of shop and coupon discounts was taken "
                "back, but the item discounts alone give ¥%(given)s, which the cap does not reduce."
            )
            % {"cap": yuan(cap), "trimmed": yuan(trimmed - excess), "given": yuan(cap + excess)}
        )
    elif trimmed:
        notes.append(
            _("The order's discount is capped at ¥%(cap)s: ¥%(trimmed)s of shop and coupon discounts was taken back.")
            % {"cap": yuan(cap), "trimmed": yuan(trimmed)}
        )
    else:
        notes.append(_("The order's discount is capped at ¥%(cap)s.") % {"cap": yuan(cap)})


_THRESHOLD_KINDS = frozenset({"spend_save", "spend_discount", "quantity_discount", "gift"})


def _near_misses(lots, covered, shop, coupons, plan, unit_left, _) -> list[NearMiss]:
    """Threshold promotions not reached (or whose next tier is close): what is missing and what it would give."""
    result: list[NearMiss] = []
    used = {p.id for p, _o in plan.shop} | {o[0].id for o in plan.coupons}
    # Per line, over its units that later layers may touch: the price after the item layer, after the shop
    # layer, and how many (a scope covers whole lines).
    n_lines = len(covered.line_units)
    line_price, line_left, line_open = [0] * n_lines, [0] * n_lines, [0] * n_lines
    for lot in lots:
        if not lot.locked:
            line_price[lot.line] += lot.price * len(lot.units)
            line_left[lot.line] += sum(map(unit_left.__getitem__, lot.units))
            line_open[lot.line] += len(lot.units)
    lines_of = covered.lines_of
    for p in shop:
        q = p.params
        if p.kind not in _THRESHOLD_KINDS or (p.kind == "gift" and (p.id in used or q["threshold"] is None)):
            continue
        amount = sum([line_price[li] for li in lines_of[p.id]])
        if p.kind == "spend_save":
            for threshold, off in q["tiers"]:
                if amount < threshold:
                    result.append(_miss(p, threshold - amount, 0, _("save ¥%(off)s") % {"off": yuan(off)}, _))
                    break
            if q["repeat"] and not q["tiers"]:
                every, off, cap = q["repeat"]
                if cap is None or (amount // every) * off < cap:
                    benefit = _("save ¥%(off)s more") % {"off": yuan(off)}
                    result.append(_miss(p, every - amount % every, 0, benefit, _))
        elif p.kind == "spend_discount":
            for threshold, r in q["tiers"]:
                if amount < threshold:
                    result.append(_miss(p, threshold - amount, 0, _("pay %(rate)s折") % {"rate": _zhe(r)}, _))
                    break
        elif p.kind == "quantity_discount":
            items_n = sum([line_open[li] for li in lines_of[p.id]])
            for n, r in q["tiers"]:
                if items_n < n:
                    result.append(_miss(p, 0, n - items_n, _("pay %(rate)s折") % {"rate": _zhe(r)}, _))
                    break
        elif p.kind == "gift" and amount < q["threshold"]:
            benefit = _("get %(sku)s free") % {"sku": q["gift_sku"]}
            result.append(_miss(p, q["threshold"] - amount, 0, benefit, _))
    for p in coupons:
        if p.id in used:
            continue
        amount = sum([line_left[li] for li in lines_of[p.id]])
        if amount < p.params["min_spend"]:
            benefit = _("use coupon: ¥%(off)s off") % {"off": yuan(p.params["amount"])}
            result.append(_miss(p, p.params["min_spend"] - amount, 0, benefit, _))
    return result


@functools.lru_cache(maxsize=256)
def _zhe(r: int) -> str:
    return f"{(Decimal(r) / 1000).normalize():f}"


def _miss(p: Promotion, missing: int, missing_items: int, benefit: str, _: Callable[[str], str]) -> NearMiss:
    if missing_items:
        message = _("Add %(n)s more items to %(benefit)s") % {"n": missing_items, "benefit": benefit}
    else:
        message = _("Spend ¥%(missing)s more to %(benefit)s") % {"missing": yuan(missing), "benefit": benefit}
    return NearMiss(p.id, p.kind, missing, missing_items, benefit, message)
