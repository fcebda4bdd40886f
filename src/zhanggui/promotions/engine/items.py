"""The item layer (单品宝, 秒杀, 会员价): units grouped into lots that get the same item price, and what
each set of item promotions makes them cost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zhanggui.promotions.engine.common import times
from zhanggui.promotions.spec import Cart, CartLine, Kind, Promotion

# ------------------------------------------------------------------------------------------------------------
# Units, lots and the item layer
# ------------------------------------------------------------------------------------------------------------


class Lot:
    """Units of one line that the same item promotions may touch: they always get the same item price, so every
    layer treats them as one run of equal units, a count, never unit by unit (a line is one lot, or two or three
    when a flash sale's allowance covers part of it). The cost of a quote grows with lots, not units.

    In the search a set of units is a packed integer: each lot has a bit field (`shift`, `field`) holding how many
    of its units are in the set. A plain slotted class: a quote makes one or two a line."""

    __slots__ = (
        "count",
        "field",
        "first",
        "floor",
        "index",
        "line",
        "list_price",
        "locked",
        "options",
        "price",
        "shift",
        "sku",
        "stack",
        "steps",
    )

    def __init__(
        self,
        count: int,
        list_price: int,
        floor: int,
        options: list[tuple[Promotion, int]],
        stack: list[Promotion],
        line: int = 0,
        first: int = 0,
        sku: str = "",
        price: int = 0,
        steps: list[tuple[Promotion, int]] | None = None,
        locked: bool = False,
    ):
        self.count = count  # how many units
        self.list_price = list_price
        self.floor = floor
        self.options = options  # non-stackable item promotions that apply, with the price each gives
        self.stack = stack  # stackable ones, in the engine's order (common.order_key)
        self.line = line  # index of its line
        self.first = first  # the cart position of its first unit (ties between equal prices: the lower first)
        self.sku = sku  # its line's SKU
        self.index = 0  # its place among the basket's lots
        self.shift = 0  # where its bit field starts in a packed set of units
        self.field = 0  # its bit field, all ones
        self.price = price  # unit price after the enabled item promotions
        self.steps: list[tuple[Promotion, int]] = [] if steps is None else steps  # each one's cut of that, in order
        self.locked = locked  # an exclusive promotion is among the steps

    @property
    def full(self) -> int:
        """All its units, packed."""
        return self.count << self.shift

    def taken(self, packed: int) -> int:
        """How many of its units the packed set holds."""
        return (packed & self.field) >> self.shift


def _apply_item(p: Promotion, price: int, cart: Cart) -> int | None:
    """The unit price under one item promotion, or None when it does not apply to this buyer."""
    q = p.params
    kind = p.kind
    if kind == Kind.PRICE_CUT:
        return max(0, price - q["amount"])
    if kind == Kind.DISCOUNT:
        return times(price, q["rate"])
    if kind in (Kind.SPECIAL_PRICE, Kind.FLASH_SALE):
        return min(price, q["price"])
    if kind == Kind.GROUP_BUY:
        return min(price, q["price"]) if q["joined"] >= q["min_buyers"] else None
    if kind == Kind.MEMBER_PRICE:
        tier = cart.buyer.tier
        if tier in q["prices"]:
            return min(price, q["prices"][tier])
        if tier in q["rates"]:
            return times(price, q["rates"][tier])
        return None
    if kind == Kind.MEMBER_DISCOUNT:
        return times(price, q["rate"]) if cart.buyer.past_spend >= q["min_past_spend"] else None
    raise AssertionError(kind)


def item_lots(
    lines: Sequence[CartLine],
    line_items: list[tuple[list[Promotion], tuple[int, ...]]],
    allowance: dict[str, dict[int, int]],
    cart: Cart,
    rank: dict[str, int],
    known: dict[tuple, Any] | None = None,
) -> list[Lot]:
    """Once a quote: split each line into lots by the item promotions that may touch its units (the line's, less
    the flash sales whose per-buyer allowance does not reach the unit: a flash sale allows the first units of
    each line it reaches, `allowance[promotion][line]` of them), and per lot list each non-stackable promotion
    that applies with the price it gives, and the stackable ones in the engine's order (`rank`,
    common.order_key: rates before amounts, never by id); and price each lot with all of them on, where the
    plan starts. `known` remembers those lists and that price between quotes, by all they depend on: the
    buyer, the price and floor, and the promotions (each line's come with a key naming them). The lots get
    their bit fields for packed sets of units."""
    known = {} if known is None else known
    buyer = (cart.buyer.tier, cart.buyer.past_spend)
    lots: list[Lot] = []
    first = 0
    for li, (line, (promos, promos_key)) in enumerate(zip(lines, line_items, strict=True)):
        list_price, floor, quantity = line.unit_price, line.floor or 0, line.quantity
        if not promos:
            lots.append(Lot(quantity, list_price, floor, [], [], li, first, line.sku, list_price))
            first += quantity
            continue
        # Runs of the line's units with the same flash sales left out: split where an allowance ends.
        flash = [p for p in promos if p.id in allowance] if allowance else None
        if not flash:  # the usual line: one run
            runs: Any = ((0, quantity, ()),)
        else:
            cuts = {quantity}
            for p in flash:
                n = allowance[p.id].get(li, 0)
                if 0 < n < quantity:
                    cuts.add(n)
            runs, start = [], 0
            for end in sorted(cuts):
                runs.append((start, end, tuple(p.id for p in flash if allowance[p.id].get(li, 0) <= start)))
                start = end
        for start, end, left_out in runs:
            key = (buyer, list_price, floor, promos_key, left_out)
            found = known.get(key)
            if found is None:
                found = _priced_options(promos, left_out, list_price, floor, cart, rank)
                if len(known) >= 100_000:
                    known.clear()
                known[key] = found
            options, stack, price, steps, locked = found
            lots.append(
                Lot(end - start, list_price, floor, options, stack, li, first + start, line.sku, price, steps, locked)
            )
        first += quantity
    shift = 0
    for k, lot in enumerate(lots):
        width = lot.count.bit_length()
        lot.index, lot.shift, lot.field = k, shift, ((1 << width) - 1) << shift
        shift += width
    return lots


def _priced_options(
    promos: list[Promotion], left_out: tuple[str, ...], list_price: int, floor: int, cart: Cart, rank: dict[str, int]
) -> tuple[list[tuple[Promotion, int]], list[Promotion], int, list[tuple[Promotion, int]], bool]:
    """A run's item promotions (those not `left_out`): the non-stackable ones that apply with the price each
    gives, the stackable ones in the engine's order; and its price with all of them on, each one's cut of it,
    and whether an exclusive one is among them."""
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
    stack.sort(key=lambda p: rank[p.id])
    price, steps = _lot_price(Lot(0, list_price, floor, options, stack), None, cart)
    return options, stack, price, steps, any(p.exclusive for p, _a in steps)


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


def price_lots(lots: list[Lot], enabled: Sequence[Promotion], cart: Cart) -> int:
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
        saving += (lot.list_price - price) * lot.count
    return saving


def lost_without(p: Promotion, lots: list[Lot], items: list[Promotion], cart: Cart) -> int:
    """What the item layer saves less without p, the lots priced with all `items` (they stay so)."""
    on = {q.id for q in items if q is not p}
    lost = 0
    for lot in lots:
        if any(q is p for q, _x in lot.options) or any(q is p for q in lot.stack):
            lost += (_lot_price(lot, on, cart)[0] - lot.price) * lot.count
    return lost


def locked_fields(lots: list[Lot]) -> int:
    """The bit fields of the lots an exclusive item promotion keeps out of later layers."""
    locked = 0
    for lot in lots:
        if lot.locked:
            locked |= lot.field
    return locked
