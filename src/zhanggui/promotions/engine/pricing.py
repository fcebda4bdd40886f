"""quote(): prepare the basket, choose the plan, price the lines, allocate shop and coupon discounts, apply
the order cap, list the near misses."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zhanggui.promotions.engine.allocation import place
from zhanggui.promotions.engine.basket import prepare
from zhanggui.promotions.engine.caps import apply_order_cap
from zhanggui.promotions.engine.common import translator
from zhanggui.promotions.engine.coupons import choose_coupons, coupon_units
from zhanggui.promotions.engine.items import Lot, locked_fields
from zhanggui.promotions.engine.near_misses import find_near_misses
from zhanggui.promotions.engine.results import Gift, PricedLine, Quote, Share
from zhanggui.promotions.engine.search import choose, choose_platform
from zhanggui.promotions.spec import COUPON, ITEM, PLATFORM, SHOP, Cart, Promotion, yuan


def quote(cart: Cart, promotions: Sequence[Promotion], stacking: str | None = None) -> Quote:
    """Price the cart. Pure: the same cart and promotions always give the same Quote, whatever the line order.

    `stacking` (spec.STACKING) is the caller's policy (the shop's); the cart's own `stacking` overrides it, and
    without either the platforms' rule applies (PLATFORM).
    """
    policy = cart.stacking or stacking or PLATFORM
    _ = translator()
    notes: list[str] = []
    basket = prepare(cart, promotions, notes, _)
    order, lines, lots = basket.order, basket.lines, basket.lots
    shop, coupons, covered = basket.shop, basket.coupons, basket.covered
    # The lots now hold the prices of the chosen item promotions.
    plan = choose_platform(basket) if policy == PLATFORM else choose(cart, basket)
    item_amounts = [lot.price * lot.count for lot in lots]  # per lot, after the item layer
    locked = locked_fields(lots)

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
            if not lot.steps:  # no item promotion: nothing more to record
                priced.append(PricedLine(line.sku, line.quantity, line.unit_price, unit_prices, []))
                continue
            n = line.quantity
            steps = [(p, amount * n) for p, amount in lot.steps]
        else:  # a flash sale's allowance split it: its lots' prices and item discounts add up
            groups: dict[int, int] = {}
            merged: dict[str, tuple[Promotion, int]] = {}
            for lot in own:
                n = lot.count
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

    lot_left = list(item_amounts)  # what each lot's units still cost, for the floors and the coupon layer
    gifts: list[Gift] = []

    lot_low, lot_line = basket.lot_low, basket.lot_line

    def spread(layer: str, chosen: list[tuple[Promotion, int, dict[int, int]]]) -> None:
        """Place one layer's discounts (allocation.place, in the order given) within each unit's room above its
        floor; each line's shares recorded in id order, and a note for a discount that did not fit."""
        discounts = []
        for _p, total, weights in chosen:
            ids = sorted(weights)
            discounts.append((total, ids, [weights[i] for i in ids]))
        touched = {i for _t, ids, _w in discounts for i in ids}
        rooms = {k: max(0, lot_left[k] - lot_low[k]) for k in touched}
        placed = place(discounts, rooms, lot_line)  # type: ignore[arg-type]
        results = sorted(zip(chosen, discounts, placed, strict=True), key=lambda r: r[0][0].id)
        for (p, total, _weights), (_t, ids, _w), shares in results:
            per_line: dict[int, int] = {}
            for k, share in zip(ids, shares, strict=True):
                lot_left[k] -= share
                li = lot_line[k]
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

    for p, outcome in sorted(plan.shop, key=lambda po: po[0].id):
        if outcome.gift is not None:
            gifts.append(outcome.gift)
            applied.setdefault(p.id, 0)
    # Shop discounts are placed in the engine's order, never by id: where several share units, which goes first
    # decides where the room they leave lies, and so what a coupon scoped to some of those units can still take
    # (the search values plans the same way, Search._after_shop).
    rank = basket.rank
    in_order = sorted(plan.shop, key=lambda po: rank[po[0].id])
    spread(SHOP, [(p, o.discount, o.weights_at()) for p, o in in_order if o.discount])
    # Coupons: recomputed on what the units cost after the shop layer as allocated.
    chosen_coupons = coupon_units(plan.coupons, locked, covered)
    coupon_choice = choose_coupons(chosen_coupons, lot_low, lot_left, lot_line)[1]
    by_id = sorted(coupon_choice, key=lambda use: use.promotion.id)
    spread(COUPON, [(use.promotion, use.discount, {k: lot_left[k] for k in use.lots}) for use in by_id])
    plan.coupons = [use.promotion for use in coupon_choice]
    _note_coupons_lost_to_the_shop_layer(coupons, coupon_choice, locked, covered, item_amounts, lot_left, notes, _)

    apply_order_cap(cart, priced, applied, notes, _)
    if plan.exhausted:
        notes.append(_("Many promotions apply: a good plan is used, not proven the best."))

    near = find_near_misses(lots, covered, shop, coupons, plan, lot_left, _)
    back = [0] * len(order)
    for canonical_index, original_index in enumerate(order):
        back[original_index] = canonical_index
    return Quote(
        lines=[priced[back[i]] for i in range(len(order))],
        gifts=gifts,
        applied={pid: applied[pid] for pid in sorted(applied)},
        near_misses=near,
        notes=notes,
        stacking=policy,
    )


def _note_coupons_lost_to_the_shop_layer(
    coupons, chosen, locked, covered, item_amounts, lot_left, notes: list[str], _: Callable[[str], str]
) -> None:
    """A coupon the buyer offers that the shop activities made unusable: its minimum spend was met after the
    item layer, not after the shop layer (the pitfall sellers know as "设置满减后优惠券用不了")."""
    used = {use.promotion.id for use in chosen}
    for p, idx in coupon_units([p for p in coupons if p.id not in used], locked, covered):
        before = sum(item_amounts[k] for k in idx)
        after = sum(lot_left[k] for k in idx)
        if after < p.params["min_spend"] <= before:
            notes.append(
                _(
                    "%(coupon)s: after the shop discounts the order comes to ¥%(after)s, under the coupon's minimum "
                    "spend of ¥%(min)s, so it cannot be used."
                )
                % {"coupon": p.id, "after": yuan(after), "min": yuan(p.params["min_spend"])}
            )
