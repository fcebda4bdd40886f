"""Stored-promotion pages: the list and the calendar, the editor with a live preview of a sample cart
(docs/pricing.md). The what-if report is pricing.views; the eligibility check campaigns.views.

Every role reads and previews (nothing is stored by those); saving, submitting and cancelling need
`manage_promotions`, approving `approve_promotions`, checked before the form is read so a refused POST is a
403 that changes nothing. A spec the services refuse comes back on the form with what was typed (422).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.core.errors import ValidationFailed
from zhanggui.core.listing import batch_message, list_response, run_batch
from zhanggui.promotions import spec
from zhanggui.promotions.engine import quote
from zhanggui.promotions.flash.errors import InvalidFlashSale
from zhanggui.promotions.forms import JsonField, dumps
from zhanggui.promotions.models import FlashSaleStatus, Promotion, PromotionState, PromotionStatus
from zhanggui.promotions.offers import lists, selectors, services
from zhanggui.promotions.offers.editor import (
    CHIP_FIELDS,
    EditorForm,
    RowsField,
    SampleCartForm,
    form_shop,
    keep_unchanged,
    kind_fields,
    kind_initial,
    posted,
    spec_initial,
)
from zhanggui.promotions.offers.errors import PromotionCodeTaken
from zhanggui.promotions.offers.forms import (
    FALLBACK_CART,
    WINDOW_KEYS,
    NoteForm,
    PreviewForm,
    PromotionFilterForm,
    PromotionForm,
    kind_label,
    sample_cart,
    starter_spec,
)
from zhanggui.promotions.spec import Kind

EVENT_HOURS = 48  # a promotion this short is an event (双11, 618): the calendar makes it stand out
# A calendar bar this short has its dates beside it, where they fit; twice as long with the hours.
SHORT_BAR_DAYS = 4


# --------------------------------------------------------------------------------------------------------
# List and calendar
# --------------------------------------------------------------------------------------------------------


@login_required
@edges.guarded
def promotion_list(request: HttpRequest) -> HttpResponse:
    """Filters, sort, page size and the start-date range in the URL; ?export=xlsx|csv answers every filtered row;
    a POST is a batch action on the ticked rows (see _promotion_batch)."""
    if request.method == "POST":
        return _promotion_batch(request)
    form = PromotionFilterForm(request.GET or None)
    listing, export = list_response(request, lists.PROMOTIONS, lists.with_status_rank(form.promotions()))
    if export is not None:
        return export
    assert listing.page is not None
    _label(listing.page, timezone.now())
    return edges.render_page(
        request,
        "promotions/promotion_list.html",
        {"form": form, "page": listing.page, "listing": listing},
        fragment="promotions/_promotion_results.html",
    )


def _promotion_batch(request: HttpRequest) -> HttpResponse:
    """A batch action on the ticked promotions, each through its service; then back to the list as it was."""
    with edges.message_errors(request):
        action, result = run_batch(request, lists.PROMOTIONS, selectors.promotions())
        (messages.warning if result.refused else messages.success)(request, batch_message(action, result))
    return redirect(edges.safe_next(request, reverse("promotions:promotion-list")))


def _label(rows: Any, now: datetime) -> None:
    """The kind's and the status's names for display: the status depends on the clock, not only the row."""
    for p in rows:
        p.kind_label = kind_label(p.kind)
        p.status_now = p.status_at(now)
        p.status_label = PromotionStatus(p.status_now).label
        p.is_event = p.ends_at - p.starts_at <= timedelta(hours=EVENT_HOURS)


@dataclass(frozen=True)
class DayColumn:
    """One day of the month shown: its grid column (the promotions' names take column 1)."""

    day: date
    weekday: str
    is_today: bool

    @property
    def column(self) -> int:
        return self.day.day + 1

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass(frozen=True)
class Bar:
    """A promotion's window as days of the month shown: clipped at the month's edges, and whether it goes on."""

    promotion: Promotion
    first: date  # the first day it runs, in local time (may lie before the month)
    last: date  # the last day it runs: a window ending at 00:00 ends the day before
    shown_first: date
    shown_last: date
    row: int  # its grid row
    month_days: int

    @property
    def column_start(self) -> int:
        return self.shown_first.day + 1

    @property
    def column_end(self) -> int:  # grid lines are exclusive at the end
        return self.shown_last.day + 2

    @property
    def when(self) -> str:
        """Its window in local time as days when it runs from midnight to midnight, else with the hours."""
        start, end = timezone.localtime(self.promotion.starts_at), timezone.localtime(self.promotion.ends_at)
        if start.time() == end.time() == time(0):
            days = f"{self.first:%m-%d}"
            return days if self.first == self.last else f"{days} – {self.last:%m-%d}"
        if start.date() == end.date():
            return f"{start:%m-%d %H:%M}–{end:%H:%M}"
        return f"{start:%m-%d %H:%M} – {end:%m-%d %H:%M}"

    @property
    def title(self) -> str:
        """Everything about it in one line, for the tooltip."""
        p: Any = self.promotion  # labelled by _label
        parts = [p.name, p.code, p.kind_label, self.layer_label, str(p.status_label), self.when]
        return " · ".join(part for part in parts if part)

    @property
    def text_outside(self) -> str:
        """'after' or 'before' for a short bar (its dates go beside it, where the row has room), else ''."""
        short = SHORT_BAR_DAYS if ":" not in self.when else 2 * SHORT_BAR_DAYS
        if (self.shown_last - self.shown_first).days + 1 > short:
            return ""
        return "after" if self.shown_last.day <= self.month_days - 6 else "before"

    @property
    def layer(self) -> str:
        return spec.KINDS.get(self.promotion.kind, "")

    @property
    def layer_label(self) -> str:
        return str(LAYER_LABELS.get(self.layer, ""))

    @property
    def continues_before(self) -> bool:
        return self.first < self.shown_first

    @property
    def continues_after(self) -> bool:
        return self.last > self.shown_last


@dataclass
class ShopGroup:
    shop: Shop | None  # None: the promotions of every shop
    row: int  # the grid row of its heading
    bars: list[Bar]


# One or two letters: thirty-one day columns must fit a phone screen.
NARROW_WEEKDAYS = (
    pgettext_lazy("weekday, narrow", "Mo"),
    pgettext_lazy("weekday, narrow", "Tu"),
    pgettext_lazy("weekday, narrow", "We"),
    pgettext_lazy("weekday, narrow", "Th"),
    pgettext_lazy("weekday, narrow", "Fr"),
    pgettext_lazy("weekday, narrow", "Sa"),
    pgettext_lazy("weekday, narrow", "Su"),
)
LAYER_LABELS = {
    spec.ITEM: pgettext_lazy("promotion layer", "Item level"),
    spec.SHOP: pgettext_lazy("promotion layer", "Shop level"),
    spec.COUPON: pgettext_lazy("promotion layer", "Coupon"),
}


def _month(value: str | None) -> date:
    """?month=2026-11 → the 1st of that month; anything else (or a year no promotion can have) → this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if spec.YEARS[0] <= year <= spec.YEARS[1]:
            return date(year, month, 1)
    except ValueError:
        pass
    return timezone.localdate().replace(day=1)


def _shop(value: str | None) -> Shop | None:
    """?shop=<pk> → that shop; anything else → no filter (as the list page does)."""
    value = value or ""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return Shop.objects.filter(pk=int(value)).first()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _last_day(moment: datetime) -> date:
    """The local day a window ending at `moment` (exclusive) last runs on."""
    return timezone.localtime(moment - timedelta(microseconds=1)).date()


def _groups(first: date, last: date, rows: list[Any]) -> list[ShopGroup]:
    """The month's promotions by shop (every-shop ones first), events first in each, then by start."""
    by_shop: dict[int | None, list[Any]] = {}
    for p in rows:
        by_shop.setdefault(p.shop_id, []).append(p)

    def shop_order(pk: int | None) -> tuple[bool, str, int]:
        shop = by_shop[pk][0].shop
        return (shop is not None, shop.name if shop else "", pk or 0)

    groups: list[ShopGroup] = []
    row = 2  # row 1 is the days' header
    for pk in sorted(by_shop, key=shop_order):
        members = sorted(by_shop[pk], key=lambda p: (not p.is_event, p.starts_at, p.code, p.pk))
        group = ShopGroup(shop=members[0].shop, row=row, bars=[])
        for p in members:
            row += 1
            start, end = timezone.localtime(p.starts_at).date(), _last_day(p.ends_at)
            group.bars.append(Bar(p, start, end, max(start, first), min(end, last), row, last.day))
        groups.append(group)
        row += 1
    return groups


@login_required
def promotion_calendar(request: HttpRequest) -> HttpResponse:
    """The month as a timeline: one bar per promotion across the days it runs, grouped by shop."""
    first = _month(request.GET.get("month"))
    shop = _shop(request.GET.get("shop"))
    with_cancelled = request.GET.get("cancelled") == "1"
    zone = timezone.get_current_timezone()
    following = (first + timedelta(days=32)).replace(day=1)
    last = following - timedelta(days=1)
    rows: list[Any] = list(  # Promotions, given display attributes by _label
        selectors.calendar(
            start=datetime(first.year, first.month, 1, tzinfo=zone),
            end=datetime(following.year, following.month, 1, tzinfo=zone),
            shop=shop,
            cancelled=with_cancelled,
        )
    )
    _label(rows, timezone.now())
    groups = _groups(first, last, rows)
    today = timezone.localdate()
    kept = {"shop": shop.pk if shop else "", "cancelled": "1" if with_cancelled else ""}
    keep = urlencode({key: value for key, value in kept.items() if value})  # the filters, for the month links
    context = {
        "month": first,
        "previous": (first - timedelta(days=1)).replace(day=1),
        "following": following,
        "keep": keep,
        "days": [DayColumn(day, str(NARROW_WEEKDAYS[day.weekday()]), day == today) for day in _days(first, last)],
        "groups": groups,
        "rows_end": groups[-1].bars[-1].row + 1 if groups else 2,
        "events": sorted((p for p in rows if p.is_event), key=lambda p: (p.starts_at, p.code)),
        "statuses": [s for s in PromotionStatus if with_cancelled or s != PromotionStatus.CANCELLED],
        "layers": LAYER_LABELS,
        "shops": Shop.objects.all(),
        "shop": shop,
        "with_cancelled": with_cancelled,
        "today": today,
    }
    return edges.render_page(request, "promotions/calendar.html", context)


# --------------------------------------------------------------------------------------------------------
# Editor
# --------------------------------------------------------------------------------------------------------


def promotion_or_404(pk: int) -> Promotion:
    return get_object_or_404(Promotion.objects.select_related("shop", "created_by", "approved_by"), pk=pk)


def _approval(raw: Any, shop: Shop | None) -> dict[str, Any] | None:
    """Whether the spec needs a manager, and the depth that decides it when the spec alone tells it."""
    try:
        parsed = spec.parse_promotion(raw)
        check = services.approval_check(parsed, shop=shop)
    except (ValidationFailed, TypeError, KeyError, AttributeError):
        return None  # the form shows why the spec does not parse
    return {
        "needed": check.needed,
        "limit": spec.rate_text(_zhe(services.approval_limit())),
        "depth": spec.rate_text(_zhe(check.depth)) if check.depth is not None else None,
        "unknown_depth": check.unknown_depth,
        "coupon_without_minimum": parsed.kind == Kind.COUPON
        and parsed.params["rate"] is None
        and not parsed.params["min_spend"],
    }


def _zhe(share: Fraction) -> Decimal:
    """A share of the price as a 折 rate: 0.65 → 6.5 (spec.rate_text says it as "35% off" in English)."""
    return (Decimal(share.numerator) * 10 / Decimal(share.denominator)).quantize(Decimal("0.01"))


def _approval_notice(promotion: Promotion | None, raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the editor says about approval. It speaks of submitting, so only for a promotion still to be
    submitted (new, a draft, a rejected one), and for one waiting for a manager the reason it waits; an approved
    or cancelled promotion is past that."""
    if raw is None:
        return None
    if promotion is not None and promotion.state not in (PromotionState.DRAFT, PromotionState.REJECTED):
        if promotion.state != PromotionState.SUBMITTED:
            return None
        approval = _approval(raw, promotion.shop)
        return approval if approval and approval["needed"] else None
    return _approval(raw, promotion.shop if promotion else None)


def _stock_cap_only(promotion: Promotion | None, now: datetime) -> bool:
    """An approved flash sale that has not ended: its stock_cap is the one thing that may still change."""
    return (
        promotion is not None
        and promotion.kind == Kind.FLASH_SALE
        and promotion.state == PromotionState.APPROVED
        and promotion.ends_at > now
    )


def _editor(
    request: HttpRequest,
    promotion: Promotion | None,
    form: forms.Form,
    *,
    status: int = 200,
    editor: EditorForm | None = None,
    cart_form: SampleCartForm | None = None,
    advanced_open: bool = False,
) -> HttpResponse:
    """The editor page. `form` is what was posted (or the unbound editor form); `editor` the form the fields are
    drawn from when `form` is the JSON form (an import-like post), built from the JSON it posted."""
    now = timezone.now()
    can_manage = request.user.has_perm(roles.MANAGE_PROMOTIONS)
    editable = promotion is None or promotion.state in services.EDITABLE_STATES
    raw = getattr(form, "cleaned_data", {}).get("spec") or form.initial.get("spec_data")
    if not isinstance(raw, dict):
        raw = None
    if raw is None and promotion is not None:
        raw = promotion.spec
    stock_cap_only = _stock_cap_only(promotion, now)
    shop = promotion.shop if promotion else None
    if editor is None:
        editor = form if isinstance(form, EditorForm) else _editor_from_json(form, promotion)
    if cart_form is None:
        cart_form = SampleCartForm(initial=_cart_initial(editor, shop))
    can_edit = can_manage and (stock_cap_only or (editable and not (promotion and promotion.started_at(now))))
    audit = list(selectors.promotion_history(promotion)) if promotion else []
    context = {
        "promotion": promotion,
        "form": form,
        "editor": editor,
        "window_form": form if "starts_at" in form.fields else editor,
        "cart_form": cart_form,
        "can_edit": can_edit,
        "fields_editable": can_edit and not stock_cap_only,
        "stock_cap_only": stock_cap_only,
        "advanced_open": advanced_open or bool(form.errors.get("spec")),
        # JSON that could not be loaded stays in its box as typed: the preview must not put the form's over it.
        "spec_kept": can_edit and not stock_cap_only and bool(form.errors.get("spec")),
        "spec_text": form["spec"].value() if "spec" in form.fields else "",
        "reach": selectors.scope_reach(editor.scope(), shop if promotion else _form_shop(editor)),
        "kinds": [(k, kind_label(k)) for k in spec.KINDS],
        "approval": _approval_notice(promotion, raw),
        "flash_sales": list(promotion.flash_sales.select_related("sku").order_by("sku__code")) if promotion else [],
        "audit": audit,
        "submit_note": selectors.submission_note(promotion) if promotion else "",
        "note_form": NoteForm(),
        "form_url": reverse("promotions:promotion-detail", args=[promotion.pk])
        if promotion
        else reverse("promotions:promotion-new"),
        "cart_lines": cart_form.table("lines"),
    }
    if promotion is not None:
        editor.fields["code"].widget.attrs["readonly"] = True
    editor.locked = not context["fields_editable"]
    if not context["fields_editable"]:
        for name in WINDOW_KEYS:
            context["window_form"].fields[name].widget.attrs["readonly"] = True
    for sale in context["flash_sales"]:
        sale.status_label = FlashSaleStatus(sale.status_at(now)).label
    if promotion:
        _label([promotion], now)
    return edges.render_page(request, "promotions/editor.html", context, status=status)


def _form_shop(form: forms.Form) -> Shop | None:
    """The shop chosen on the form, whether or not the rest of it is valid."""
    return form_shop(form) if "shop" in form.fields else None


def _editor_from_json(form: forms.Form, promotion: Promotion | None) -> EditorForm:
    """The fields drawn from the JSON a post sent (when it is an object), else from the stored spec."""
    raw: Any = None
    try:
        raw = json.loads(form["spec"].value() or "")
    except (ValueError, TypeError):
        raw = None
    if not isinstance(raw, dict):
        raw = promotion.spec if promotion else starter_spec(Kind.SPEND_SAVE, FALLBACK_CART)
    shop = promotion.shop if promotion else _form_shop(form)
    return EditorForm(initial=spec_initial(raw, shop=shop))


def _cart_initial(editor: EditorForm, shop: Shop | None) -> dict[str, Any]:
    shop = shop if shop else _form_shop(editor)
    codes = selectors.default_cart_skus(editor.scope(), shop)
    return {"lines": [{"sku": code, "quantity": 1} for code in codes], "shop": shop}


def _cart_json(shop: Shop | None, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sample cart the engine reads for picked rows; the catalog's (or the fixed example) without rows."""
    if rows:
        lines = selectors.sample_lines(shop=shop, rows=[(r["sku"], r["quantity"]) for r in rows]).lines
        if lines:
            return {"lines": lines}
    return sample_cart(shop)


def _initial(*, shop: Shop | None, raw: dict[str, Any]) -> dict[str, Any]:
    """The editor's fields from a spec; the advanced JSON without the window (it has its own two fields)."""
    shown = {k: v for k, v in raw.items() if k not in WINDOW_KEYS}
    initial = spec_initial(raw, shop=shop)
    codes = selectors.default_cart_skus(raw.get("scope"), shop)
    cart = _cart_json(shop, [{"sku": code, "quantity": 1} for code in codes])
    return {**initial, "spec": dumps(shown), "cart": dumps(cart), "spec_data": raw}


def _save(request: HttpRequest, promotion: Promotion | None) -> HttpResponse:
    """POST of the editor: save (the fields, or a whole spec as JSON), load the JSON into the fields, or switch
    the kind. Only saving writes, and needs `manage_promotions`."""
    action = request.POST.get("action", "save")
    source = request.POST.get("source")
    if action == "load":
        return _load(request, promotion)
    if action == "kind":
        return _switch_kind(request, promotion)
    edges.require(request, roles.MANAGE_PROMOTIONS)
    data = request.POST
    if source == "stock_cap" and promotion is not None:
        data = _stock_cap_post(promotion, request.POST.get("stock_cap", ""))
        source = "json"
    form: forms.Form = EditorForm(data) if source == "form" else PromotionForm(data)
    cart_form = SampleCartForm(request.POST) if source == "form" else None
    if form.is_valid():
        raw = form.cleaned_data["spec"]
        if promotion is not None and isinstance(form, EditorForm):
            raw = keep_unchanged(raw, promotion.spec)
        with edges.form_errors(form) as outcome:
            try:
                if promotion is None:
                    saved = services.create_promotion(actor=request.user, shop=form.cleaned_data["shop"], raw_spec=raw)
                else:
                    saved = services.update_promotion(actor=request.user, promotion=promotion, raw_spec=raw)
            except PromotionCodeTaken as exc:
                outcome.ok = False
                form.add_error("code" if isinstance(form, EditorForm) else "spec", exc.message)
            except (spec.SpecError, InvalidFlashSale) as exc:
                outcome.ok = False
                if isinstance(form, EditorForm):
                    form.add_spec_error(exc.message)
                else:
                    form.add_error("spec", exc.message)
        if outcome.ok:
            messages.success(
                request, _("Draft saved. Submit it when it is ready.") if promotion is None else _("Promotion saved.")
            )
            return redirect("promotions:promotion-detail", pk=saved.pk)
    again = promotion_or_404(promotion.pk) if promotion else None
    return _editor(request, again, form, status=edges.FORM_ERROR, cart_form=cart_form)


def _stock_cap_post(promotion: Promotion, stock_cap: str) -> dict[str, Any]:
    """An approved flash sale's one changeable number, posted as the JSON form posts the whole spec."""
    shown = {k: v for k, v in promotion.spec.items() if k not in WINDOW_KEYS}
    value: Any = stock_cap.strip()
    shown["stock_cap"] = int(value) if value.isascii() and value.isdigit() else value
    window = {k: timezone.localtime(getattr(promotion, k)).strftime("%Y-%m-%dT%H:%M:%S") for k in WINDOW_KEYS}
    return {"spec": json.dumps(shown, ensure_ascii=False), "shop": promotion.shop_id or "", **window}


def _load(request: HttpRequest, promotion: Promotion | None) -> HttpResponse:
    """ "Load into the form": the fields drawn from the JSON of the advanced view (nothing is saved)."""
    cart_form = SampleCartForm(request.POST)
    text = request.POST.get("spec", "")
    try:
        raw = JsonField(expect=dict).clean(text)
    except forms.ValidationError as exc:
        form = EditorForm(request.POST)
        form.is_valid()
        form.add_error("spec", exc)
        return _editor(request, promotion, form, status=edges.FORM_ERROR, cart_form=cart_form, advanced_open=True)
    if raw.get("kind") not in set(Kind):
        form = EditorForm(request.POST)
        form.is_valid()
        form.add_error(
            "spec", _("Unknown kind %(kind)r: one of %(kinds)s.") % {"kind": raw.get("kind"), "kinds": ", ".join(Kind)}
        )
        return _editor(request, promotion, form, status=edges.FORM_ERROR, cart_form=cart_form, advanced_open=True)
    posted_window = EditorForm(request.POST)
    posted_window.is_valid()
    for key in WINDOW_KEYS:  # the JSON's window when it has one, else the one in the fields
        if not raw.get(key) and getattr(posted_window, "cleaned_data", {}).get(key):
            raw[key] = timezone.localtime(posted_window.cleaned_data[key]).isoformat()
    if promotion is not None:
        raw["id"] = promotion.code
    shop = promotion.shop if promotion else _form_shop(posted_window)
    shown = {k: v for k, v in raw.items() if k not in WINDOW_KEYS}
    initial = {**spec_initial(raw, shop=shop), "spec": dumps(shown), "cart": request.POST.get("cart", "")}
    return _editor(request, promotion, EditorForm(initial=initial), cart_form=cart_form, advanced_open=True)


def _switch_kind(request: HttpRequest, promotion: Promotion | None) -> HttpResponse:
    """Another kind picked: its own fields, filled as the kind's starter (docs/pricing.md's example); the name,
    window, scope and sample cart stay as they are."""
    kind = Kind(request.POST["kind"]) if request.POST.get("kind") in set(Kind) else Kind.SPEND_SAVE
    data = request.POST.copy()
    for name in {*(n for k in Kind for n in kind_fields(k))}:
        for key in [name, *(key for key in data if key.startswith(f"{name}-"))]:
            data.pop(key, None)
    starter = starter_spec(kind, FALLBACK_CART)
    for name, values in posted({"kind": str(kind), **kind_initial(kind, starter)}).items():
        data.setlist(name, values)
    if kind == Kind.BUNDLE or kind == Kind.GIFT:  # the starter's codes are placeholders: pick from the catalog
        for key in ("items-sku", "gift_sku"):
            if key in data:
                data.setlist(key, ["" for _value in data.getlist(key)])
    editor = EditorForm(initial=_initial_from_post(data, kind))
    if edges.wants_fragment(request):
        context = {"editor": editor, "fields_editable": True}
        return edges.render_page(request, "promotions/_editor_kind.html", context)
    return _editor(request, promotion, editor, cart_form=SampleCartForm(request.POST))


def _initial_from_post(data: Any, kind: Kind) -> dict[str, Any]:
    """Posted values as initial ones (so that the switched form shows no errors for what is not filled yet)."""
    probe = EditorForm(data, require_window=False)
    initial: dict[str, Any] = {"kind": str(kind)}
    for name, field in probe.fields.items():
        value = probe[name].value()
        if isinstance(field, RowsField):
            initial[name] = value
        elif name in CHIP_FIELDS:
            initial[name] = probe.chips(name)
        else:
            initial[name] = value
    return initial


@login_required
@edges.guarded
def promotion_new(request: HttpRequest) -> HttpResponse:
    """GET: a starter spec of ?kind= (满减 by default) in the form; POST: save it as a draft (see _save)."""
    if request.method == "POST":
        return _save(request, None)
    shop = Shop.objects.filter(pk=request.GET.get("shop")).first() if request.GET.get("shop", "").isdigit() else None
    raw = starter_spec(request.GET.get("kind", ""), sample_cart(shop))
    form = EditorForm(initial=_initial(shop=shop, raw=raw))
    return _editor(request, None, form)


@login_required
@edges.guarded
def promotion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the promotion in the form; POST: save the change (drafts and submitted ones only; see _save)."""
    promotion = promotion_or_404(pk)
    if request.method == "POST":
        return _save(request, promotion)
    return _editor(request, promotion, EditorForm(initial=_initial(shop=promotion.shop, raw=promotion.spec)))


@login_required
def editor_catalog(request: HttpRequest) -> HttpResponse:
    """The editor's catalog search (htmx): categories, products, SKUs or roles of the shop matching ?q=, at
    most 20, each a button that picks it: `for=scope|exclude` as a chip of the scope, `for=sku` as the one SKU
    of a SKU field (a bundle item, the gift, a line of the sample cart)."""
    target = request.GET.get("for", "scope")
    mode = request.GET.get("scope_mode", "")
    if target == "sku":
        types: tuple[str, ...] = ("skus",)
    elif target == "scope" and mode in selectors.SEARCH_TYPES:
        types = (mode,)
    else:
        types = ("categories", "products", "skus")
    shop = _shop(request.GET.get("shop"))
    query = request.GET.get("q", "")[:100]
    matches = selectors.catalog_matches(shop=shop, query=query, types=types)
    side = "exclude" if target == "exclude" else "scope"
    context = {"matches": matches, "target": target, "side": side, "query": query}
    return edges.render_page(request, "promotions/_catalog_matches.html", context)


def _state_change(request: HttpRequest, pk: int, permission: str, change: Any, done: str) -> HttpResponse:
    """Submit, approve or cancel: one service call; a refusal comes back as a message on the editor."""
    edges.require(request, permission)
    promotion = promotion_or_404(pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    with edges.message_errors(request) as outcome:
        promotion = change(actor=request.user, promotion=promotion, note=note)
    if outcome.ok:
        messages.success(request, done)
    return redirect("promotions:promotion-detail", pk=pk)


@login_required
@edges.guarded
@require_POST
def promotion_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(
        request,
        pk,
        roles.MANAGE_PROMOTIONS,
        services.submit_promotion,
        _("Submitted: approved at once unless it needs a manager."),
    )


@login_required
@edges.guarded
@require_POST
def promotion_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, roles.APPROVE_PROMOTIONS, services.approve_promotion, _("Promotion approved."))


@login_required
@edges.guarded
@require_POST
def promotion_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, roles.MANAGE_PROMOTIONS, services.cancel_promotion, _("Promotion cancelled."))


# --------------------------------------------------------------------------------------------------------
# Live preview
# --------------------------------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    line: dict[str, Any]
    paid_without: str


def compare(
    cart: spec.Cart, draft: spec.Promotion, running: list[spec.Promotion], stacking: str | None = None
) -> dict[str, Any]:
    """The cart priced with the running promotions plus the draft, and without the draft (same line order), under
    the shop's stacking policy."""
    others = [p for p in running if p.id != draft.id]
    with_draft, without = quote(cart, [*others, draft], stacking), quote(cart, others, stacking)
    shown, other = with_draft.as_dict(), without.as_dict()
    return {
        "draft": draft,
        "running": others,
        "names": {p.id: p.name or p.id for p in [*others, draft]},
        "rows": [PreviewRow(line, o["paid"]) for line, o in zip(shown["lines"], other["lines"], strict=True)],
        "with": shown,
        "without": other,
        "saving": spec.yuan(without.payable - with_draft.payable),
    }


@login_required
@require_POST
def promotion_preview(request: HttpRequest) -> HttpResponse:
    """The editor's sample cart priced with the draft: a partial, with errors inside it, never a 500.

    From the fields (`source=form`) it also brings the advanced JSON, the cart JSON (for the what-if button)
    and the count of SKUs the scope reaches up to date (out-of-band swaps); from a JSON spec as before."""
    if request.POST.get("source") == "form":
        return _preview_from_fields(request)
    data = request.POST.copy()
    cart_form = SampleCartForm(request.POST)
    if cart_form.is_valid() and cart_form.cleaned_data["lines"]:
        data["cart"] = json.dumps(_cart_from(cart_form, _shop(request.POST.get("shop"))))
    form = PreviewForm(data)
    context: dict[str, Any] = {"form": form, "problems": _problems(form)}
    if form.is_valid():
        data = form.cleaned_data
        try:
            cart = spec.parse_cart(data["cart"])
            draft = spec.parse_promotion(data["spec"], "promotion")
            running = selectors.running_promotions(data["shop"], at=cart.at)
            shop = data["shop"]
            context["preview"] = compare(cart, draft, running, shop.pricing_policy if shop else None)
        except ValidationFailed as exc:
            context["error"] = exc.message
    return edges.render_page(request, "promotions/_preview.html", context)


def _problems(form: forms.Form) -> list[tuple[str, str]]:
    """A form's errors as the preview lists them: the field's label (its name for the JSON fields), the message."""
    out = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label and name not in ("spec", "cart") else name
        out += [(label if name != "__all__" else "", str(e)) for e in errors]
    return out


def _cart_from(cart_form: SampleCartForm, shop: Shop | None) -> dict[str, Any]:
    rows = cart_form.cleaned_data["lines"]
    lines = selectors.sample_lines(shop=shop, rows=[(r["sku"], r["quantity"]) for r in rows]).lines
    cart: dict[str, Any] = {"lines": lines}
    if cart_form.cleaned_data["buyer_tier"]:
        cart["buyer"] = {"tier": cart_form.cleaned_data["buyer_tier"]}
    return cart


def _preview_from_fields(request: HttpRequest) -> HttpResponse:
    form = EditorForm(request.POST, require_window=False)
    cart_form = SampleCartForm(request.POST)
    valid = form.is_valid()
    shop = _form_shop(form)
    context: dict[str, Any] = {
        "form": form,
        "problems": _problems(form) + _problems(cart_form),
        "oob": True,
        "reach": selectors.scope_reach(form.scope(), shop),
    }
    cart: dict[str, Any] | None = None
    if cart_form.is_valid():
        rows = cart_form.cleaned_data["lines"]
        found = selectors.sample_lines(shop=shop, rows=[(r["sku"], r["quantity"]) for r in rows])
        context["problems"] += [("", p) for p in found.problems]
        if rows and found.lines and not found.problems:
            cart = _cart_from(cart_form, shop)
        elif not rows:
            try:
                cart = JsonField(expect=dict).clean(request.POST.get("cart", "")) or sample_cart(shop)
            except forms.ValidationError:
                cart = sample_cart(shop)
            if cart_form.cleaned_data["buyer_tier"]:
                cart = {**cart, "buyer": {"tier": cart_form.cleaned_data["buyer_tier"]}}
    if valid:
        raw = form.cleaned_data["spec"]
        context["spec_text"] = dumps({k: v for k, v in raw.items() if k not in WINDOW_KEYS})
        if cart is not None and raw.get("kind") == Kind.COUPON and raw.get("codes") and not cart.get("coupons"):
            cart = {**cart, "coupons": raw["codes"][:1]}  # the sample buyer offers the draft coupon's code
        if cart is not None and not context["problems"]:
            context["cart_text"] = dumps(cart)
            try:
                parsed_cart = spec.parse_cart(cart)
                draft = spec.parse_promotion(raw, "promotion")
                running = selectors.running_promotions(shop, at=parsed_cart.at)
                context["preview"] = compare(parsed_cart, draft, running, shop.pricing_policy if shop else None)
            except ValidationFailed as exc:
                context["error"] = exc.message
    return edges.render_page(request, "promotions/_preview.html", context)
