"""The what-if page: a saved promotion or the editor's unsaved draft replayed over a list of carts
(docs/pricing.md, "What-if"). Every role may ask: nothing is stored."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from zhanggui.catalog.selectors import costs_by_sku_code
from zhanggui.core import edges
from zhanggui.core.errors import ValidationFailed
from zhanggui.promotions import spec
from zhanggui.promotions.forms import dumps
from zhanggui.promotions.offers.forms import sample_cart, starter_spec
from zhanggui.promotions.offers.selectors import running_promotions
from zhanggui.promotions.offers.views import promotion_or_404
from zhanggui.promotions.pricing.forms import WhatIfForm
from zhanggui.promotions.pricing.whatif import what_if
from zhanggui.promotions.spec import Kind


@login_required
def promotion_what_if(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A saved promotion (GET prefilled) or the editor's unsaved draft (POST) replayed over a list of carts."""
    promotion = promotion_or_404(pk) if pk is not None else None
    report, error, status = None, None, 200
    if request.method == "POST":
        form = WhatIfForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                draft = spec.parse_promotion(data["spec"], "draft")
                carts = [spec.parse_cart(c) for c in data["carts"]]
                shop = data["shop"]
                report = what_if(
                    draft,
                    carts,
                    running_promotions(shop),
                    costs_by_sku_code(shop),
                    shop.pricing_policy if shop else None,
                ).as_dict()
            except (ValidationFailed, TypeError, KeyError, AttributeError) as exc:
                error = getattr(exc, "message", None) or _("A cart is not in the format of docs/pricing.md.")
        if report is None:
            status = edges.FORM_ERROR
    else:
        shop = promotion.shop if promotion else None
        raw = promotion.spec if promotion else starter_spec(Kind.SPEND_SAVE, sample_cart(shop))
        cart = sample_cart(shop)
        form = WhatIfForm(initial={"shop": shop, "spec": dumps(raw), "carts": dumps(_cart_variants(cart))})
    context = {"form": form, "promotion": promotion, "report": report, "error": error}
    return edges.render_page(request, "promotions/what_if.html", context, status=status)


def _cart_variants(cart: dict[str, Any]) -> list[dict[str, Any]]:
    """The sample cart with one, two and three of each line: small, middling and large baskets."""
    return [
        {**cart, "lines": [{**line, "quantity": line["quantity"] * n} for line in cart["lines"]]} for n in (1, 2, 3)
    ]
