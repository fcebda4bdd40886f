"""`POST /api/v1/pricing/quote`: the pricing engine over HTTP, same JSON as `zhanggui quote`."""

from __future__ import annotations

from typing import Any

from ninja import Body, Router

from zhanggui.promotions.engine import quote
from zhanggui.promotions.spec import parse_cart, parse_promotions

router = Router(tags=["pricing"])


@router.post("/quote")
def quote_cart(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's way to take a JSON body
    """Price `payload["cart"]` against `payload["promotions"]` (formats in docs/pricing.md).

    Every role may ask for a quote: it changes nothing. A bad spec answers 422 with the field named.
    """
    result = quote(parse_cart(payload.get("cart") or {}), parse_promotions(payload.get("promotions", [])))
    return result.as_dict()
