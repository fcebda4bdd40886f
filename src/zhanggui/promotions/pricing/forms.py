"""The what-if form: a draft promotion (the editor's window fields included) and the carts to replay it over."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.promotions.forms import JsonField
from zhanggui.promotions.offers.forms import WindowForm, shop_field


class WhatIfForm(WindowForm):
    shop = shop_field(help_text=_("Running promotions and SKU costs are taken from this shop."))
    spec = JsonField(label=_("Draft promotion (JSON)"), expect=dict)
    carts = JsonField(
        label=_("Carts (a JSON list of carts)"),
        expect=list,
        required=False,
        help_text=_("Empty: the sample cart from the editor."),
    )
    cart = JsonField(expect=dict, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("carts") and data.get("cart"):
            data["carts"] = [data["cart"]]
        if "carts" in data and not data.get("carts"):
            self.add_error("carts", _("Give at least one cart."))
        return data
