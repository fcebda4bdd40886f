"""Forms of the stored-promotion pages (list, editor, preview): they parse what the operator typed (the JSON
spec, the window, a sample cart); the services and the engine decide."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core.errors import ValidationFailed
from zhanggui.promotions.forms import JsonField
from zhanggui.promotions.models import Promotion, PromotionStatus
from zhanggui.promotions.offers import selectors
from zhanggui.promotions.picking import cart_line
from zhanggui.promotions.spec import KINDS, Kind
from zhanggui.promotions.spec import moment as spec_moment

# What the desk calls each kind of docs/pricing.md (a context keeps them apart from other "Discount"s).
KIND_LABELS: dict[str, Promise] = {
    Kind.PRICE_CUT: pgettext_lazy("promotion kind", "Price cut"),
    Kind.DISCOUNT: pgettext_lazy("promotion kind", "Discount"),
    Kind.SPECIAL_PRICE: pgettext_lazy("promotion kind", "Special price"),
    Kind.MEMBER_PRICE: pgettext_lazy("promotion kind", "Member price"),
    Kind.MEMBER_DISCOUNT: pgettext_lazy("promotion kind", "Lifetime member discount"),
    Kind.FLASH_SALE: pgettext_lazy("promotion kind", "Flash sale"),
    Kind.GROUP_BUY: pgettext_lazy("promotion kind", "Group buy"),
    Kind.SPEND_SAVE: pgettext_lazy("promotion kind", "Spend and save"),
    Kind.SPEND_DISCOUNT: pgettext_lazy("promotion kind", "Spend and get a discount"),
    Kind.QUANTITY_DISCOUNT: pgettext_lazy("promotion kind", "Discount by item count"),
    Kind.QUANTITY_SAVE: pgettext_lazy("promotion kind", "Save by item count"),
    Kind.MULTIBUY: pgettext_lazy("promotion kind", "Multibuy"),
    Kind.ANY_N_FOR: pgettext_lazy("promotion kind", "Any N for a set price"),
    Kind.BUNDLE: pgettext_lazy("promotion kind", "Bundle"),
    Kind.GIFT: pgettext_lazy("promotion kind", "Gift with purchase"),
    Kind.COUPON: pgettext_lazy("promotion kind", "Coupon"),
}
assert set(KIND_LABELS) == set(KINDS)  # a new engine kind needs a label here

# The parameters each kind starts with in the editor (docs/pricing.md's examples); SKU stands for a code.
STARTERS: dict[str, dict[str, Any]] = {
    Kind.PRICE_CUT: {"amount": "10.00", "scope": {"skus": ["SKU"]}},
    Kind.DISCOUNT: {"rate": "8.5"},
    Kind.SPECIAL_PRICE: {"price": "59.00", "scope": {"skus": ["SKU"]}},
    Kind.MEMBER_PRICE: {"prices": {"gold": "80.00"}, "rates": {"silver": "9.5"}},
    Kind.MEMBER_DISCOUNT: {"min_past_spend": "5000.00", "rate": "9"},
    Kind.FLASH_SALE: {
        "price": "9.90",
        "per_buyer_cap": 2,
        "stock_cap": 100,
        "scope": {"skus": ["SKU"]},
        "exclusive": True,
    },
    Kind.GROUP_BUY: {"price": "39.00", "min_buyers": 3, "joined": 0, "scope": {"skus": ["SKU"]}},
    Kind.SPEND_SAVE: {"tiers": [["300", "30"]]},
    Kind.SPEND_DISCOUNT: {"tiers": [["300", "9"]]},
    Kind.QUANTITY_DISCOUNT: {"tiers": [[2, "9"], [3, "8"]]},
    Kind.QUANTITY_SAVE: {"tiers": [[2, "10.00"], [3, "20.00"]]},
    Kind.MULTIBUY: {"nth": 2, "rate": "5"},
    Kind.ANY_N_FOR: {"n": 3, "price": "99.00"},
    Kind.BUNDLE: {"items": [{"sku": "SKU", "quantity": 1}, {"sku": "SKU", "quantity": 1}], "price": "199.00"},
    Kind.GIFT: {"threshold": "199.00", "gift_sku": "SKU", "gift_quantity": 1, "gift_stock": 100},
    Kind.COUPON: {"amount": "20.00", "min_spend": "199.00", "codes": ["SHOP20"], "per_buyer_limit": 1},
}

# A cart to preview with when the catalog has no SKUs yet: ¥317 list, just over a 满300 threshold.
FALLBACK_CART = {
    "lines": [
        {"sku": "SAMPLE-A", "quantity": 2, "unit_price": "129.00"},
        {"sku": "SAMPLE-B", "quantity": 1, "unit_price": "59.00"},
    ]
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def sample_cart(shop: Shop | None) -> dict[str, Any]:
    """Two SKUs of the shop (or of any shop) from the catalog, one of each; the fixed example without SKUs."""
    skus = Sku.objects.select_related("product__category").order_by("-price", "code")
    if shop is not None:
        skus = skus.filter(shop=shop)
    picked = list(skus[:2])
    if not picked:
        return FALLBACK_CART
    return {"lines": [cart_line(s, 1) for s in picked]}


def starter_spec(kind: str, cart: dict[str, Any]) -> dict[str, Any]:
    """A spec of `kind` that parses as it is: a week from tomorrow 00:00, SKU codes taken from the sample cart."""
    kind = Kind(kind) if kind in STARTERS else Kind.SPEND_SAVE
    codes = [line["sku"] for line in cart["lines"]] or ["SKU"]
    params = json.loads(json.dumps(STARTERS[kind]))
    if "scope" in params:
        params["scope"]["skus"] = codes[:1]
    if kind == Kind.BUNDLE:
        params["items"] = [{"sku": code, "quantity": 1} for code in (codes * 2)[:2]]
        if params["items"][0]["sku"] == params["items"][1]["sku"]:
            params["items"] = [{"sku": codes[0], "quantity": 2}, {"sku": "SKU-2", "quantity": 1}]
    if kind == Kind.GIFT:
        params["gift_sku"] = codes[-1]
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    today = timezone.localdate().strftime("%m%d")
    return {
        "id": f"{kind.replace('_', '-')}-{today}",
        "kind": kind,
        "name": str(KIND_LABELS[kind]),
        **params,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=7)).isoformat(),
    }


def shop_field(**kwargs: Any) -> forms.ModelChoiceField:
    """A shop to choose, or none: every shop."""
    field = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False, **kwargs)
    field.empty_label = _("Every shop")
    return field


class PromotionFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Code or name"), "type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *PromotionStatus.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *KIND_LABELS.items()], required=False)
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("All shops")

    def promotions(self) -> QuerySet[Promotion]:
        """The filtered promotions; a value that does not parse is ignored, never an error page."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        rows = selectors.promotions(shop=data.get("shop"), status=data.get("status") or None, kind=data.get("kind"))
        query = (data.get("q") or "").strip()
        if query:
            rows = rows.filter(Q(code__icontains=query) | Q(name__icontains=query))
        return rows


WINDOW_KEYS = ("starts_at", "ends_at")


class LocalDateTimeInput(forms.DateTimeInput):
    """A datetime-local input in the desk's time zone (settings.TIME_ZONE): to the minute, or to the second when
    the value has seconds (23:59:59), so that saving an untouched promotion never moves its window."""

    input_type = "datetime-local"

    def format_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return value.strftime("%Y-%m-%dT%H:%M:%S" if value.second else "%Y-%m-%dT%H:%M")
        return super().format_value(value)  # the text as typed, when the form comes back with an error

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if len(str(context["widget"]["value"] or "")) > len("2026-11-11T20:00"):
            context["widget"]["attrs"]["step"] = "1"
        return context


def _window_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=LocalDateTimeInput(),
        error_messages={"invalid": _("Enter a date and time, such as 2026-11-11 20:00.")},
    )


def local_moment(value: Any) -> datetime | None:
    """A spec's starts_at/ends_at as an aware datetime, or None when it is missing or does not parse."""
    try:
        return spec_moment(value, "window")
    except ValidationFailed:
        return None


class WindowForm(forms.Form):
    """The promotion's window as two date-time fields in the desk's time zone; when given, they replace the
    spec's starts_at/ends_at (the spec keeps them only as the services' copy). Empty: the spec's own apply."""

    starts_at = _window_field(_("Starts at"))
    ends_at = _window_field(_("Ends at"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        raw = data.get("spec")
        if isinstance(raw, dict):
            starts_at = starts_at or local_moment(raw.get("starts_at"))
            ends_at = ends_at or local_moment(raw.get("ends_at"))
        if starts_at and ends_at and ends_at <= starts_at and "ends_at" not in self.errors:
            self.add_error("ends_at", _("The end must be after the start."))
        if isinstance(raw, dict):
            window = {k: timezone.localtime(data[k]).isoformat() for k in WINDOW_KEYS if data.get(k)}
            data["spec"] = {**raw, **window}
        return data


class PromotionForm(WindowForm):
    """The editor: a shop, the window and the spec as JSON; the cart is only for the preview, never stored."""

    shop = shop_field(help_text=_("Empty: the promotion runs in every shop."))
    spec = JsonField(
        label=_("Promotion (JSON, docs/pricing.md)"),
        expect=dict,
        help_text=_("Its id is the promotion's code. The window is set by Starts at and Ends at."),
    )
    cart = JsonField(label=_("Sample cart (JSON)"), expect=dict, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        raw = data.get("spec")
        if isinstance(raw, dict):
            for key, message in (
                ("starts_at", _("Enter when the promotion starts.")),
                ("ends_at", _("Enter when the promotion ends.")),
            ):
                if not raw.get(key) and key not in self.errors:
                    self.add_error(key, message)
        return data


class PreviewForm(WindowForm):
    """What the preview reads from the editor; errors are shown in the preview, never raised as a page."""

    shop = forms.ModelChoiceField(queryset=Shop.objects.all(), required=False)
    spec = JsonField(expect=dict)
    cart = JsonField(expect=dict)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
