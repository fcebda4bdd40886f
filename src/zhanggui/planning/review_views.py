"""The monthly review page (/planning/review/): the month's figures, the sentences that say why GMV moved, the
text sections, close and reopen, and the XLSX and PDF downloads. Every role reads; planning.review checks who
writes (the 店长 and the 运营) and who closes (the 店长)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles
from zhanggui.planning import review, review_exports
from zhanggui.planning.models import MonthlyReview


class TextsForm(forms.Form):
    """The five text sections: free text the team writes."""

    went_well = forms.CharField(label=review.TEXT_LABELS["went_well"], required=False, widget=forms.Textarea)
    problems = forms.CharField(label=review.TEXT_LABELS["problems"], required=False, widget=forms.Textarea)
    next_targets = forms.CharField(label=review.TEXT_LABELS["next_targets"], required=False, widget=forms.Textarea)
    next_activities = forms.CharField(
        label=review.TEXT_LABELS["next_activities"], required=False, widget=forms.Textarea
    )
    next_budget = forms.CharField(label=review.TEXT_LABELS["next_budget"], required=False, widget=forms.Textarea)


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        found = int(value or default)
    except ValueError:
        return default
    return found if low <= found <= high else default


def _chosen(params: Any) -> tuple[Shop | None, int, int, list[Shop]]:
    shops = list(Shop.objects.order_by("code"))
    code = params.get("shop")
    shop = next((s for s in shops if s.code == code), shops[0] if shops else None)
    year, month = review.default_month()
    return shop, _int(params.get("year"), year, 2000, 2100), _int(params.get("month"), month, 1, 12), shops


def _url(shop: Shop, year: int, month: int, name: str = "planning:review") -> str:
    return f"{reverse(name)}?{urlencode({'shop': shop.code, 'year': year, 'month': month})}"


def _figure_rows(found: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in found["figures"]:
        kind = review.FIGURE_KINDS[row["key"]]
        rows.append(
            {
                "key": row["key"],
                "label": review.label(row["key"]),
                "now": review.cell(kind, row["now"]),
                "target": review.cell(kind, row["target"]),
                "reached": review.cell("fraction", row["reached"]),
                "previous": review.cell(kind, row["previous"]),
                "vs_previous": review.change_text(row["vs_previous"]),
                "last_year": review.cell(kind, row["last_year"]),
                "vs_last_year": review.change_text(row["vs_last_year"]),
            }
        )
    return rows


def _page(
    request: HttpRequest,
    shop: Shop | None,
    year: int,
    month: int,
    shops: list[Shop],
    *,
    form: TextsForm | None = None,
    status: int = 200,
    saved: bool = False,
) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "shops": shops,
        "shop": shop,
        "year": year,
        "month": month,
        "years": sorted({*range(today.year - 3, today.year + 2), year}),
        "months": range(1, 13),
        "saved": saved,
    }
    if shop is not None:
        item = review.get(shop=shop, year=year, month=month)
        found = review.figures_of(item)
        context |= {
            "review": item,
            "found": found,
            "figure_rows": _figure_rows(found),
            "sentences": review.sentences(found),
            "sections": review_exports.sections(found, item),
            "form": form or TextsForm(initial={key: getattr(item, key) for key in review.TEXTS}),
            # a refused save shows the form again (closed meanwhile, say), so what was typed is not lost
            "may_write": review.may_write(request.user) and (item.closed_at is None or form is not None),
            "may_close": roles.holds(request.user, review.CLOSE_REVIEW),
            "query": urlencode({"shop": shop.code, "year": year, "month": month}),
        }
    return edges.render_page(
        request, "planning/review.html", context, fragment="planning/_review_texts.html", status=status
    )


@login_required
def review_page(request: HttpRequest) -> HttpResponse:
    shop, year, month, shops = _chosen(request.GET)
    return _page(request, shop, year, month, shops)


def _posted(request: HttpRequest) -> tuple[Shop, int, int]:
    shop, year, month, _shops = _chosen(request.POST)
    if shop is None or shop.code != request.POST.get("shop"):
        raise Http404
    return shop, year, month


@login_required
@edges.guarded
@require_POST
def review_save(request: HttpRequest) -> HttpResponse:
    edges.require(request, review.WRITE_REVIEW)
    shop, year, month = _posted(request)
    form = TextsForm(request.POST)
    if form.is_valid():
        try:
            review.save_texts(actor=request.user, shop=shop, year=year, month=month, texts=form.cleaned_data)
        except review.ReviewError as exc:
            form.add_error(None, exc.message)
        else:
            if edges.wants_fragment(request):
                return _page(request, shop, year, month, [shop], saved=True)
            messages.success(request, _("The review is saved."))
            return redirect(_url(shop, year, month))
    return _page(request, shop, year, month, [shop], form=form, status=edges.FORM_ERROR)


@login_required
@edges.guarded
@require_POST
def review_close(request: HttpRequest) -> HttpResponse:
    edges.require(request, review.CLOSE_REVIEW)
    shop, year, month = _posted(request)
    try:
        if request.POST.get("action") == "reopen":
            review.reopen(actor=request.user, shop=shop, year=year, month=month)
            messages.success(request, _("The review is open again: its figures are live."))
        else:
            review.close(actor=request.user, shop=shop, year=year, month=month)
            messages.success(request, _("The review is closed: its figures stay as they are now."))
    except review.ReviewError as exc:
        messages.error(request, exc.message)
    return redirect(_url(shop, year, month))


def _export(request: HttpRequest) -> tuple[dict[str, Any], MonthlyReview]:
    shop, year, month, _shops = _chosen(request.GET)
    if shop is None:
        raise Http404
    item = review.get(shop=shop, year=year, month=month)
    return review.figures_of(item), item


@login_required
def review_xlsx(request: HttpRequest) -> HttpResponse:
    found, item = _export(request)
    response = HttpResponse(review_exports.xlsx(found, item), content_type=review_exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{review_exports.filename(found, "xlsx")}"'
    return response


@login_required
def review_pdf(request: HttpRequest) -> HttpResponse:
    found, item = _export(request)
    response = HttpResponse(review_exports.pdf(found, item), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{review_exports.filename(found, "pdf")}"'
    return response
