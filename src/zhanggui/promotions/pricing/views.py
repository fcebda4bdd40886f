"""The what-if page: a saved promotion or the editor's unsaved draft replayed over carts (docs/pricing.md,
"What-if"): the shop's sample carts, carts built on the page from the catalog, a JSON list (advanced), or the
last N days of the shop's orders (a source the orders app registers: whatif.CART_SOURCES).
Every role may ask: nothing is stored.

The cart builder's pieces come from the same URL (`?part=`): `search` (SKUs by code or name, each with an
"add" button), `line` (one SKU as a cart line) and `cart` (a new empty cart), so the page needs no script of
its own and the what-if URLs stay the two they were.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhanggui.catalog.models import Shop
from zhanggui.catalog.selectors import costs_by_sku_code
from zhanggui.core import edges
from zhanggui.core.errors import ValidationFailed
from zhanggui.promotions import spec
from zhanggui.promotions.forms import dumps
from zhanggui.promotions.models import Promotion
from zhanggui.promotions.offers.forms import sample_cart, starter_spec
from zhanggui.promotions.offers.selectors import running_promotions
from zhanggui.promotions.offers.views import promotion_or_404
from zhanggui.promotions.picking import picked_skus, search_skus
from zhanggui.promotions.pricing.forms import BUILT, JSON, ORDERS, SAMPLE, BuiltCart, BuiltLine, WhatIfForm
from zhanggui.promotions.pricing.selectors import DEFAULT_SAMPLE, DEFAULT_SEED, sample_carts
from zhanggui.promotions.pricing.whatif import CART_SOURCES, DEFAULT_DAYS, source_carts, what_if
from zhanggui.promotions.spec import Kind


@login_required
def promotion_what_if(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A saved promotion (GET prefilled) or the editor's unsaved draft (POST) replayed over carts."""
    if request.method == "GET" and request.GET.get("part"):
        return _builder_part(request)
    if pk is None and (picked := _picked_promotion(request)) is not None:
        return redirect("promotions:promotion-what-if", pk=picked)
    promotion = promotion_or_404(pk) if pk is not None else None
    report, error, status, used = None, None, 200, ""
    if request.method == "POST":
        form = WhatIfForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            shop = data["shop"]
            running = running_promotions(shop)
            try:
                draft = spec.parse_promotion(data["spec"], "draft")
                raw_carts, used = _carts(data, shop, running)
                carts = [spec.parse_cart(c) for c in raw_carts]
                report = what_if(
                    draft, carts, running, costs_by_sku_code(shop), shop.pricing_policy if shop else None
                ).as_dict()
            except (ValidationFailed, TypeError, KeyError, AttributeError) as exc:
                error = getattr(exc, "message", None) or _("A cart is not in the format of docs/pricing.md.")
        if report is None:
            status = edges.FORM_ERROR
        built = form.built or [_empty_cart()]
    else:
        shop = promotion.shop if promotion else None
        raw = promotion.spec if promotion else starter_spec(Kind.SPEND_SAVE, sample_cart(shop))
        initial = {
            "shop": shop,
            "spec": dumps(raw),
            "source": SAMPLE,
            "count": DEFAULT_SAMPLE,
            "seed": DEFAULT_SEED,
            "days": DEFAULT_DAYS,
            "carts": dumps(_cart_variants(sample_cart(shop))),
        }
        form = WhatIfForm(initial=initial)
        built = [_empty_cart()]
    # the source the form settled on (the editor's button sends none: JSON), else the one chosen
    source = getattr(form, "cleaned_data", {}).get("source") or form["source"].value() or SAMPLE
    context = {
        "form": form,
        "promotion": promotion,
        "report": report,
        "error": error,
        "used": used,
        "built": built,
        "source": source,
        "orders_source": CART_SOURCES.get(ORDERS),
        "promotions": _promotions_to_try() if promotion is None else [],
    }
    return edges.render_page(request, "promotions/what_if.html", context, status=status)


#: The promotions the standalone page offers to try (the newest first).
PICKER_SIZE = 200


def _promotions_to_try() -> list[Promotion]:
    """The stored promotions a person may replay: drafts and the rest, newest first, with their shop."""
    return list(Promotion.objects.select_related("shop").order_by("-id")[:PICKER_SIZE])


def _picked_promotion(request: HttpRequest) -> int | None:
    """?promotion=<id> on the standalone page: the promotion to open the report of, when it exists."""
    text = request.GET.get("promotion", "")
    if not text.isdigit():
        return None
    return Promotion.objects.filter(pk=int(text)).values_list("pk", flat=True).first()


def _carts(data: dict[str, Any], shop: Shop | None, running: list[spec.Promotion]) -> tuple[list[Any], str]:
    """The carts of the chosen source, and a sentence saying which they are."""
    if data["source"] == ORDERS:
        sourced = source_carts(ORDERS, shop=shop, days=data["days"])
        return sourced.carts, sourced.summary
    if data["source"] in (JSON, BUILT):
        carts, n = data["carts"], len(data["carts"])
        if data["source"] == BUILT:
            return carts, ngettext("%(n)s cart built on the page", "%(n)s carts built on the page", n) % {"n": n}
        return carts, ngettext("%(n)s cart from the JSON list", "%(n)s carts from the JSON list", n) % {"n": n}
    coupons = sorted(code for p in running if p.kind == Kind.COUPON for code in p.params.get("codes", ()))
    carts = sample_carts(shop=shop, count=data["count"], seed=data["seed"], coupons=coupons)
    if not carts:
        raise ValidationFailed(_("There are no SKUs on sale to make sample carts from: choose a shop that has some."))
    where = shop.name if shop else _("every shop")
    return carts, ngettext(
        "%(n)s sample cart from the SKUs on sale of %(shop)s (seed %(seed)s)",
        "%(n)s sample carts from the SKUs on sale of %(shop)s (seed %(seed)s)",
        len(carts),
    ) % {
        "n": len(carts),
        "shop": where,
        "seed": data["seed"],
    }


def _empty_cart() -> BuiltCart:
    return BuiltCart(key=secrets.token_hex(4))


def _builder_part(request: HttpRequest) -> HttpResponse:
    """The cart builder's pieces: SKUs found (`search`), a SKU as a line (`line`), a new cart (`cart`)."""
    part, key = request.GET.get("part"), request.GET.get("cart", "")
    if part == "cart":
        return render(request, "promotions/_whatif_cart.html", {"cart": _empty_cart()})
    if not key.isalnum() or len(key) > 16:
        return HttpResponse(status=400)
    if part == "search":
        shop_id = request.GET.get("shop", "")
        shop = Shop.objects.filter(pk=shop_id).first() if shop_id.isdigit() else None
        found = search_skus(q=request.GET.get("q", ""), shop=shop)
        context = {"found": found, "key": key, "q": request.GET.get("q", "").strip()}
        return render(request, "promotions/_whatif_found.html", context)
    if part == "line":
        sku_id = request.GET.get("sku", "")
        skus = picked_skus(sku_ids=[int(sku_id)]) if sku_id.isdigit() else []
        if not skus:
            return HttpResponse(status=404)
        line = BuiltLine(sku_id=str(skus[0].pk), quantity="1", sku=skus[0])
        return render(request, "promotions/_whatif_line.html", {"line": line, "key": key})
    return HttpResponse(status=400)


def _cart_variants(cart: dict[str, Any]) -> list[dict[str, Any]]:
    """The sample cart with one, two and three of each line: small, middling and large baskets."""
    return [
        {**cart, "lines": [{**line, "quantity": line["quantity"] * n} for line in cart["lines"]]} for n in (1, 2, 3)
    ]


@login_required
def product_prices(request: HttpRequest, pk: int) -> HttpResponse:
    """The product page's "price today" box (loaded into it by htmx): each SKU's running promotions and what a
    buyer pays for one unit now, priced by the engine (pricing/today.py)."""
    from django.shortcuts import get_object_or_404

    from zhanggui.catalog.models import Product, Stacking
    from zhanggui.promotions.pricing.today import prices_today

    product = get_object_or_404(Product.objects.select_related("shop", "category"), pk=pk)
    skus = list(product.skus.select_related("product__category").order_by("code"))
    rows = prices_today(skus, shop=product.shop)
    policy = Stacking(product.shop.pricing_policy).label
    return render(request, "promotions/_prices_today.html", {"product": product, "rows": rows, "policy_label": policy})
