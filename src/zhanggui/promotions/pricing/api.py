"""Pricing endpoints under /api/v1/pricing, the same JSON as the CLI (docs/pricing.md):
`POST /quote` prices a cart (`zhanggui quote`), `POST /what-if` replays a draft promotion over carts or over
the last N days of a shop's orders (`zhanggui whatif`). Every role may ask: neither changes anything.

The operation ids are the ones first published, when the two endpoints lived in promotions/pricing_api.py and
promotions/whatif_api.py: clients generated from the schema keep their names.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Body, Router

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.catalog.selectors import costs_by_sku_code
from zhanggui.core.errors import NotFoundError, ValidationFailed
from zhanggui.promotions.engine import quote
from zhanggui.promotions.offers.selectors import running_promotions
from zhanggui.promotions.pricing import buyers
from zhanggui.promotions.pricing.whatif import MAX_DAYS, ORDERS, source_carts, what_if
from zhanggui.promotions.spec import parse_cart, parse_promotion, parse_promotions, stacking

router = Router(tags=["pricing"])
MAX_CARTS = 5_000  # carts in one what-if request


@router.post(
    "/what-if", response={200: dict[str, Any], **ERRORS}, operation_id="zhanggui_promotions_whatif_api_what_if_report"
)
def what_if_report(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's way to take a JSON body
    """Replay payload["draft"] over payload["carts"] (or, with payload["orders_days"] = N, the carts of the last N
    days of payload["shop"]'s orders) on top of payload["promotions"]; costs and the stacking policy from
    payload["shop"] (payload["stacking"] overrides the policy). With orders, the answer's "orders" says how many
    were replayed and what was left out and why."""
    carts, days = payload.get("carts"), payload.get("orders_days")
    if days is not None and carts is not None:
        raise ValidationFailed(_("carts or orders_days, not both"))
    if days is None:
        if not isinstance(carts, list) or not carts:
            raise ValidationFailed(_("carts: a non-empty list of carts"))
        if len(carts) > MAX_CARTS:
            raise ValidationFailed(_("carts: at most %(n)s carts in one request") % {"n": MAX_CARTS})
    elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(_("orders_days: a whole number from 1 to %(max)s") % {"max": MAX_DAYS})
    elif not payload.get("shop"):
        raise ValidationFailed(_("shop: the code of the shop whose orders to replay"))
    draft = parse_promotion(payload.get("draft") or {}, "draft")
    running = parse_promotions(payload.get("promotions", []))
    parsed = [parse_cart(c) for c in carts] if days is None else []
    policy = stacking(payload.get("stacking"), "stacking")
    costs, shop = None, None
    if payload.get("shop"):
        code = payload["shop"]
        shop = Shop.objects.filter(code=code).first() if isinstance(code, str) else None
        if shop is None:
            raise NotFoundError(_("No shop with code %(code)s.") % {"code": code})
        costs = costs_by_sku_code(shop)
        policy = policy or shop.pricing_policy
    if days is None:
        return what_if(draft, parsed, running, costs, policy).as_dict()
    sourced = source_carts(ORDERS, shop=shop, days=days)
    report = what_if(draft, [parse_cart(c) for c in sourced.carts], running, costs, policy).as_dict()
    return {**report, ORDERS: sourced.facts}


@router.post(
    "/quote", response={200: dict[str, Any], **ERRORS}, operation_id="zhanggui_promotions_pricing_api_quote_cart"
)
def quote_cart(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's way to take a JSON body
    """Price `payload["cart"]` against `payload["promotions"]` (formats in docs/pricing.md).

    Without "promotions", the stored promotions running at the cart's `at` (default now) are used: those of
    `payload["shop"]` (a shop code) and those of every shop. The stacking policy is `payload["stacking"]` (or the
    cart's), else the shop's, else the platforms' rule; the answer says which priced it. Every role may ask
    for a quote: it changes nothing. A bad spec answers 422 with the field named; an unknown shop 404. A cart
    whose `buyer.id` names a known member (a platform nick, or `member:<id>`) and says nothing of the buyer's tier
    or lifetime spend is priced with the member's.
    """
    policy = stacking(payload.get("stacking"), "stacking")
    code = payload.get("shop")
    shop = (
        get_or_404(Shop.objects.all(), _("Shop"), code=code if isinstance(code, str) else repr(code)) if code else None
    )
    raw = payload.get("cart") or {}
    # A buyer named by id gets the member's tier and lifetime spend (pricing/buyers.py, filled by members).
    cart = parse_cart(buyers.completed(shop, raw) if isinstance(raw, dict) else raw)
    if "promotions" in payload:
        promotions = parse_promotions(payload["promotions"])
    else:
        promotions = running_promotions(shop=shop, at=cart.at)
    return quote(cart, promotions, policy or (shop.pricing_policy if shop else None)).as_dict()
