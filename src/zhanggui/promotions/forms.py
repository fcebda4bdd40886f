"""Forms of the promotion pages: they parse what the operator typed (JSON specs, carts, offer lines); the
services, the engine and the eligibility checker decide."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core.errors import ValidationFailed
from zhanggui.promotions import selectors
from zhanggui.promotions.eligibility import Campaign, CampaignSpecError, Offer, parse_campaign, parse_offer
from zhanggui.promotions.eligibility_presets import PRESETS, preset
from zhanggui.promotions.models import Promotion, PromotionStatus
from zhanggui.promotions.spec import KINDS
from zhanggui.promotions.spec import moment as spec_moment

# What the desk calls each kind of docs/pricing.md (a context keeps them apart from other "Discount"s).
KIND_LABELS = {
    "price_cut": pgettext_lazy("promotion kind", "Price cut"),
    "discount": pgettext_lazy("promotion kind", "Discount"),
    "special_price": pgettext_lazy("promotion kind", "Special price"),
    "member_price": pgettext_lazy("promotion kind", "Member price"),
    "member_discount": pgettext_lazy("promotion kind", "Lifetime member discount"),
    "flash_sale": pgettext_lazy("promotion kind", "Flash sale"),
    "group_buy": pgettext_lazy("promotion kind", "Group buy"),
    "spend_save": pgettext_lazy("promotion kind", "Spend and save"),
    "spend_discount": pgettext_lazy("promotion kind", "Spend and get a discount"),
    "quantity_discount": pgettext_lazy("promotion kind", "Discount by item count"),
    "quantity_save": pgettext_lazy("promotion kind", "Save by item count"),
    "multibuy": pgettext_lazy("promotion kind", "Multibuy"),
    "any_n_for": pgettext_lazy("promotion kind", "Any N for a set price"),
    "bundle": pgettext_lazy("promotion kind", "Bundle"),
    "gift": pgettext_lazy("promotion kind", "Gift with purchase"),
    "coupon": pgettext_lazy("promotion kind", "Coupon"),
}
assert set(KIND_LABELS) == set(KINDS)  # a new engine kind needs a label here

# The parameters each kind starts with in the editor (docs/pricing.md's examples); SKU stands for a code.
STARTERS: dict[str, dict[str, Any]] = {
    "price_cut": {"amount": "10.00", "scope": {"skus": ["SKU"]}},
    "discount": {"rate": "8.5"},
    "special_price": {"price": "59.00", "scope": {"skus": ["SKU"]}},
    "member_price": {"prices": {"gold": "80.00"}, "rates": {"silver": "9.5"}},
    "member_discount": {"min_past_spend": "5000.00", "rate": "9"},
    "flash_sale": {
        "price": "9.90",
        "per_buyer_cap": 2,
        "stock_cap": 100,
        "scope": {"skus": ["SKU"]},
        "exclusive": True,
    },
    "group_buy": {"price": "39.00", "min_buyers": 3, "joined": 0, "scope": {"skus": ["SKU"]}},
    "spend_save": {"tiers": [["300", "30"]]},
    "spend_discount": {"tiers": [["300", "9"]]},
    "quantity_discount": {"tiers": [[2, "9"], [3, "8"]]},
    "quantity_save": {"tiers": [[2, "10.00"], [3, "20.00"]]},
    "multibuy": {"nth": 2, "rate": "5"},
    "any_n_for": {"n": 3, "price": "99.00"},
    "bundle": {"items": [{"sku": "SKU", "quantity": 1}, {"sku": "SKU", "quantity": 1}], "price": "199.00"},
    "gift": {"threshold": "199.00", "gift_sku": "SKU", "gift_quantity": 1, "gift_stock": 100},
    "coupon": {"amount": "20.00", "min_spend": "199.00", "codes": ["SHOP20"], "per_buyer_limit": 1},
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


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def sample_cart(shop: Shop | None) -> dict[str, Any]:
    """Two SKUs of the shop (or of any shop) from the catalog, one of each; the fixed example without SKUs."""
    skus = Sku.objects.select_related("product__category").order_by("-price", "code")
    if shop is not None:
        skus = skus.filter(shop=shop)
    picked = list(skus[:2])
    if not picked:
        return FALLBACK_CART
    return {
        "lines": [
            {
                "sku": s.code,
                "quantity": 1,
                "unit_price": f"{s.price:.2f}",
                "product": s.product.code,
                "category": s.product.category.name if s.product.category_id else "",
                "role": s.product.role,
            }
            for s in picked
        ]
    }


def starter_spec(kind: str, cart: dict[str, Any]) -> dict[str, Any]:
    """A spec of `kind` that parses as it is: a week from tomorrow 00:00, SKU codes taken from the sample cart."""
    kind = kind if kind in STARTERS else "spend_save"
    codes = [line["sku"] for line in cart["lines"]] or ["SKU"]
    params = json.loads(json.dumps(STARTERS[kind]))
    if "scope" in params:
        params["scope"]["skus"] = codes[:1]
    if kind == "bundle":
        params["items"] = [{"sku": code, "quantity": 1} for code in (codes * 2)[:2]]
        if params["items"][0]["sku"] == params["items"][1]["sku"]:
            params["items"] = [{"sku": codes[0], "quantity": 2}, {"sku": "SKU-2", "quantity": 1}]
    if kind == "gift":
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


class JsonField(forms.CharField):
    """A textarea of JSON; the parsed value goes to cleaned_data, the text stays in the form when it fails."""

    widget = forms.Textarea

    def __init__(self, *, expect: type, **kwargs: Any) -> None:
        self.expect = expect
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s (line %(line)s, column %(column)s)"),
                params={"error": exc.msg, "line": exc.lineno, "column": exc.colno},
            ) from None
        if not isinstance(data, self.expect):
            what = _("a JSON object {…}") if self.expect is dict else _("a JSON list […]")
            raise forms.ValidationError(_("Expected %(what)s."), params={"what": what})
        return data


def _shop_field(**kwargs: Any) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False, **kwargs)
    field.empty_label = _("Every shop")
    return field


class PromotionFilterForm(forms.Form):
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
        return selectors.promotions(shop=data.get("shop"), status=data.get("status") or None, kind=data.get("kind"))


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

    shop = _shop_field(help_text=_("Empty: the promotion runs in every shop."))
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


class WhatIfForm(WindowForm):
    shop = _shop_field(help_text=_("Running promotions and SKU costs are taken from this shop."))
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


# --------------------------------------------------------------------------------------------------------
# Eligibility
# --------------------------------------------------------------------------------------------------------

YES = {"1", "y", "yes", "true", "是", "包邮"}
NO = {"0", "n", "no", "false", "否", "不包邮"}


@dataclass(frozen=True)
class OfferLine:
    number: int
    code: str
    offer: Offer
    reviews: int | None


def _line(number: int, text: str) -> OfferLine:
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if len(parts) < 3 or not parts[0]:
        raise forms.ValidationError(
            _("Line %(n)s: write code,price,quantity[,free shipping yes/no[,reviews]]."), params={"n": number}
        )
    parts += [""] * (5 - len(parts))
    code, price, quantity, free, reviews = parts[:5]
    free_shipping = True if free.lower() in YES else False if free.lower() in NO else None
    if free and free_shipping is None:
        raise forms.ValidationError(_("Line %(n)s: free shipping is yes or no."), params={"n": number})
    if not quantity.isdigit() or (reviews and not reviews.isdigit()):
        raise forms.ValidationError(_("Line %(n)s: quantity and reviews are whole numbers."), params={"n": number})
    try:
        offer = parse_offer(
            {"price": price, "quantity": int(quantity), "free_shipping": free_shipping}, f"line {number}"
        )
    except CampaignSpecError as exc:
        raise forms.ValidationError(exc.message) from None
    return OfferLine(number, code, offer, int(reviews) if reviews else None)


class EligibilityForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Campaign"),
        choices=[(key, raw["name"]) for key, raw in PRESETS.items()],
        required=False,
    )
    campaign = JsonField(
        label=_("Or your own campaign spec (JSON, docs/campaigns.md)"),
        expect=dict,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
    )
    shop = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Shop.objects.all(),
        required=False,
        help_text=_("Needed when a SKU code is used in several shops."),
    )
    lines = forms.CharField(
        label=_("SKUs and offers"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
        help_text=_("One a line: code,campaign price,quantity,free shipping (yes/no),reviews — the last two optional."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("Any shop")

    def clean_campaign(self):
        raw = self.cleaned_data.get("campaign")
        if raw is None:
            return None
        try:
            return parse_campaign(raw)
        except CampaignSpecError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_lines(self) -> list[OfferLine]:
        rows = [(n, t.strip()) for n, t in enumerate(self.cleaned_data["lines"].splitlines(), 1) if t.strip()]
        if not rows:
            raise forms.ValidationError(_("Enter at least one SKU."))
        errors, parsed = [], []
        for number, text in rows:
            try:
                parsed.append(_line(number, text))
            except forms.ValidationError as exc:
                errors.append(exc)
        if errors:
            raise forms.ValidationError(errors)
        return parsed

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("campaign") and not data.get("preset") and "campaign" not in self.errors:
            self.add_error("preset", _("Choose a campaign or paste a spec."))
        return data

    def chosen_campaign(self) -> Campaign:
        campaign = self.cleaned_data.get("campaign") or preset(self.cleaned_data["preset"])
        assert campaign is not None  # clean() required one of the two; presets are choices
        return campaign

    def skus(self) -> tuple[list[Sku], list[str]]:
        """The SKU of each line (one query) and the lines that name no SKU, or one in several shops."""
        lines: list[OfferLine] = self.cleaned_data["lines"]
        found = Sku.objects.filter(code__in={line.code for line in lines}).select_related("shop")
        if self.cleaned_data.get("shop"):
            found = found.filter(shop=self.cleaned_data["shop"])
        by_code: dict[str, list[Sku]] = {}
        for sku in found:
            by_code.setdefault(sku.code, []).append(sku)
        skus, problems = [], []
        for line in lines:
            matches = by_code.get(line.code, [])
            if len(matches) == 1:
                skus.append(matches[0])
            elif not matches:
                problems.append(str(_("Line %(n)s: no SKU %(code)s.") % {"n": line.number, "code": line.code}))
            else:
                problems.append(
                    str(
                        _("Line %(n)s: %(code)s is used in several shops: choose a shop.")
                        % {"n": line.number, "code": line.code}
                    )
                )
        return skus, problems
