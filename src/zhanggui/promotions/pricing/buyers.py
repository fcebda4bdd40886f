"""Who the cart's buyer is, when the cart names them: a hook the members app fills (promotions sits below members
in the layers, so it cannot read members itself).

A quote whose cart says `buyer.id` (a platform buyer's nick, or `member:<id>`) and nothing of the buyer's tier
or lifetime spend is completed by the registered lookups: the member's tier code and lifetime spend net of
refunds, which member prices (会员价) and lifetime discounts read. What the cart says itself always wins, so a
what-if can still price a buyer as it likes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zhanggui.catalog.models import Shop

#: (shop or None, buyer id) → {"tier": code, "past_spend": "123.45"} or None when the buyer is not known.
BuyerLookup = Callable[[Shop | None, str], dict[str, str] | None]
_LOOKUPS: list[BuyerLookup] = []


def register_buyer_lookup(lookup: BuyerLookup) -> BuyerLookup:
    if lookup not in _LOOKUPS:
        _LOOKUPS.append(lookup)
    return lookup


def completed(shop: Shop | None, cart: dict[str, Any]) -> dict[str, Any]:
    """The raw cart with its buyer's tier and lifetime spend filled from the first lookup that knows the buyer,
    unless the cart gives them already."""
    buyer = cart.get("buyer")
    if not isinstance(buyer, dict) or not isinstance(buyer.get("id"), str) or not buyer["id"]:
        return cart
    if "tier" in buyer and "past_spend" in buyer:
        return cart
    for lookup in _LOOKUPS:
        found = lookup(shop, buyer["id"])
        if found is not None:
            return {**cart, "buyer": {**found, **buyer}}
    return cart
