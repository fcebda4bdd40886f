"""`POST /api/v1/pricing/quote`: the pricing engine over HTTP, same JSON as `zhanggui quote`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Body, Router

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.promotions.engine import quote
from zhanggui.promotions.selectors import running_promotions
from zhanggui.promotions.spec import parse_cart, parse_promotions, stacking

router = Router(tags=["pricing"])


@router.post("/quote", response={200: dict[str, Any], **ERRORS})
def quote_cart(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's way to take a JSON body
    """Price `payload["cart"]` against `payload["promotions"]` (formats in docs/pricing.md).

    Without "promotions", the stored promotions running at the cart's `at` (default now) are used: those of
    `payload["shop"]` (a shop code) and those of every shop. The stacking policy is `payload["stacking"]` (or the
    cart's), else the shop's, else the platforms' rule; the answer says which priced it. Every role may ask
    for a quote: it changes nothing. A bad spec answers 422 with the field named; an unknown shop 404.
    """
    cart = parse_cart(payload.get("cart") or {})
    policy = stacking(payload.get("stacking"), "stacking")
    code = payload.get("shop")
    shop = (
        get_or_404(Shop.objects.all(), _("Shop"), code=code if isinstance(code, str) else repr(code)) if code else None
    )
    if "promotions" in payload:
        promotions = parse_promotions(payload["promotions"])
    else:
        promotions = running_promotions(shop=shop, at=cart.at)
    return quote(cart, promotions, policy or (shop.pricing_policy if shop else None)).as_dict()
