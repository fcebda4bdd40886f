"""The after-sales reports endpoint (/api/v1/aftersales/reports): every role reads; shops by their codes, money
and rates as strings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhanggui.aftersales.reports import selectors as reports
from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.core.errors import ValidationFailed

router = Router(tags=["aftersales"])


class ReportColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(..., description="text, int, money, rate (percent), hours or date")


class ReportTableOut(Schema):
    key: str
    title: str
    columns: list[ReportColumnOut]
    rows: list[dict[str, Any]] = Field(..., description="A cell per column key: money and rates as strings")
    total: dict[str, Any] | None


class ReportOut(Schema):
    date_from: date
    date_to: date
    shop: str | None
    tables: list[ReportTableOut]


@router.get("", response={200: ReportOut, **ERRORS})
def get_reports(
    request,
    shop: str = Query("", description="Shop code; every shop when empty"),
    date_from: Annotated[date | None, Query(description="First day (the 30 days up to date_to when empty)")] = None,
    date_to: Annotated[date | None, Query(description="Last day, included (today when empty)")] = None,
    table: Annotated[
        list[str] | None, Query(description="Only these tables (repeat): " + ", ".join(reports.TABLES))
    ] = None,
):
    """Refund rates by SKU, reason and week (successful refunds ÷ sub-orders paid), top reasons per SKU, the cost
    of after-sales per week and shop, cases per agent with the time to the first answer, overdue cases per day and
    agent, and sales net of refunds per day. docs/aftersales.md "Reports" has the definitions."""
    try:
        p = reports.period(date_from, date_to)
    except reports.PeriodError as exc:
        raise ValidationFailed(str(exc)) from None
    unknown = [key for key in table or () if key not in reports.TABLES]
    if unknown:
        raise ValidationFailed(
            _("Unknown table: %(keys)s. Known: %(known)s.")
            % {"keys": ", ".join(unknown), "known": ", ".join(reports.TABLES)}
        )
    chosen = get_or_404(Shop.objects.all(), _("Shop"), code=shop) if shop else None
    found = reports.report(p, chosen, only=table or None)
    return {
        "date_from": p.first,
        "date_to": p.last,
        "shop": chosen.code if chosen else None,
        "tables": [t.as_dict() for t in found.tables],
    }
