"""`POST /api/v1/pricing/what-if`: the what-if report over HTTP (same JSON as `zhanggui whatif`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Body, Router

from zhanggui.catalog.api import ERRORS
from zhanggui.catalog.models import Shop
from zhanggui.catalog.selectors import costs_by_sku_code
from zhanggui.core.errors import NotFoundError, ValidationFailed
from zhanggui.promotions.spec import parse_cart, parse_promotion, parse_promotions, stacking
from zhanggui.promotions.whatif import what_if

router = Router(tags=["pricing"])
MAX_CARTS = 5_000


@router.post("", response={200: dict[str, Any], **ERRORS})
def what_if_report(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 - ninja's way to take a JSON body
    """Replay payload["draft"] over payload["carts"] on top of payload["promotions"]; costs and the stacking policy
    from payload["shop"] (payload["stacking"] overrides the policy)."""
    carts = payload.get("carts")
    if not isinstance(carts, list) or not carts:
        raise ValidationFailed(_("carts: a non-empty list of carts"))
    if len(carts) > MAX_CARTS:
        raise ValidationFailed(_("carts: at most %(n)s carts in one request") % {"n": MAX_CARTS})
    draft = parse_promotion(payload.get("draft") or {}, "draft")
    running = parse_promotions(payload.get("promotions", []))
    parsed = [parse_cart(c) for c in carts]
    policy = stacking(payload.get("stacking"), "stacking")
    costs = None
    if payload.get("shop"):
        code = payload["shop"]
        shop = Shop.objects.filter(code=code).first() if isinstance(code, str) else None
        if shop is None:
            raise NotFoundError(_("No shop with code %(code)s.") % {"code": code})
        costs = costs_by_sku_code(shop)
        policy = policy or shop.pricing_policy
    return what_if(draft, parsed, running, costs, policy).as_dict()
