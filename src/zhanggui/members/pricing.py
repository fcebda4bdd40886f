"""A member's quote: the pricing engine already prices by `cart.buyer.tier` (member_price) and
`cart.buyer.past_spend` (member_discount, 累计消费终身折扣); this fills both from the member, so the engine needs
no notion of members and a quote for a member is priced right."""

from __future__ import annotations

from typing import Any

from zhanggui.catalog.models import Shop
from zhanggui.members import selectors
from zhanggui.members.models import Member, MemberIdentity
from zhanggui.promotions.engine import quote
from zhanggui.promotions.offers.selectors import running_promotions
from zhanggui.promotions.spec import parse_cart, parse_promotions


def buyer_of(member: Member) -> dict[str, Any]:
    """The cart's buyer for the person: their tier's code and lifetime spend net of refunds (yuan, to the fen)."""
    root = Member.objects.select_related("tier").get(pk=selectors.roots_of([member.pk])[member.pk])
    return {"id": f"member:{root.pk}", "tier": root.tier.code if root.tier else "", "past_spend": f"{root.spend:.2f}"}


def quote_for_member(
    *, member: Member, cart: dict[str, Any], shop: Shop | None, promotions: list[Any] | None = None
) -> dict[str, Any]:
    """Price `cart` (docs/pricing.md's format) for the member against `promotions` (specs), else the promotions
    running in the shop; what the cart says of its buyer's tier and spend is replaced by the member's."""
    buyer = {**(cart.get("buyer") or {}), **buyer_of(member)}
    parsed = parse_cart({**cart, "buyer": buyer})
    running = parse_promotions(promotions) if promotions is not None else running_promotions(shop=shop, at=parsed.at)
    return {"buyer": buyer, **quote(parsed, running, shop.pricing_policy if shop else None).as_dict()}


def lookup_buyer(shop: Shop | None, buyer_id: str) -> dict[str, str] | None:
    """The pricing hook (promotions/pricing/buyers.py): a cart's buyer named `member:<id>` or by a platform nick
    (the shop's own buyer first when the nick is on several platforms) → the member's tier and lifetime spend."""
    member: Member | None = None
    if buyer_id.startswith("member:") and buyer_id[7:].isdigit():
        member = Member.objects.filter(pk=int(buyer_id[7:])).first()
    else:
        identities = MemberIdentity.objects.filter(buyer_nick=buyer_id).select_related("member")
        found = sorted(identities, key=lambda i: (shop is None or i.shop_id != shop.pk, i.pk))
        member = found[0].member if found else None
    if member is None:
        return None
    buyer = buyer_of(member)
    return {"tier": buyer["tier"], "past_spend": buyer["past_spend"]}
