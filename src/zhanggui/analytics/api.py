"""Analytics endpoints: import behaviour events, read their daily figures (never the raw events).

The import calls analytics.services.import_events, which checks the capability (import, as for the platforms'
exports); reading is open to every role. Shops are named by their codes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile

from zhanggui.analytics import selectors, services
from zhanggui.analytics.errors import EventsRejected
from zhanggui.analytics.schemas import DailyOut, EventImportOut
from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.core.errors import ValidationFailed

router = Router(tags=["analytics"])


def _shop(code: str) -> Shop:
    return get_or_404(Shop.objects.all(), _("Shop"), code=code)


def _figures(row: Any) -> dict[str, Any]:
    figures = {name: getattr(row, name) for name in services.FIGURES}
    return {**figures, "conversion": str(row.conversion)}


@router.post("/events/import", response={200: EventImportOut, **ERRORS})
def import_events(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description="Events: .csv (with or without a header) or .parquet")],
):
    """Import one event file, all or nothing. With refused rows: 422 `import_rejected`, the report in `details`
    (each row's file, line, column and reason; the first 1,000 listed, `rejected_rows` counts all)."""
    report = services.import_events(actor=request.auth, shop=_shop(shop), files=[(file, file.name or "upload")])
    if not report.ok:
        raise EventsRejected(
            _("%(count)s rows rejected; nothing was stored.") % {"count": report.rejected_rows}, **report.as_dict()
        )
    return report.as_dict()


@router.get("/events/daily", response={200: DailyOut, **ERRORS})
def daily_events(
    request,
    shop: str = Query(..., description="Shop code"),
    date_from: date = Query(..., alias="from", description="First day (the shop's time zone)"),  # noqa: B008 - "from" is a keyword
    date_to: date = Query(..., alias="to", description="Last day, included"),  # noqa: B008 - "from" is a keyword
):
    """Daily PV, UV, paying buyers and conversion, all sources together and by source, days without events left
    out. Days are the shop's (settings.TIME_ZONE); at most 367 days at a time."""
    if date_to < date_from:
        raise ValidationFailed(_("'to' must not be before 'from'."))
    if (date_to - date_from).days >= selectors.MAX_DAYS:
        raise ValidationFailed(_("At most %(days)s days at a time.") % {"days": selectors.MAX_DAYS})
    found = _shop(shop)
    days = selectors.daily(shop=found, start=date_from, end=date_to)
    return {
        "shop": found.code,
        "days": [
            {
                "day": day.day,
                **_figures(day),
                "sources": [{"source": source.source, **_figures(source)} for source in day.sources],
            }
            for day in days
        ],
    }
