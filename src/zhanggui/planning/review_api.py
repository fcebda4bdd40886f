"""Monthly review endpoints (月度运营总结及计划表): figures, text sections, exports (docs/planning.md).

A review is named by its shop's code, year and month (query parameters for reads, the body for writes); without
them a read is about the first shop's last month. Reading is open to every role; planning.review checks who
writes the texts (the 店长 and the 运营) and who closes and reopens (the 店长).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.planning import review, review_exports
from zhanggui.planning.models import MonthlyReview

router = Router(tags=["planning"])


class MonthlyReviewOut(Schema):
    shop: str
    year: int
    month: int
    closed: bool
    closed_at: str | None
    texts: dict[str, str]
    figures: dict[str, Any]
    sentences: list[str]


class ReviewRef(Schema):
    shop: str
    year: int
    month: int


class TextsIn(ReviewRef):
    went_well: str | None = None
    problems: str | None = None
    next_targets: str | None = None
    next_activities: str | None = None
    next_budget: str | None = None


def _shop(code: str | None) -> Shop:
    if code:
        return get_or_404(Shop.objects.all(), _("Shop"), code=code)
    first = Shop.objects.order_by("code").first()
    return first if first is not None else get_or_404(Shop.objects.all(), _("Shop"), code="")


def _when(year: int | None, month: int | None) -> tuple[int, int]:
    default = review.default_month()
    return year or default[0], month or default[1]


def _out(item: MonthlyReview) -> dict[str, Any]:
    found = review.figures_of(item)
    return {
        "shop": item.shop.code,
        "year": item.year,
        "month": item.month,
        "closed": item.closed_at is not None,
        "closed_at": item.closed_at.isoformat() if item.closed_at else None,
        "texts": {key: getattr(item, key) for key in review.TEXTS},
        "figures": found,
        "sentences": review.sentences(found),
    }


def _get(shop: str | None, year: int | None, month: int | None) -> MonthlyReview:
    y, m = _when(year, month)
    return review.get(shop=_shop(shop), year=y, month=m)


@router.get("", response={200: MonthlyReviewOut, **ERRORS})
def get_review(request, shop: str | None = None, year: int | None = None, month: int | None = None):
    """The review: its figures (as closed, or live while open: money and rates as strings), texts, sentences."""
    return _out(_get(shop, year, month))


@router.put("", response={200: MonthlyReviewOut, **ERRORS})
def put_texts(request, body: TextsIn):
    """Save the text sections sent (a section left out stays as it is)."""
    texts = {key: value for key in review.TEXTS if (value := getattr(body, key)) is not None}
    item = review.save_texts(actor=request.auth, shop=_shop(body.shop), year=body.year, month=body.month, texts=texts)
    return _out(item)


@router.post("/close", response={200: MonthlyReviewOut, **ERRORS})
def close_review(request, body: ReviewRef):
    """Close the review: its figures are kept as they are now (409 when it is closed already)."""
    return _out(review.close(actor=request.auth, shop=_shop(body.shop), year=body.year, month=body.month))


@router.post("/reopen", response={200: MonthlyReviewOut, **ERRORS})
def reopen_review(request, body: ReviewRef):
    """Reopen a closed review: its figures are live again (an open review is left as it is)."""
    return _out(review.reopen(actor=request.auth, shop=_shop(body.shop), year=body.year, month=body.month))


@router.get("/xlsx", response={200: None, **ERRORS})
def review_xlsx(request, shop: str | None = None, year: int | None = None, month: int | None = None):
    """The review as an XLSX workbook."""
    item = _get(shop, year, month)
    found = review.figures_of(item)
    response = HttpResponse(review_exports.xlsx(found, item), content_type=review_exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{review_exports.filename(found, "xlsx")}"'
    return response


@router.get("/pdf", response={200: None, **ERRORS})
def review_pdf(request, shop: str | None = None, year: int | None = None, month: int | None = None):
    """The review as a PDF (Chinese text embedded with a CJK font where the server has one)."""
    item = _get(shop, year, month)
    found = review.figures_of(item)
    response = HttpResponse(review_exports.pdf(found, item), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{review_exports.filename(found, "pdf")}"'
    return response
