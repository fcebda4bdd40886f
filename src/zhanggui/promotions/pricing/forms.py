"""The what-if form: a draft promotion (the editor's window fields included) and where its carts come from:
the shop's sample carts, carts built on the page from the catalog, a JSON list of carts (advanced), or the last N
days of the shop's orders when the orders app has registered that source (whatif.CART_SOURCES)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Sku
from zhanggui.promotions.forms import JsonField
from zhanggui.promotions.offers.forms import WindowForm, shop_field
from zhanggui.promotions.picking import cart_line
from zhanggui.promotions.pricing.selectors import DEFAULT_SAMPLE, DEFAULT_SEED, MAX_SAMPLE
from zhanggui.promotions.pricing.whatif import CART_SOURCES, DEFAULT_DAYS, MAX_DAYS, ORDERS
from zhanggui.promotions.spec import MAX_COUNT, MAX_LINES

SAMPLE, BUILT, JSON = "sample", "built", "json"  # and ORDERS, when registered
SOURCES = [
    (SAMPLE, _("The shop's sample carts")),
    (BUILT, _("Carts I build from the catalog")),
    (JSON, _("A JSON list of carts")),
]
KEY = re.compile(r"^[A-Za-z0-9]{1,16}$")  # a built cart's key: the names of its inputs are made from it
MAX_BUILT = 50  # carts built by hand on one page


@dataclass
class BuiltLine:
    sku_id: str
    quantity: str
    sku: Sku | None = None
    error: str = ""


@dataclass
class BuiltCart:
    """A cart as built on the page: its lines as typed (kept when the form comes back with errors)."""

    key: str
    coupon: str = ""
    lines: list[BuiltLine] = field(default_factory=list)

    def as_cart(self) -> dict[str, Any]:
        cart: dict[str, Any] = {"lines": [cart_line(line.sku, int(line.quantity)) for line in self.lines if line.sku]}
        if self.coupon:
            cart["coupons"] = [self.coupon]
        return cart


def built_carts(data: Any) -> list[BuiltCart]:
    """The carts built on the page (a QueryDict), in the page's order: `bc` names each cart's key, `bc-<key>-sku` and
    `bc-<key>-qty` are its lines (always sent together), `bc-<key>-coupon` the code it brings. One query for
    the SKUs; a line whose SKU is gone or whose quantity is not a whole number carries its error."""
    carts: list[BuiltCart] = []
    for key in dict.fromkeys(data.getlist("bc")):  # a key once, in order
        if not KEY.match(key):
            continue
        skus, quantities = data.getlist(f"bc-{key}-sku"), data.getlist(f"bc-{key}-qty")
        lines = [BuiltLine(str(s or "").strip(), str(q or "").strip()) for s, q in zip_longest(skus, quantities)]
        carts.append(BuiltCart(key, str(data.get(f"bc-{key}-coupon", "")).strip(), lines))
    ids = {int(line.sku_id) for cart in carts for line in cart.lines if line.sku_id.isdigit()}
    found = Sku.objects.select_related("shop", "product__category").in_bulk(ids) if ids else {}
    for cart in carts:
        for line in cart.lines:
            line.sku = found.get(int(line.sku_id)) if line.sku_id.isdigit() else None
            if line.sku is None:
                line.error = str(_("This SKU is not in the catalog any more: remove the line."))
            elif not line.quantity.isdigit() or not 1 <= int(line.quantity) <= MAX_COUNT:
                line.error = str(_("Quantity: a whole number from 1 to %(max)s.") % {"max": MAX_COUNT})
    return carts


class WhatIfForm(WindowForm):
    shop = shop_field(help_text=_("Running promotions, sample carts and SKU costs are taken from this shop."))
    spec = JsonField(label=_("Draft promotion (JSON)"), expect=dict)
    source = forms.ChoiceField(label=_("Carts"), choices=SOURCES, required=False, widget=forms.RadioSelect)
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=MAX_SAMPLE, required=False)
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=999_999,
        required=False,
        help_text=_("The same seed gives the same carts: change it to draw others."),
    )
    carts = JsonField(
        label=_("Carts (a JSON list of carts)"),
        expect=list,
        required=False,
        help_text=_('Format: docs/pricing.md, "The cart".'),
    )
    cart = JsonField(expect=dict, required=False, widget=forms.HiddenInput)
    days = forms.IntegerField(label=_("N (days, today included)"), min_value=1, max_value=MAX_DAYS, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.built = built_carts(self.data) if self.is_bound else []
        if ORDERS in CART_SOURCES:  # registered by the orders app, which promotions may not import
            self.fields["source"].choices = [*SOURCES, (ORDERS, CART_SOURCES[ORDERS].label)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        source = data.get("source")
        if not source:  # the editor's button and older clients send JSON only
            source = JSON if (data.get("carts") or data.get("cart")) else SAMPLE
        data["source"] = source
        data["count"] = data.get("count") or DEFAULT_SAMPLE
        data["seed"] = DEFAULT_SEED if data.get("seed") is None else data["seed"]
        if source == JSON:
            if not data.get("carts") and data.get("cart"):
                data["carts"] = [data["cart"]]
            if "carts" in data and not data.get("carts"):
                self.add_error("carts", _("Give at least one cart."))
        elif source == BUILT:
            self._clean_built(data)
        elif source == ORDERS:
            data["days"] = data.get("days") or DEFAULT_DAYS
            if not data.get("shop") and "shop" not in self.errors:
                self.add_error("shop", _("Choose the shop whose orders to replay."))
        return data

    def _clean_built(self, data: dict[str, Any]) -> None:
        if len(self.built) > MAX_BUILT:
            self.add_error(None, _("At most %(max)s carts built on the page.") % {"max": MAX_BUILT})
        elif any(len(cart.lines) > MAX_LINES for cart in self.built):
            self.add_error(None, _("At most %(max)s lines in one cart.") % {"max": MAX_LINES})
        elif any(line.error for cart in self.built for line in cart.lines):
            self.add_error(None, _("Some lines of the carts cannot be priced: see the marked lines."))
        elif not any(cart.lines for cart in self.built):
            self.add_error(None, _("Pick at least one SKU into a cart."))
        else:
            data["carts"] = [cart.as_cart() for cart in self.built if cart.lines]
