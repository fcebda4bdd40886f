"""The order cap (max_discount, max_discount_rate): coupon, then shop discounts are taken back; item discounts
are never trimmed, and the note says what the cap took back and what it could not."""

from __future__ import annotations

from collections.abc import Callable

from zhanggui.promotions.engine.allocation import allocate
from zhanggui.promotions.engine.results import PricedLine
from zhanggui.promotions.spec import COUPON, SHOP, Cart, yuan


def order_cap(cart: Cart, list_total: int) -> int | None:
    """The most the order may be discounted (max_discount, max_discount_rate of the list total), if capped."""
    caps = []
    if cart.max_discount is not None:
        caps.append(cart.max_discount)
    if cart.max_discount_rate is not None:
        caps.append(int(list_total * cart.max_discount_rate))  # rounded down: the cap is never exceeded
    return min(caps) if caps else None


def apply_order_cap(
    cart: Cart, priced: list[PricedLine], applied: dict[str, int], notes: list[str], _: Callable[[str], str]
) -> None:
    """Trim coupon, then shop discounts so the order's total discount stays within the cap.

    Item discounts are never trimmed (they are the unit prices the listing shows); when they alone exceed the
    cap, the note says so, with what was given and what the cap could not take back.
    """
    if cart.max_discount is None and cart.max_discount_rate is None:
        return
    cap = order_cap(cart, sum(line.list_amount for line in priced))
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
