"""The promotion editor as forms a shop's 运营 can use (issue #15): the spec of every kind (docs/pricing.md) as
fields — tiers as rows, rates typed as 折, money as yuan, the scope as picked chips — and back.

One conversion each way, both tested by a round trip for every kind: `spec_initial(raw)` gives the form's
initial values (what the page shows), `EditorForm` checks what was posted and puts the spec it builds into
`cleaned_data["spec"]`. The spec JSON stays the stored, imported and exported format; the form never holds
anything the spec cannot (a spec key the form does not show is one the engine does not read).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from zhanggui.catalog.models import Shop
from zhanggui.core.errors import ValidationFailed
from zhanggui.promotions import spec
from zhanggui.promotions.offers import selectors
from zhanggui.promotions.offers.forms import KIND_LABELS, WINDOW_KEYS, WindowForm, local_moment
from zhanggui.promotions.spec import SCOPE_KEYS, Kind

SCOPE_MODES = (
    ("all", _("Whole shop")),
    ("categories", _("Categories")),
    ("products", _("Products")),
    ("skus", _("SKUs")),
    ("roles", _("Product roles")),
)
CHIP_LABELS = {"categories": _("Category"), "products": _("Product"), "skus": _("SKU"), "roles": _("Role")}
CHIP_FIELDS = tuple(f"{side}_{key}" for side in ("scope", "exclude") for key in SCOPE_KEYS)


# --------------------------------------------------------------------------------------------------------
# Fields: money as yuan, rates as 折, codes, rows
# --------------------------------------------------------------------------------------------------------


class MoneyField(forms.CharField):
    """Yuan with at most two decimals ("300", "29.9", "¥1,299.00"), given back as "300.00"; never a float."""

    default_error_messages = {"invalid": _("Enter an amount in yuan, such as 300 or 29.90.")}

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "decimal", "autocomplete": "off", "class": "money"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value)).strip().replace("¥", "").replace("￥", "").replace(",", "")
        if not text:
            return ""
        try:
            return spec.yuan(spec.fen(text, "amount"))
        except ValidationFailed:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def _rate_words(message: Any) -> Any:
    """A message with %(example)s: the rate 8.5 as the page's language says it (spec.rate_text: "15% off" in
    English, "8.5折" in Chinese), worked out when shown so that it follows the language of each request."""
    return lazy(lambda: str(message) % {"example": spec.rate_text(Decimal("8.5"))}, str)()


RATE_HELP = _rate_words(_("8.5 means the buyer pays 85 %% (%(example)s)."))


class RateField(forms.CharField):
    """A 折 rate as the platforms write it: 8.5 means pay 85 %; between 0 and 10, at most three decimals. An
    English reader does not count in 折: the labels say "tenths of the price" and the examples "15% off"."""

    default_error_messages = {
        "invalid": _rate_words(_("Enter the tenths of the price paid, between 0 and 10, such as 8.5 (%(example)s)."))
    }

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "decimal", "autocomplete": "off", "class": "rate"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value)).strip().removesuffix("折").strip()
        if not text:
            return ""
        try:
            parts = spec.rate(text, "rate")
        except ValidationFailed:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return f"{(Decimal(parts) / 1000).normalize():f}"


def count_field(label: Any, minimum: int = 0, *, required: bool = True, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=spec.MAX_COUNT,
        required=required,
        widget=forms.NumberInput(attrs={"min": minimum, "class": "count", "inputmode": "numeric"}),
        **kwargs,
    )


def _check_code(value: str) -> str:
    try:
        return spec.code(value, "code")
    except ValidationFailed as exc:
        raise ValidationError(exc.message.removeprefix("code: "), code="invalid") from None


class CodeField(forms.CharField):
    """A code the engine matches on (SKU, coupon code): no control or invisible characters."""

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value)).strip()
        return _check_code(text) if text else ""


class ChipsField(forms.Field):
    """Codes picked as chips: one hidden input per chip, in the order picked, each once."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        values = [value] if isinstance(value, str) else list(value or [])
        seen: dict[str, None] = {}
        for item in values:
            text = str(item).strip()
            if text:
                seen[_check_code(text)] = None
        return list(seen)


_CODE_SPLIT = re.compile(r"[\s,，、;；]+")


class CodesField(forms.CharField):
    """Coupon codes typed one per line (or separated by commas): a list, each once."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = str(super().to_python(value))
        seen: dict[str, None] = {}
        for item in _CODE_SPLIT.split(text):
            if item:
                seen[_check_code(item)] = None
        return list(seen)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list | tuple) else value


class SkuPickWidget(forms.Widget):
    """One SKU picked from the shop's catalog the way the scope's items are (the editor's catalog search, then a
    chip with the SKU's code and title, removable). The code travels in a hidden input under the field's own
    name and the search box's text under `<name>-find`, one of each in every row whatever is picked, so that a
    table's columns stay aligned and a page that comes back with an error still shows what was typed.

    What the page knows about the code comes in the render attrs: `pick_title` (None: not in the catalog),
    `pick_find` (the search text) and `pick_locked` (read-only: the chip alone)."""

    template_name = "promotions/_sku_pick.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        shown = widget["attrs"]
        widget.update(
            code=widget["value"] or "",
            title=shown.pop("pick_title", None),
            find=shown.pop("pick_find", ""),
            locked=shown.pop("pick_locked", False),
            label=shown.pop("aria-label", ""),
        )
        return context


def sku_field(label: Any) -> CodeField:
    """A SKU code picked from the catalog (bundle items, the gift, the sample cart)."""
    return CodeField(label=label, widget=SkuPickWidget())


def form_shop(form: forms.Form) -> Shop | None:
    """The shop chosen on a form of the editor (posted as a pk, or given as the initial Shop), whether or not the
    rest of the form is valid; None for every shop or a value that names no shop."""
    value = form.data.get("shop") if form.is_bound else form.initial.get("shop")
    if value is None or isinstance(value, Shop):
        return value
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return Shop.objects.filter(pk=int(text)).first()


def _posted_list(data: Any, key: str) -> list[str]:
    """Every value posted under `key`, in page order (a QueryDict, or a plain dict of lists in the tests)."""
    if hasattr(data, "getlist"):
        return list(data.getlist(key))
    raw = data.get(key, [])
    return [raw] if isinstance(raw, str) else list(raw)


class RowsWidget(forms.Widget):
    """Rows of inputs named `<field>-<column>`, one per row, in page order: a row added by cloning a template
    row or removed from the page needs no renumbering."""

    def __init__(self, columns: Sequence[str]) -> None:
        super().__init__()
        self.columns = tuple(columns)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]]:
        columns = {c: _posted_list(data, f"{name}-{c}") for c in self.columns}
        size = max((len(v) for v in columns.values()), default=0)
        return [{c: (v[i] if i < len(v) else "") for c, v in columns.items()} for i in range(size)]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


class RowsField(forms.Field):
    """A table of rows (tiers, bundle items, member tiers); each cell is checked by its column's field and an
    error names its row ("Row 2: Off (¥): …"). Empty rows are left out."""

    def __init__(
        self,
        *,
        columns: Mapping[str, forms.Field],
        min_rows: int = 0,
        row_check: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        add_label: Any = None,
        **kwargs: Any,
    ) -> None:
        self.columns = dict(columns)
        self.min_rows = min_rows
        self.row_check = row_check
        self.add_label = add_label or _("+ add a row")
        self.bad_rows: set[int] = set()
        kwargs.setdefault("required", False)
        super().__init__(widget=RowsWidget(list(self.columns)), **kwargs)

    def clean(self, value: Any) -> list[dict[str, Any]]:
        self.bad_rows = set()
        cleaned, errors = [], []
        for i, row in enumerate(value or []):
            if not any(str(row.get(c, "")).strip() for c in self.columns):
                continue
            out: dict[str, Any] = {}
            problems: list[str] = []
            for name, field in self.columns.items():
                try:
                    out[name] = field.clean(row.get(name, ""))
                except ValidationError as exc:
                    problems += [f"{field.label}: {m}" for m in exc.messages]
            if not problems and self.row_check is not None:
                try:
                    out = self.row_check(out)
                except ValidationError as exc:
                    problems += exc.messages
            if problems:
                self.bad_rows.add(i)
                errors += [
                    ValidationError(_("Row %(row)s: %(error)s"), code="row", params={"row": i + 1, "error": p})
                    for p in problems
                ]
            else:
                cleaned.append(out)
        if errors:
            raise ValidationError(errors)
        if len(cleaned) < self.min_rows:
            raise ValidationError(
                _("Fill at least %(n)s rows.") if self.min_rows > 1 else _("Fill at least one row."),
                code="min_rows",
                params={"n": self.min_rows},
            )
        return cleaned


@dataclass
class RowTable:
    """What the page shows of a RowsField: the column heads, the rows as rendered inputs, a blank row to clone."""

    name: str
    label: str
    heads: list[str]
    rows: list[tuple[int, list[SafeString], bool]]  # (index, cells, has an error)
    blank: list[SafeString]
    errors: list[str]
    add_label: str


def _cell(
    field: forms.Field, name: str, column: str, value: Any, row: int | None, pick: dict[str, Any] | None = None
) -> SafeString:
    label = f"{field.label} ({row + 1})" if row is not None else str(field.label)
    attrs: dict[str, Any] = {"aria-label": label}
    if isinstance(field.widget, SkuPickWidget):
        attrs.update(pick or {})
    return mark_safe(field.widget.render(f"{name}-{column}", value, attrs=attrs))


def _pick_attrs(code: Any, titles: Mapping[str, str], find: str = "", *, locked: bool = False) -> dict[str, Any]:
    """What a SkuPickWidget shows of one picked code: its title (None: not in the catalog), the search text."""
    text = "" if code is None else str(code)
    return {"pick_title": titles.get(text), "pick_find": find, "pick_locked": locked}


# --------------------------------------------------------------------------------------------------------
# What each kind asks for
# --------------------------------------------------------------------------------------------------------

MULTIBUY_MODES = (
    ("nth", _("The Nth item at a lower rate (e.g. the 2nd at half price)")),
    ("buy_free", _("Buy B, get F free (买B送F)")),
)
COUPON_MODES = (("amount", _("An amount off (满减券)")), ("rate", _("A share of the price off (percentage coupon)")))
MEMBER_HOW = (("price", _("Price (¥)")), ("rate", _("Rate (tenths of the price)")))
RATE_LABEL = _("Pay (tenths of the price)")


def _member_row(row: dict[str, Any]) -> dict[str, Any]:
    value = row["value"]
    field: forms.Field = MoneyField() if row["how"] == "price" else RateField()
    row["value"] = field.clean(value)
    if not row["value"]:
        raise ValidationError(_("enter the price or the rate of this tier."))
    return row


def _tiers(threshold: forms.Field, benefit: forms.Field, *, required: bool = True) -> RowsField:
    return RowsField(
        label=_("Tiers"),
        columns={"threshold": threshold, "benefit": benefit},
        min_rows=1 if required else 0,
        add_label=_("+ add a tier"),
    )


def kind_fields(kind: Kind) -> dict[str, forms.Field]:
    """The fields of one kind's parameters (docs/pricing.md), named as the spec names them where it can."""
    money, rate = MoneyField, RateField
    if kind == Kind.PRICE_CUT:
        return {"amount": money(label=_("Amount off each unit (¥)"))}
    if kind == Kind.DISCOUNT:
        return {"rate": rate(label=RATE_LABEL, help_text=RATE_HELP)}
    if kind == Kind.SPECIAL_PRICE:
        return {"price": money(label=_("Special price (¥)"))}
    if kind == Kind.FLASH_SALE:
        return {
            "price": money(label=_("Flash price (¥)")),
            "per_buyer_cap": count_field(_("Each buyer at most (units)"), 1),
            "stock_cap": count_field(_("Units on sale per SKU"), 1, required=False),
        }
    if kind == Kind.GROUP_BUY:
        return {
            "price": money(label=_("Group price (¥)")),
            "min_buyers": count_field(_("Buyers needed"), 2),
            "joined": count_field(_("Buyers joined so far"), 0, required=False),
        }
    if kind == Kind.MEMBER_PRICE:
        return {
            "members": RowsField(
                label=_("Member tiers"),
                columns={
                    "tier": CodeField(label=_("Member tier")),
                    "how": forms.ChoiceField(label=_("By"), choices=MEMBER_HOW),
                    "value": forms.CharField(label=_("Price or rate"), required=False),
                },
                min_rows=1,
                row_check=_member_row,
                add_label=_("+ add a member tier"),
            )
        }
    if kind == Kind.MEMBER_DISCOUNT:
        return {
            "min_past_spend": money(label=_("Lifetime spend at least (¥)")),
            "rate": rate(label=RATE_LABEL, help_text=RATE_HELP),
        }
    if kind == Kind.SPEND_SAVE:
        return {
            "tiers": _tiers(money(label=_("Spend (¥)")), money(label=_("Off (¥)")), required=False),
            "repeat_every": money(label=_("Every (¥)"), required=False),
            "repeat_off": money(label=_("Off (¥)"), required=False),
            "repeat_cap": money(label=_("At most off (¥)"), required=False, help_text=_("Empty: no cap.")),
        }
    if kind == Kind.SPEND_DISCOUNT:
        return {"tiers": _tiers(money(label=_("Spend (¥)")), rate(label=RATE_LABEL))}
    if kind == Kind.QUANTITY_DISCOUNT:
        return {"tiers": _tiers(count_field(_("Items"), 1), rate(label=RATE_LABEL))}
    if kind == Kind.QUANTITY_SAVE:
        return {"tiers": _tiers(count_field(_("Items"), 1), money(label=_("Off (¥)")))}
    if kind == Kind.MULTIBUY:
        return {
            "multibuy_mode": forms.ChoiceField(
                label=_("The offer"), choices=MULTIBUY_MODES, widget=forms.RadioSelect, initial="nth"
            ),
            "nth": count_field(_("The Nth item"), 2, required=False),
            "rate": rate(label=_("Pays (tenths of the price)"), required=False, help_text=RATE_HELP),
            "buy": count_field(_("Buy"), 1, required=False),
            "free": count_field(_("Get free"), 1, required=False),
        }
    if kind == Kind.ANY_N_FOR:
        return {"n": count_field(_("Items in a set"), 2), "price": money(label=_("Set price (¥)"))}
    if kind == Kind.BUNDLE:
        return {
            "items": RowsField(
                label=_("Items of the bundle"),
                columns={"sku": sku_field(_("SKU")), "quantity": count_field(_("Quantity"), 1)},
                min_rows=2,
                add_label=_("+ add an item"),
            ),
            "price": money(label=_("Bundle price (¥)")),
        }
    if kind == Kind.GIFT:
        return {
            "threshold": money(label=_("Spend at least (¥)"), required=False),
            "min_items": count_field(_("Or items at least"), 1, required=False),
            "gift_sku": sku_field(_("Gift SKU")),
            "gift_quantity": count_field(_("Gifts per order"), 1),
            "gift_stock": count_field(_("Gifts in stock"), 0, required=False, help_text=_("Empty: no limit.")),
            "gift_value": money(label=_("Gift's value (¥)"), required=False),
        }
    if kind == Kind.COUPON:
        return {
            "codes": CodesField(
                label=_("Codes"),
                widget=forms.Textarea(attrs={"rows": 2, "class": "code", "spellcheck": "false"}),
                help_text=_("One shared code, or several single-use codes (one a line)."),
            ),
            "coupon_mode": forms.ChoiceField(
                label=_("Takes off"), choices=COUPON_MODES, widget=forms.RadioSelect, initial="amount"
            ),
            "amount": money(label=_("Amount off (¥)"), required=False),
            "rate": rate(label=RATE_LABEL, required=False, help_text=RATE_HELP),
            "max_amount": money(label=_("At most off (¥)"), required=False, help_text=_("Empty: no maximum.")),
            "min_spend": money(
                label=_("Minimum spend (¥)"), required=False, help_text=_("Empty: no minimum (无门槛).")
            ),
            "per_buyer_limit": count_field(_("Uses per buyer"), 1),
            "combinable": forms.BooleanField(label=_("Combines with other coupons"), required=False),
        }
    raise AssertionError(kind)  # pragma: no cover - every kind is above


# Where a kind's SpecError lands on the form: the spec key its message names → the field.
ERROR_FIELDS = {
    "id": "code",
    "name": "name",
    "scope": "scope_mode",
    "repeat": "repeat_every",
    "prices": "members",
    "rates": "members",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
}


def _money_text(value: Any) -> Any:
    """A spec's amount as the form shows it (yuan, two decimals); text that is not an amount stays as it is."""
    try:
        return spec.yuan(spec.fen(value, "amount"))
    except ValidationFailed:
        return value


def kind_initial(kind: Kind, raw: Mapping[str, Any]) -> dict[str, Any]:
    """One kind's parameters of a spec as the form's initial values."""
    get = raw.get
    money_keys = {"amount", "price", "min_past_spend", "threshold", "gift_value", "max_amount", "min_spend"}
    fields = kind_fields(kind)
    initial: dict[str, Any] = {}
    for key in fields:
        if key in raw and not isinstance(fields[key], RowsField):
            initial[key] = _money_text(raw[key]) if key in money_keys else raw[key]
    tier_money = {
        Kind.SPEND_SAVE: (True, True),
        Kind.SPEND_DISCOUNT: (True, False),
        Kind.QUANTITY_DISCOUNT: (False, False),
        Kind.QUANTITY_SAVE: (False, True),
    }
    if kind in tier_money:
        money_threshold, money_benefit = tier_money[kind]
        initial["tiers"] = [
            {
                "threshold": _money_text(pair[0]) if money_threshold else pair[0],
                "benefit": _money_text(pair[1]) if money_benefit else pair[1],
            }
            for pair in (get("tiers") or [])
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]
    if kind == Kind.SPEND_SAVE and isinstance(get("repeat"), Mapping):
        repeat = raw["repeat"]
        for key in ("every", "off", "cap"):
            if repeat.get(key) is not None:
                initial[f"repeat_{key}"] = _money_text(repeat[key])
    if kind == Kind.MEMBER_PRICE:
        initial["members"] = [
            {"tier": tier, "how": "price", "value": _money_text(value)} for tier, value in (get("prices") or {}).items()
        ] + [{"tier": tier, "how": "rate", "value": value} for tier, value in (get("rates") or {}).items()]
    if kind == Kind.MULTIBUY:
        initial["multibuy_mode"] = "nth" if "nth" in raw or "buy" not in raw else "buy_free"
    if kind == Kind.BUNDLE:
        initial["items"] = [
            {"sku": item.get("sku", ""), "quantity": item.get("quantity", 1)}
            for item in (get("items") or [])
            if isinstance(item, Mapping)
        ]
    if kind == Kind.COUPON:
        initial["coupon_mode"] = "rate" if "rate" in raw else "amount"
        initial.setdefault("per_buyer_limit", 1)
    if kind == Kind.GIFT:
        initial.setdefault("gift_quantity", 1)
    return initial


def _need(form: forms.Form, data: Mapping[str, Any], *names: str) -> bool:
    """Every named field has a value; the empty ones get "This field is required." next to them."""
    ok = True
    for name in names:
        if data.get(name) in (None, "", []) and name not in form.errors:
            form.add_error(name, forms.Field.default_error_messages["required"])
            ok = False
    return ok


def kind_params(kind: Kind, form: forms.Form, data: Mapping[str, Any]) -> dict[str, Any]:
    """One kind's spec parameters from the cleaned fields; what is missing becomes a field error on `form`."""
    p: dict[str, Any] = {}
    if kind in (Kind.PRICE_CUT, Kind.DISCOUNT, Kind.SPECIAL_PRICE, Kind.ANY_N_FOR, Kind.MEMBER_DISCOUNT):
        p = {key: data[key] for key in kind_fields(kind) if key in data}
    elif kind == Kind.FLASH_SALE:
        p = {"price": data.get("price"), "per_buyer_cap": data.get("per_buyer_cap")}
        if data.get("stock_cap") is not None:
            p["stock_cap"] = data["stock_cap"]
    elif kind == Kind.GROUP_BUY:
        p = {"price": data.get("price"), "min_buyers": data.get("min_buyers"), "joined": data.get("joined") or 0}
    elif kind == Kind.MEMBER_PRICE:
        rows = data.get("members") or []
        prices = {r["tier"]: r["value"] for r in rows if r["how"] == "price"}
        rates = {r["tier"]: r["value"] for r in rows if r["how"] == "rate"}
        if prices:
            p["prices"] = prices
        if rates:
            p["rates"] = rates
    elif kind in (Kind.SPEND_DISCOUNT, Kind.QUANTITY_DISCOUNT, Kind.QUANTITY_SAVE):
        p["tiers"] = [[r["threshold"], r["benefit"]] for r in data.get("tiers") or []]
    elif kind == Kind.SPEND_SAVE:
        tiers = [[r["threshold"], r["benefit"]] for r in data.get("tiers") or []]
        if tiers:
            p["tiers"] = tiers
        every, off, cap = (data.get(f"repeat_{k}") for k in ("every", "off", "cap"))
        if every or off or cap:
            if _need(form, data, "repeat_every", "repeat_off"):
                if Decimal(str(every)) <= 0:
                    form.add_error("repeat_every", _("Enter an amount above 0."))
                p["repeat"] = {"every": every, "off": off, **({"cap": cap} if cap else {})}
        elif not tiers and "tiers" not in form.errors:
            form.add_error("tiers", _("Add a tier (满 X 减 Y), or fill 每满 X 减 Y below."))
    elif kind == Kind.MULTIBUY:
        if data.get("multibuy_mode") == "buy_free":
            if _need(form, data, "buy", "free"):
                p = {"buy": data["buy"], "free": data["free"]}
        elif _need(form, data, "nth", "rate"):
            p = {"nth": data["nth"], "rate": data["rate"]}
    elif kind == Kind.BUNDLE:
        items = data.get("items") or []
        skus = [item["sku"] for item in items]
        if len(set(skus)) != len(skus):
            form.add_error("items", _("Each SKU once: for two of a SKU, set its quantity to 2."))
        p = {"items": [{"sku": i["sku"], "quantity": i["quantity"]} for i in items], "price": data.get("price")}
    elif kind == Kind.GIFT:
        if not data.get("threshold") and data.get("min_items") is None and "threshold" not in form.errors:
            form.add_error("threshold", _("Enter a minimum spend or a minimum number of items."))
        if data.get("threshold"):
            p["threshold"] = data["threshold"]
        if data.get("min_items") is not None:
            p["min_items"] = data["min_items"]
        p["gift_sku"], p["gift_quantity"] = data.get("gift_sku"), data.get("gift_quantity")
        if data.get("gift_stock") is not None:
            p["gift_stock"] = data["gift_stock"]
        if data.get("gift_value"):
            p["gift_value"] = data["gift_value"]
    elif kind == Kind.COUPON:
        if not data.get("codes") and "codes" not in form.errors:
            form.add_error("codes", forms.Field.default_error_messages["required"])
        p["codes"] = data.get("codes") or []
        if data.get("coupon_mode") == "rate":
            if _need(form, data, "rate"):
                p["rate"] = data["rate"]
            if data.get("max_amount"):
                p["max_amount"] = data["max_amount"]
        else:
            if _need(form, data, "amount"):
                p["amount"] = data["amount"]
            if data.get("max_amount"):
                form.add_error("max_amount", _("Only a coupon with a rate has a maximum."))
        if data.get("min_spend"):
            p["min_spend"] = data["min_spend"]
        p["per_buyer_limit"] = data.get("per_buyer_limit")
        if data.get("combinable"):
            p["combinable"] = True
    return p


# --------------------------------------------------------------------------------------------------------
# The editor form
# --------------------------------------------------------------------------------------------------------


def _kind_of(value: Any) -> Kind:
    return Kind(value) if value in set(Kind) else Kind.SPEND_SAVE


class EditorForm(WindowForm):
    """The promotion as fields. `cleaned_data["spec"]` is the spec it builds (window included, as the
    services store it); `require_window=False` for the preview, which prices a draft without one."""

    source = forms.CharField(widget=forms.HiddenInput, initial="form")
    code = CodeField(
        label=_("Code"), max_length=64, help_text=_("The promotion's id: letters, digits and dashes; never changes.")
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=list(KIND_LABELS.items()))
    shop = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Shop.objects.all(),
        required=False,
        help_text=_("Empty: the promotion runs in every shop."),
    )
    stackable = forms.BooleanField(
        label=_("Stacks with other promotions of its level"),
        required=False,
        help_text=_("Off: of the promotions of one level, a unit gets the one best for the buyer."),
    )
    exclusive = forms.BooleanField(
        label=_("Exclusive"),
        required=False,
        help_text=_("Units it discounts get no shop promotion or coupon after it."),
    )
    scope_mode = forms.ChoiceField(
        label=_("Applies to"), choices=SCOPE_MODES, widget=forms.RadioSelect, initial="all", required=False
    )
    # The advanced view: the spec the form builds, as JSON (its window is in the two fields); "Load into the form"
    # reads it back. On a save the fields are the truth, never this text.
    spec = forms.CharField(
        label=_("JSON (advanced)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
    )
    cart = forms.CharField(required=False, widget=forms.HiddenInput)  # the sample cart as JSON, for the what-if

    def __init__(self, *args: Any, require_window: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.require_window = require_window
        for name in CHIP_FIELDS:
            self.fields[name] = ChipsField()
        source = self.data if self.is_bound else self.initial
        self.picked_kind = _kind_of(source.get("kind"))
        self.fields.update(kind_fields(self.picked_kind))
        shop = self.fields["shop"]
        assert isinstance(shop, forms.ModelChoiceField)
        shop.empty_label = _("Every shop")
        self.locked = False  # read-only (set by the page): picked SKUs show as chips without a search box

    # What the page reads -----------------------------------------------------------------------------------

    @property
    def kind_value(self) -> str:
        return str(self.picked_kind)

    @property
    def kind_field_names(self) -> list[str]:
        return list(kind_fields(self.picked_kind))

    def kind_layout(self) -> list[tuple[str, Any]]:
        """The kind's fields as the page lays them out: tables of rows, radio choices, check boxes, and runs of
        plain fields side by side."""
        layout: list[tuple[str, Any]] = []
        for name, field in kind_fields(self.picked_kind).items():
            widget = self.fields[name].widget
            if isinstance(widget, SkuPickWidget):
                # Not inside a <label>: a click on the chip would "click" its remove button, the label's control.
                code = self[name].value()
                find = str(self.data.get(f"{name}-find", "")) if self.is_bound else ""
                titles = selectors.sku_titles([str(code or "")], form_shop(self))
                widget.attrs.update(_pick_attrs(code, titles, find, locked=self.locked))  # this form's own widget
                widget.attrs["aria-label"] = str(field.label)
                layout.append(("pick", self[name]))
            elif isinstance(field, RowsField):
                layout.append(("rows", self.table(name)))
            elif isinstance(field.widget, forms.RadioSelect):
                layout.append(("radio", self[name]))
            elif isinstance(field, forms.BooleanField):
                layout.append(("check", self[name]))
            elif layout and layout[-1][0] == "fields":
                layout[-1][1].append(self[name])
            else:
                layout.append(("fields", [self[name]]))
        return layout

    @property
    def scope_chips(self) -> list[tuple[str, str, list[str]]]:
        return self._chip_groups("scope")

    @property
    def exclude_chips(self) -> list[tuple[str, str, list[str]]]:
        return self._chip_groups("exclude")

    def _chip_groups(self, side: str) -> list[tuple[str, str, list[str]]]:
        return [(f"{side}_{key}", str(CHIP_LABELS[key]), self.chips(f"{side}_{key}")) for key in SCOPE_KEYS]

    def chips(self, name: str) -> list[str]:
        """The codes of one chip list as the page shows them (what was posted, or the spec's)."""
        return ChipsField().to_python(self[name].value()) if self.is_bound else list(self.initial.get(name) or [])

    def table(self, name: str) -> RowTable:
        field = self.fields[name]
        assert isinstance(field, RowsField)
        rows = self[name].value() or []
        rows = [{c: ("" if r.get(c) is None else r.get(c)) for c in field.columns} for r in rows]
        while len(rows) < max(field.min_rows, 1):
            rows.append({c: "" for c in field.columns})
        bad = field.bad_rows if self.is_bound and name in self.errors else set()
        locked = getattr(self, "locked", False)
        picks = [c for c, f in field.columns.items() if isinstance(f.widget, SkuPickWidget)]
        titles = selectors.sku_titles((str(r[c]) for r in rows for c in picks), form_shop(self)) if picks else {}
        finds = {c: _posted_list(self.data, f"{name}-{c}-find") if self.is_bound else [] for c in picks}

        def pick(column: str, i: int | None, value: Any) -> dict[str, Any] | None:
            if column not in picks:
                return None
            found = finds[column]
            return _pick_attrs(value, titles, found[i] if i is not None and i < len(found) else "", locked=locked)

        return RowTable(
            name=name,
            label=str(field.label),
            heads=[str(f.label) for f in field.columns.values()],
            rows=[
                (i, [_cell(f, name, c, row[c], i, pick(c, i, row[c])) for c, f in field.columns.items()], i in bad)
                for i, row in enumerate(rows)
            ],
            blank=[_cell(f, name, c, "", None, pick(c, None, "")) for c, f in field.columns.items()],
            errors=[str(e) for e in self.errors.get(name, [])],
            add_label=str(field.add_label),
        )

    # What the form builds ----------------------------------------------------------------------------------

    def scope(self) -> dict[str, list[str]]:
        """The scope the chips and the mode say (an empty dict: everything), readable even when another field
        has an error (the page counts the SKUs it reaches while the person types)."""
        data = getattr(self, "cleaned_data", {})
        lists: dict[str, list[str]] = {}
        for name in CHIP_FIELDS:
            if name in data:
                lists[name] = data[name]
            else:
                try:
                    lists[name] = ChipsField().clean(self[name].value())
                except ValidationError:
                    lists[name] = []
        mode = data.get("scope_mode") if "scope_mode" in data else self["scope_mode"].value()
        scope: dict[str, list[str]] = {}
        if mode and mode != "all":
            scope.update({key: lists[f"scope_{key}"] for key in SCOPE_KEYS if lists[f"scope_{key}"]})
        scope.update({f"exclude_{key}": lists[f"exclude_{key}"] for key in SCOPE_KEYS if lists[f"exclude_{key}"]})
        return scope

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.require_window:
            for key, message in (
                ("starts_at", _("Enter when the promotion starts.")),
                ("ends_at", _("Enter when the promotion ends.")),
            ):
                if not data.get(key) and key not in self.errors:
                    self.add_error(key, message)
        scope = self.scope()
        mode = data.get("scope_mode") or "all"
        if mode != "all" and not any(scope.get(key) for key in SCOPE_KEYS):
            self.add_error("scope_mode", _("Pick at least one item from the catalog, or choose the whole shop."))
        kind = str(self.picked_kind)
        raw: dict[str, Any] = {"id": data.get("code") or "", "kind": kind, "name": data.get("name") or ""}
        if scope:
            raw["scope"] = scope
        raw.update(kind_params(self.picked_kind, self, data))
        if bool(data.get("stackable")) != (self.picked_kind == Kind.GIFT):
            raw["stackable"] = bool(data.get("stackable"))
        if data.get("exclusive"):
            raw["exclusive"] = True
        for key in WINDOW_KEYS:
            if data.get(key):
                raw[key] = timezone.localtime(data[key]).isoformat()
        if not self.errors:
            try:
                spec.parse_promotion(raw)
            except ValidationFailed as exc:
                self.add_spec_error(exc.message)
        data["spec"] = raw
        return data

    def add_spec_error(self, message: str) -> None:
        """A SpecError (from the engine's parser or a service) next to the field its path names."""
        self.add_error(self.field_for(message), message)

    def field_for(self, message: str) -> str | None:
        code = str(self.data.get("code", "") if self.is_bound else "").strip()
        head = message.split(":", 1)[0]
        path = head.removeprefix(f"promotion {code}").lstrip(".")
        key = re.split(r"[.\[ ]", path, maxsplit=1)[0] if path and path != head else ""
        name = ERROR_FIELDS.get(key, key)
        return name if name in self.fields else None


def spec_initial(raw: Mapping[str, Any], *, shop: Shop | None = None) -> dict[str, Any]:
    """A spec as the editor form's initial values (the window in the desk's time zone)."""
    kind = _kind_of(raw.get("kind"))
    scope = raw.get("scope")
    scope = scope if isinstance(scope, Mapping) else {}
    initial: dict[str, Any] = {
        "source": "form",
        "code": raw.get("id", ""),
        "name": raw.get("name", ""),
        "kind": str(kind),
        "shop": shop,
        "stackable": bool(raw.get("stackable", kind == Kind.GIFT)),
        "exclusive": bool(raw.get("exclusive", False)),
        "scope_mode": next((key for key in ("categories", "products", "skus", "roles") if scope.get(key)), "all"),
        **{k: local_moment(raw.get(k)) for k in WINDOW_KEYS},
    }
    for key in SCOPE_KEYS:
        initial[f"scope_{key}"] = [str(c) for c in scope.get(key) or []]
        initial[f"exclude_{key}"] = [str(c) for c in scope.get(f"exclude_{key}") or []]
    initial.update(kind_initial(kind, raw))
    return initial


def posted(initial: Mapping[str, Any]) -> dict[str, list[str]]:
    """The form's initial values as the page posts them (name → values): what a person sends who changes
    nothing. The round-trip tests and the stock_cap-only edit of an approved flash sale use it."""
    data: dict[str, list[str]] = {}
    kind = _kind_of(initial.get("kind"))
    fields = {**{name: f for name, f in EditorForm.base_fields.items()}, **kind_fields(kind)}
    for name, value in initial.items():
        field = fields.get(name)
        if field is None and name not in CHIP_FIELDS:
            continue
        if isinstance(field, RowsField):
            for column in field.columns:
                data[f"{name}-{column}"] = [str(row.get(column, "")) for row in value or []]
        elif name in CHIP_FIELDS:
            data[name] = [str(v) for v in value or []]
        elif isinstance(value, bool):
            if value:
                data[name] = ["on"]
        elif isinstance(value, datetime):
            data[name] = [timezone.localtime(value).strftime("%Y-%m-%dT%H:%M:%S")]
        elif isinstance(value, Shop):
            data[name] = [str(value.pk)]
        elif isinstance(value, list):
            data[name] = ["\n".join(str(v) for v in value)]
        elif value is not None:
            data[name] = [str(value)]
    return data


def keep_unchanged(new: dict[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
    """`new` with each key that means the same as in `old` written as `old` writes it ("300" stays "300", not
    "300.00"; an explicit "stackable": false stays): saving an untouched promotion changes nothing."""
    try:
        meaning = spec.parse_promotion(new)
    except ValidationFailed:
        return new
    kept = dict(new)
    for key in set(new) | set(old):
        candidate = dict(kept)
        if key in old:
            candidate[key] = old[key]
        else:
            candidate.pop(key, None)
        # The engine does not read these two, so the parse cannot tell whether they changed.
        if key == "stock_cap" and str(old.get(key)) != str(new.get(key)):
            continue
        if key == "gift_value" and _money_text(old.get(key)) != _money_text(new.get(key)):
            continue
        try:
            if spec.parse_promotion(candidate) == meaning:
                kept = candidate
        except ValidationFailed:
            continue
    return kept


class SampleCartForm(forms.Form):
    """The preview's sample cart: SKUs picked from the catalog with quantities, and the buyer's member tier.
    Never stored; a bad row shows in the preview, it never stops a save."""

    lines = RowsField(
        label=_("Sample cart"),
        columns={"sku": sku_field(_("SKU")), "quantity": count_field(_("Quantity"), 1)},
        add_label=_("+ add a SKU"),
    )
    buyer_tier = forms.CharField(
        label=_("Buyer's member tier"), max_length=64, required=False, help_text=_("Empty: not a member.")
    )

    def table(self, name: str) -> RowTable:
        return EditorForm.table(self, name)  # type: ignore[arg-type]
