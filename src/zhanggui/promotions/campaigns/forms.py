"""Forms of the campaign pages: the eligibility check against a preset or a pasted spec, and the stored
campaigns (the rules as JSON, the dates, the offer per SKU). They parse what the person typed;
campaigns.services and the eligibility checker decide."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Category, Shop, Sku
from zhanggui.promotions.campaigns.eligibility import Campaign, Offer, parse_campaign, parse_offer
from zhanggui.promotions.campaigns.errors import CampaignSpecError
from zhanggui.promotions.campaigns.presets import PRESETS, not_of_platform, preset, preset_ids_for
from zhanggui.promotions.campaigns.selectors import listed_categories, listed_skus
from zhanggui.promotions.campaigns.services import SkuOffer, price_at_rate
from zhanggui.promotions.forms import JsonField

# --------------------------------------------------------------------------------------------------------
# The eligibility check: a preset or a spec, and SKUs typed with their offers
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


def preset_choices(shop: Shop | None) -> list[tuple[str, str]]:
    """The presets offered for `shop`: its platform's only (every preset while no shop is chosen)."""
    return [(key, PRESETS[key]["name"]) for key in preset_ids_for(shop.channel if shop else None)]


def _offered(form: forms.Form) -> list[tuple[str, str]]:
    """The preset choices of a form: its shop's platform's, and a preset of another platform that was sent,
    kept so that clean() can say by name why it does not fit (rather than "not a valid choice")."""
    offered = preset_choices(_shop_of(form))
    sent = form.data.get("preset") if form.is_bound else None
    if sent in PRESETS and sent not in dict(offered):
        offered.append((sent, PRESETS[sent]["name"]))
    return offered


def _shop_of(form: forms.Form) -> Shop | None:
    """The shop a form is for: the one sent, else the one it starts with."""
    value = form.data.get("shop") if form.is_bound else form.initial.get("shop")
    if isinstance(value, Shop):
        return value
    return Shop.objects.filter(pk=value).first() if str(value or "").isdigit() else None


def _check_platform(form: forms.Form, data: Mapping[str, Any]) -> None:
    """A preset of another platform is refused by name (天天特价 is not a JD campaign); the service checks too."""
    why = not_of_platform(data.get("preset") or "", data.get("shop"))
    if why:
        form.add_error("preset", why)


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
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
        help_text=_("One a line: code,campaign price,quantity,free shipping (yes/no),reviews — the last two optional."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("Any shop")
        self.fields["preset"].choices = _offered(self)

    def clean_campaign(self):
        raw = self.cleaned_data.get("campaign")
        if raw is None:
            return None
        try:
            return parse_campaign(raw)
        except CampaignSpecError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_lines(self) -> list[OfferLine]:
        """The pasted lines, each read; none is fine here: the table's rows may be all there is to check."""
        rows = [(n, t.strip()) for n, t in enumerate(self.cleaned_data["lines"].splitlines(), 1) if t.strip()]
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
        if not data.get("campaign"):
            _check_platform(self, data)
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


# --------------------------------------------------------------------------------------------------------
# Stored campaigns
# --------------------------------------------------------------------------------------------------------

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def _moment(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )


class CampaignFilterForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), required=False)
    archived = forms.BooleanField(label=_("Show archived"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("All shops")

    def values(self) -> tuple[Shop | None, bool]:
        """The chosen shop and the archived switch; a value that does not parse is ignored."""
        if not self.is_bound or not self.is_valid():
            return None, False
        return self.cleaned_data["shop"], self.cleaned_data["archived"]


class CampaignForm(forms.Form):
    """New (shop, preset, rules) or edit (rules only: the shop and the code stay); dates and a note."""

    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    preset = forms.ChoiceField(
        label=_("Start from a preset"),
        choices=[("", _("— none: my own rules —")), *((key, raw["name"]) for key, raw in PRESETS.items())],
        required=False,
        help_text=_("With the rules left empty, the preset's rules are copied."),
    )
    code = forms.CharField(
        label=_("Code"), required=False, max_length=64, help_text=_("Short, unique in the shop: 2026-618-tejia")
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    spec = JsonField(
        label=_("Rules as JSON (docs/campaigns.md)"),
        expect=dict,
        required=False,
        help_text=_("Used only when no rule row above is filled. Its id is the campaign's code in the shop."),
    )
    apply_by = _moment(_("Apply by"), _("The platform's registration deadline"))
    starts_at = _moment(_("Event starts at"))
    ends_at = _moment(_("Event ends at"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, editing: bool = False, has_rules: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_rules = has_rules  # rule rows were filled (campaigns.rule_rows): they make the spec
        if editing:
            del self.fields["shop"], self.fields["preset"], self.fields["code"]
            self.fields["spec"].required = not has_rules
            self.fields["spec"].help_text = _("Used only when no rule row above is filled. Its id stays the code.")
        else:
            self.fields["preset"].choices = [("", _("— none: my own rules —")), *_offered(self)]

    def chosen_shop(self) -> Shop | None:
        """The shop the new campaign is for, as far as the form knows yet (none while editing)."""
        return _shop_of(self) if "shop" in self.fields else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.has_rules:
            if "code" in self.fields and not (data.get("code") or "").strip():
                self.add_error("code", _("Give the campaign a code."))
        elif "preset" in self.fields and not data.get("spec") and not data.get("preset") and "spec" not in self.errors:
            self.add_error("spec", _("Add a rule or choose a preset."))
        _check_platform(self, data)
        return data


# --------------------------------------------------------------------------------------------------------
# The check: one offer per SKU
# --------------------------------------------------------------------------------------------------------

YES_CHOICE, NO_CHOICE = "yes", "no"
FREE_CHOICES = [("", _("not said")), (YES_CHOICE, _("yes")), (NO_CHOICE, _("no"))]


class CheckForm(forms.Form):
    """The SKUs to check, one a line with what differs from the defaults; the defaults for the rest.

    A line is `code[,campaign price[,quantity[,free shipping yes/no[,reviews]]]]`; a part left empty takes the
    default. No lines at all: every listed SKU of the shop (of the category, if one is chosen).
    """

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    lines = forms.CharField(
        label=_("SKUs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "One a line: code, then what differs from the defaults: campaign price, quantity, free shipping "
            "(yes/no), reviews. Empty: every listed SKU (of the category)."
        ),
    )
    rate = forms.DecimalField(
        label=_("Campaign price rate (tenths of the price)"),
        required=False,
        min_value=Decimal("0.001"),
        max_value=Decimal("10"),
        decimal_places=3,
        help_text=_(
            "For SKUs without a price of their own: the campaign price in tenths of the SKU's price, 5 = half "
            "price, 8.5 = 15 per cent off; rounded down to the fen."
        ),
    )
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=1)
    free_shipping = forms.ChoiceField(label=_("Free shipping"), choices=FREE_CHOICES, required=False)

    def __init__(self, *args: Any, shop: Shop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shop = shop
        field = self.fields["category"]
        field.queryset = listed_categories(shop=shop)
        field.empty_label = _("Every category")

    def offers(self) -> tuple[list[SkuOffer], list[str]]:
        """The offer of each SKU (one query for the SKUs), and the lines that cannot be read, each named."""
        data = self.cleaned_data
        typed = [(n, [p.strip() for p in t.replace("，", ",").split(",")]) for n, t in _numbered(data["lines"])]
        if typed:
            found = Sku.objects.filter(shop=self.shop, code__in={parts[0] for _n, parts in typed})
            by_code = {sku.code: sku for sku in found.select_related("shop")}
        else:
            listed = list(listed_skus(shop=self.shop, category=data.get("category")))
            by_code = {sku.code: sku for sku in listed}
            typed = [(0, [sku.code]) for sku in listed]
        offers, problems = [], []
        for number, parts in typed:
            where = str(_("Line %(n)s") % {"n": number}) if number else str(_("SKU %(code)s") % {"code": parts[0]})
            sku = by_code.get(parts[0])
            if sku is None:
                problems.append(str(_("%(where)s: no SKU %(code)s in this shop.") % {"where": where, "code": parts[0]}))
                continue
            try:
                offers.append(_offer(sku, parts[1:], data))
            except forms.ValidationError as exc:
                problems.append(f"{where}: {exc.message}")
        return offers, problems


def _numbered(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), 1) if line.strip()]


def _offer(sku: Sku, parts: list[str], defaults: Mapping[str, Any]) -> SkuOffer:
    """One line's offer: its own parts first, the defaults for those left empty."""
    if len(parts) > 4:
        raise forms.ValidationError(_("write code,price,quantity,free shipping,reviews: too many parts."))
    price, quantity, free, reviews = [*parts, "", "", "", ""][:4]
    if not price:
        if defaults.get("rate") is None:
            raise forms.ValidationError(_("give a campaign price, or a rate for every SKU."))
        price = str(price_at_rate(sku.price, defaults["rate"]))
    if not quantity:
        if not defaults.get("quantity"):
            raise forms.ValidationError(_("give a quantity, or one for every SKU."))
        quantity = str(defaults["quantity"])
    if not quantity.isdigit() or (reviews and not reviews.isdigit()):
        raise forms.ValidationError(_("quantity and reviews are whole numbers."))
    if free and free.lower() not in YES | NO:
        raise forms.ValidationError(_("free shipping is yes or no."))
    said = free.lower() or defaults.get("free_shipping") or ""  # the default's choices are "yes", "no", ""
    try:
        offer = parse_offer(
            {
                "price": price,
                "quantity": int(quantity),
                "free_shipping": True if said in YES else False if said in NO else None,
            },
            "offer",
        )
    except CampaignSpecError as exc:
        raise forms.ValidationError(exc.message) from None
    return SkuOffer(sku=sku, offer=offer, reviews=int(reviews) if reviews else None)
