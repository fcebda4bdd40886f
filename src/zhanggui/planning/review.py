"""The monthly review (月度运营总结及计划表, docs/planning.md "Monthly review"): a shop's month in figures, generated
from the actuals, with the text sections the team writes; closing it keeps the figures as they were.

The figures are computed as Decimals and handed on as one JSON-able dict of strings (`build`), the same shape a
closed review keeps in `MonthlyReview.figures`, so the page, the API and the exports read one thing whether the
review is open (figures live) or closed (figures as closed). Labels are not stored: they are translated when shown.

Sources: analytics.metrics (one `load` for the month, the previous month and the same month last year),
analytics.dashboard.decompose (GMV's change in UV × conversion × AOV), analytics.pnl (SKU profit), the after-sales
reports' selectors (the platform's 退款率 and refunds by reason), the plan (drivers' targets) and analytics'
monthly target (GMV), and the checklist through CHECKLIST_SOURCES (the desk registers itself: planning may not
import desk, which sits above it in the layers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.aftersales.models import CaseReason
from zhanggui.aftersales.reports import selectors as aftersales_reports
from zhanggui.analytics import dashboard, metrics, pnl
from zhanggui.analytics.metrics import ZERO, Figures, Span, ratio
from zhanggui.analytics.models import AdChannel
from zhanggui.catalog.models import Shop
from zhanggui.core import roles
from zhanggui.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from zhanggui.core.money import MINUS, fmt_money
from zhanggui.core.services import record_audit
from zhanggui.planning import services as plans
from zhanggui.planning.models import MonthlyReview

#: How many SKUs the best and the worst lists hold.
TOP = 5
#: The text sections, in the order the page and the exports show them.
TEXTS = ("went_well", "problems", "next_targets", "next_activities", "next_budget")
TEXT_LABELS = {
    "went_well": gettext_lazy("What went well"),
    "problems": gettext_lazy("Problems"),
    "next_targets": gettext_lazy("Next month's targets"),
    "next_activities": gettext_lazy("Next month's activities"),
    "next_budget": gettext_lazy("Next month's budget"),
}
#: Who writes the text sections: the 店长 and the 运营 (the ones who run the month's activities and ads). The
#: matrix has no review right of its own; managing promotions is held by exactly those two roles.
WRITE_REVIEW = roles.MANAGE_PROMOTIONS
#: Who closes and reopens a review: the 店长, as for the plan itself.
CLOSE_REVIEW = plans.EDIT_PLANS

FIGURE_LABELS = {
    "gmv": gettext_lazy("GMV"),
    "orders": gettext_lazy("Orders"),
    "buyers": gettext_lazy("Paying buyers"),
    "uv": gettext_lazy("Visitors (UV)"),
    "conversion": gettext_lazy("Conversion"),
    "aov": gettext_lazy("Average order value"),
    "refunds": gettext_lazy("Refunded"),
    "ad_spend": gettext_lazy("Ad spend"),
    "gross_profit": gettext_lazy("Gross profit"),
}
FIGURE_KINDS = {
    "gmv": "money",
    "orders": "int",
    "buyers": "int",
    "uv": "int",
    "conversion": "fraction",
    "aov": "money",
    "refunds": "money",
    "ad_spend": "money",
    "gross_profit": "money",
}
FACTOR_LABELS = {
    "uv": gettext_lazy("UV"),
    "conversion": gettext_lazy("conversion"),
    "aov": gettext_lazy("AOV"),
}


class ReviewError(DomainError):
    code = "review_error"
    http_status = 409


# --------------------------------------------------------------------------------------------------------
# The checklist, from the desk (registered by desk.apps)
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """The month's checklist: items done ÷ items due (one due per item and day the sheet was opened)."""

    done: int
    due: int
    problems: int = 0
    days: int = 0

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.done, self.due)


ChecklistSource = Callable[[Shop, date, date], Completion | None]
CHECKLIST_SOURCES: list[ChecklistSource] = []


def register_checklist_source(source: ChecklistSource) -> ChecklistSource:
    """A higher app (the desk) tells the review how to read the checklist's completion; registering twice is
    harmless (AppConfig.ready may run more than once in tests)."""
    if source not in CHECKLIST_SOURCES:
        CHECKLIST_SOURCES.append(source)
    return source


def checklist(shop: Shop, first: date, last: date) -> Completion | None:
    for source in CHECKLIST_SOURCES:
        found = source(shop, first, last)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------------------------------------


def month_span(year: int, month: int) -> Span:
    return plans.month_span(year, month)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _s(value: Any) -> Any:
    """A figure as JSON keeps it: Decimals as strings (exact), ints as ints, None as None."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def _targets(shop: Shop, year: int, month: int) -> dict[str, Any]:
    """The month's targets: GMV from analytics' monthly target (which the plan writes), UV, conversion and AOV from
    the plan's month where the driver tree was filled in."""
    found: dict[str, Any] = {"gmv": metrics.month_target(shop=shop, month=date(year, month, 1))}
    plan = plans.current(shop, year)
    row = plan.months.filter(month=month).first() if plan is not None else None
    if row is not None:
        found |= {"uv": row.uv, "conversion": row.conversion, "aov": row.aov}
    return found


def _figure_rows(now: Figures, before: Figures, last_year: Figures, targets: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key in FIGURE_LABELS:
        value, target = getattr(now, key), targets.get(key)
        rows.append(
            {
                "key": key,
                "now": _s(value),
                "target": _s(target),
                "reached": _s(ratio(value, target)),
                "previous": _s(getattr(before, key)),
                "vs_previous": _s(metrics.change(value, getattr(before, key))),
                "last_year": _s(getattr(last_year, key)),
                "vs_last_year": _s(metrics.change(value, getattr(last_year, key))),
            }
        )
    return rows


def _sku(row: pnl.PnlRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "title": row.title,
        "units": row.units,
        "revenue": _s(row.revenue),
        "profit": _s(row.profit),
        "margin": _s(row.margin),
    }


def _ads(raw: metrics.Raw, span: Span) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    channels, _plans = dashboard.ad_rows(raw, span)
    rows = [{"channel": r.channel, "spend": _s(r.spend), "gmv": _s(r.gmv), "roi": _s(r.roi)} for r in channels]
    if not channels:
        return rows, None
    spend = sum((r.spend for r in channels), ZERO)
    gmv = sum((r.gmv for r in channels), ZERO)
    return rows, {"spend": _s(spend), "gmv": _s(gmv), "roi": _s(ratio(gmv, spend, metrics.CENT))}


def _aftersales(shop: Shop, span: Span, refunded_money: Decimal) -> dict[str, Any]:
    """The platform's 退款率 (successful refunds ÷ sub-orders paid, in percent) and the refunds by reason, as the
    after-sales reports count them; the money refunded in the month as analytics counts it (each refund on its
    day)."""
    period = aftersales_reports.Period(span.first, span.last)
    paid = aftersales_reports.paid_lines(period, shop)
    refunded = aftersales_reports.refunded_lines(period, shop)
    by_reason: dict[str, list[aftersales_reports.RefundedLine]] = defaultdict(list)
    for line in refunded:
        by_reason[line.reason].append(line)
    reasons = []
    for reason in CaseReason.values:
        lines = by_reason.get(reason)
        if not lines:
            continue
        count = len({r.order_line_id for r in lines})
        reasons.append(
            {
                "reason": reason,
                "refunds": count,
                "refunded": _s(sum((r.amount for r in lines), ZERO)),
                "rate": _s(aftersales_reports.rate(count, len(paid))),
            }
        )
    reasons.sort(key=lambda r: -r["refunds"])
    count = len({r.order_line_id for r in refunded})
    return {
        "refunded": _s(refunded_money),
        "sub_orders": len(paid),
        "refunds": count,
        "refund_rate": _s(aftersales_reports.rate(count, len(paid))),
        "refunded_by_reason": _s(sum((r.amount for r in refunded), ZERO)),
        "reasons": reasons,
    }


def build(*, shop: Shop, year: int, month: int) -> dict[str, Any]:
    """Every figure of the shop's month, as a closed review keeps them (strings for Decimals)."""
    span = month_span(year, month)
    before_span = month_span(*previous_month(year, month))
    year_ago = month_span(year - 1, month)
    raw = metrics.load(shop=shop, spans=[span, before_span, year_ago])
    now, before, last_year = (metrics.figures(raw, s) for s in (span, before_span, year_ago))
    parts = dashboard.decompose(now, before)
    skus = [r for r in pnl.rows(raw, span) if r.sku_id is not None]
    by_revenue = sorted(skus, key=lambda r: (-r.revenue, r.code))
    by_profit = sorted(skus, key=lambda r: (r.profit, r.code))
    ads, ads_total = _ads(raw, span)
    done = checklist(shop, span.first, span.last)
    return {
        "shop": shop.code,
        "shop_name": shop.name,
        "year": year,
        "month": month,
        "first": span.first.isoformat(),
        "last": span.last.isoformat(),
        "previous": [before_span.first.isoformat(), before_span.last.isoformat()],
        "last_year": [year_ago.first.isoformat(), year_ago.last.isoformat()],
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "figures": _figure_rows(now, before, last_year, _targets(shop, year, month)),
        "decomposition": None
        if parts is None
        else {
            "change": _s(parts.change),
            "uv": _s(parts.uv),
            "conversion": _s(parts.conversion),
            "aov": _s(parts.aov),
            "main": parts.main,
        },
        "top_skus": [_sku(r) for r in by_revenue[:TOP]],
        "bottom_skus": [_sku(r) for r in by_profit[:TOP]],
        "ads": ads,
        "ads_total": ads_total,
        "aftersales": _aftersales(shop, span, now.refunds),
        "checklist": None
        if done is None
        else {"done": done.done, "due": done.due, "problems": done.problems, "days": done.days, "rate": _s(done.rate)},
    }


# --------------------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------------------


def figure(found: dict[str, Any], key: str) -> dict[str, Any]:
    return next(row for row in found["figures"] if row["key"] == key)


def _number(kind: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if kind == "money":
        return fmt_money(Decimal(value))
    if kind == "fraction":
        pct = Decimal(value) * 100
        return f"{MINUS if pct < 0 else ''}{abs(pct):.2f}%"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)


def cell(kind: str, value: Any) -> str:
    """A figure as the page and the PDF write it: ¥1,299.00, 2.50%, 3,000, — for nothing."""
    return _number(kind, value)


def change_text(value: Any) -> str:
    """A relative change, signed, in percent with one decimal: +20.0%, −12.5%."""
    if value is None:
        return "—"
    pct = Decimal(value) * 100
    sign = MINUS if pct < 0 else ("+" if pct > 0 else "")
    return f"{sign}{abs(pct):.1f}%"


def sentences(found: dict[str, Any]) -> list[str]:
    """Which metric moved GMV against last month and by how much, in the page's language:
    "GMV +¥12,300.00 against last month: UV +¥9,800.00, conversion −¥1,200.00, AOV +¥3,700.00." and the factor
    that moved it most with its own change."""
    parts = found.get("decomposition")
    if parts is None:
        return [_("GMV's change against last month cannot be split: last month had no visitors or buyers known.")]
    first = _("GMV %(change)s against last month: %(uv_label)s %(uv)s, %(cv_label)s %(cv)s, %(aov_label)s %(aov)s.") % {
        "change": fmt_money(Decimal(parts["change"]), signed=True),
        "uv_label": FACTOR_LABELS["uv"],
        "uv": fmt_money(Decimal(parts["uv"]), signed=True),
        "cv_label": FACTOR_LABELS["conversion"],
        "cv": fmt_money(Decimal(parts["conversion"]), signed=True),
        "aov_label": FACTOR_LABELS["aov"],
        "aov": fmt_money(Decimal(parts["aov"]), signed=True),
    }
    main = parts["main"]
    row = figure(found, main)
    kind = FIGURE_KINDS[main]
    second = _("%(factor)s moved it most: %(before)s → %(now)s (%(change)s).") % {
        "factor": FACTOR_LABELS[main],
        "before": cell(kind, row["previous"]),
        "now": cell(kind, row["now"]),
        "change": change_text(row["vs_previous"]),
    }
    return [first, second[:1].upper() + second[1:]]


# --------------------------------------------------------------------------------------------------------
# The review: reading, writing, closing
# --------------------------------------------------------------------------------------------------------


def check_month(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationFailed(_("No such month."))


def get(*, shop: Shop, year: int, month: int) -> MonthlyReview:
    """The stored review, or an unsaved one (nothing is written by reading)."""
    check_month(year, month)
    found = MonthlyReview.objects.filter(shop=shop, year=year, month=month).first()
    return found or MonthlyReview(shop=shop, year=year, month=month)


def figures_of(review: MonthlyReview) -> dict[str, Any]:
    """The figures as closed for a closed review, else as they are now."""
    if review.closed_at is not None and review.figures:
        return review.figures
    return build(shop=review.shop, year=review.year, month=review.month)


def may_write(user: Any) -> bool:
    return roles.holds(user, WRITE_REVIEW)


def _require_write(actor: Any) -> None:
    if not may_write(actor):
        raise PermissionDeniedError(
            _("You are not allowed to write the monthly review; the manager (店长) and the operators (运营) write it."),
            permission=WRITE_REVIEW,
        )


@transaction.atomic
def save_texts(*, actor: Any, shop: Shop, year: int, month: int, texts: dict[str, str]) -> MonthlyReview:
    """Save the text sections given (the others stay); a closed review's texts are closed with it."""
    _require_write(actor)
    check_month(year, month)
    review, _created = MonthlyReview.objects.select_for_update().get_or_create(shop=shop, year=year, month=month)
    if review.closed_at is not None:
        raise ReviewError(_("The review is closed; the manager (店长) reopens it to change it."))
    before = {key: getattr(review, key) for key in TEXTS}
    changed = [key for key in TEXTS if key in texts and texts[key] != before[key]]
    for key in changed:
        setattr(review, key, texts[key])
    review.updated_by = actor
    review.full_clean()
    review.save()
    if changed:
        record_audit(
            actor=actor,
            action="planning.review",
            obj=review,
            before={key: before[key] for key in changed},
            after={key: texts[key] for key in changed},
        )
    return review


@transaction.atomic
def close(*, actor: Any, shop: Shop, year: int, month: int) -> MonthlyReview:
    """Close the review: its figures are kept as they are now (strings), so later data never changes them."""
    roles.require(actor, CLOSE_REVIEW)
    check_month(year, month)
    review, _created = MonthlyReview.objects.select_for_update().get_or_create(shop=shop, year=year, month=month)
    if review.closed_at is not None:
        raise ReviewError(_("The review is closed already."))
    review.figures = build(shop=shop, year=year, month=month)
    review.closed_at, review.closed_by, review.updated_by = timezone.now(), actor, actor
    review.save()
    gmv = figure(review.figures, "gmv")["now"]
    record_audit(actor=actor, action="planning.review.close", obj=review, after={"gmv": gmv})
    return review


@transaction.atomic
def reopen(*, actor: Any, shop: Shop, year: int, month: int) -> MonthlyReview:
    """Reopen a closed review (the 店长): the figures are live again until it is closed anew. An open review is
    left as it is."""
    roles.require(actor, CLOSE_REVIEW)
    check_month(year, month)
    review = MonthlyReview.objects.select_for_update().filter(shop=shop, year=year, month=month).first()
    if review is None or review.closed_at is None:
        return review or MonthlyReview(shop=shop, year=year, month=month)
    closed = {"closed_at": review.closed_at.isoformat(), "gmv": figure(review.figures, "gmv")["now"]}
    review.figures, review.closed_at, review.closed_by, review.updated_by = {}, None, None, actor
    review.save()
    record_audit(actor=actor, action="planning.review.reopen", obj=review, before=closed)
    return review


def default_month(today: date | None = None) -> tuple[int, int]:
    """The month a review is usually about: last month."""
    day = (today or timezone.localdate()).replace(day=1) - timedelta(days=1)
    return day.year, day.month


def label(key: str) -> str:
    return str(FIGURE_LABELS.get(key, key))


def ad_label(channel: str) -> str:
    return str(AdChannel(channel).label) if channel in AdChannel.values else channel


def reason_label(reason: str) -> str:
    return str(CaseReason(reason).label) if reason in CaseReason.values else reason
