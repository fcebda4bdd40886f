"""Preparing a cart: lines in a canonical order, units and their floors, which promotions cover which lines
(an index by code built once per list of promotions), the lots of the item layer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from zhanggui.promotions.engine.common import order_key
from zhanggui.promotions.engine.coupons import coupon_allowed
from zhanggui.promotions.engine.items import Lot, item_lots
from zhanggui.promotions.engine.shop import Cover
from zhanggui.promotions.spec import COUPON, ITEM, SCOPE_KEYS, SHOP, Cart, CartLine, Kind, Promotion

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
    item_options: dict[tuple, Any] = field(default_factory=dict)  # for item_lots
    running_at: dict[Any, list[bool]] = field(default_factory=dict)  # moment → running flags by position
    layers: list[str] = field(default_factory=list)  # each promotion's layer, by position
    rank: dict[str, int] = field(default_factory=dict)  # promotion id → its place in the engine's order

    def __post_init__(self) -> None:
        self.layers = [p.layer for p in self.promotions]
        self.rank = {p.id: k for k, p in enumerate(sorted(self.promotions, key=order_key))}

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
    found: defaultdict[int, list[int]] = defaultdict(list)
    line_items: list[tuple[list[Promotion], tuple[int, ...]]] = []
    covering = index.covering
    for li, line in enumerate(lines):
        specific, items, item_promotions = covering(line)
        for k in specific:
            found[k].append(li)
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
    layers = index.layers
    for k in sorted(found):
        if running[k]:
            p = ordered[k]
            lines_of[p.id] = found[k]
            by_layer[layers[k]].append(p)
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
class Basket:
    """The cart as the engine works on it: its lines in canonical order, the lots (runs of a line's units that
    get the same item price, with a count: the engine never goes unit by unit), and the running promotions
    that cover some line, by layer (coupons: those the buyer offers and may use)."""

    order: list[int]  # canonical position → position in the cart
    lines: tuple[CartLine, ...]
    lots: list[Lot]
    lot_line: list[int]  # per lot: its line
    lot_low: list[int]  # per lot: the lowest its units may cost in all after every layer, count × min(floor, price)
    items: list[Promotion]
    shop: list[Promotion]
    coupons: list[Promotion]
    covered: Cover
    rank: dict[str, int]  # promotion id → its place where the order of promotions matters (common.order_key)
    everything: int  # every unit, packed


def prepare(cart: Cart, promotions: Sequence[Promotion], notes: list[str], _: Callable[[str], str]) -> Basket:
    """Everything the plan is chosen on; notes say when a flash sale's per-buyer cap limits the cart."""
    order = _canonical(cart.lines)
    lines = tuple(cart.lines[i] for i in order)
    index = _index(promotions)
    line_cover, by_layer, line_items = _lines_covered(index, lines, cart.at)
    items, shop = by_layer[ITEM], by_layer[SHOP]
    coupons = [p for p in by_layer[COUPON] if coupon_allowed(p, cart)]

    # A flash sale's per-buyer allowance: the units it may touch, the most expensive (the best use for the buyer;
    # the lower cart position first among equal prices): the first units of each line, this many.
    allowance: dict[str, dict[int, int]] = {}
    for p in items:
        if p.kind == Kind.FLASH_SALE:
            left = max(0, p.params["per_buyer_cap"] - cart.buyer.flash_bought.get(p.id, 0))
            reached = sorted(line_cover[p.id], key=lambda li: (-lines[li].unit_price, li))
            allowed: dict[int, int] = {}
            wanted = 0
            for li in reached:
                wanted += lines[li].quantity
                take = min(left, lines[li].quantity)
                if take:
                    allowed[li] = take
                    left -= take
            allowance[p.id] = allowed
            if wanted > sum(allowed.values()):
                notes.append(
                    _("%(promo)s: at most %(cap)s units at the flash-sale price for this buyer.")
                    % {"promo": p.id, "cap": p.params["per_buyer_cap"]}
                )
    lots = item_lots(lines, line_items, allowance, cart, index.rank, index.item_options)
    covered = Cover(line_cover, lots, len(lines))
    everything = 0
    lot_line, lot_low = [], []
    for lot in lots:
        everything |= lot.count << lot.shift  # lot.full
        lot_line.append(lot.line)
        floor, list_price = lot.floor, lot.list_price
        lot_low.append((floor if floor < list_price else list_price) * lot.count)
    return Basket(order, lines, lots, lot_line, lot_low, items, shop, coupons, covered, index.rank, everything)
