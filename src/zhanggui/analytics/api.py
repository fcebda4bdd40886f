"""Analytics endpoints: import behaviour events, read their daily figures (never the raw events).

The import calls analytics.services.import_events, which checks the capability (import, as for the platforms'
exports); reading is open to every role. Shops are named by their codes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile

from zhanggui.analytics import report_imports, report_selectors, selectors, services
from zhanggui.analytics.errors import EventsRejected, ReportsRejected
from zhanggui.analytics.report_schemas import (
    AdDailyOut,
    ItemDailyOut,
    ReportImportOut,
    ServiceDailyOut,
    TrafficDailyOut,
    row_out,
)
from zhanggui.analytics.schemas import DailyOut, EventImportOut
from zhanggui.catalog.api import ERRORS, get_or_404
from zhanggui.catalog.models import Shop
from zhanggui.core.errors import ValidationFailed

router = Router(tags=["analytics"])

# The kinds of report an upload may name (channels.traffic.TRAFFIC_KINDS, channels.ads.AD_KINDS).
TrafficKind = Literal["sycm_shop", "sycm_items", "sources", "jd_shop", "jd_items"]
AdKind = Literal["ztc", "jd_express", "display", "affiliate"]
AdChannelName = AdKind
ServiceKind = Literal["qianniu_service", "jd_service"]


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


# ----- the platforms' traffic and ad reports (docs/metrics.md, "Traffic and ads imports") ------------------

_UPLOAD = "A report as the platform exports it: .csv (UTF-8 or GBK) or .xlsx; its kind is told by its header row"


def _report_import(request, family: str, shop: str, file: UploadedFile, kind: str | None) -> dict[str, Any]:
    importer = {
        report_imports.TRAFFIC: report_imports.import_traffic,
        report_imports.ADS: report_imports.import_ads,
        report_imports.SERVICE: report_imports.import_service,
    }[family]
    report = importer(actor=request.auth, shop=_shop(shop), files=[(file, file.name or "upload")], kind=kind or None)
    if not report.ok:
        raise ReportsRejected(
            _("%(count)s rows rejected; nothing was stored.") % {"count": report.rejected_rows}, **report.as_dict()
        )
    return report.as_dict()


def _range(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ValidationFailed(_("'to' must not be before 'from'."))
    if (date_to - date_from).days >= report_selectors.MAX_DAYS:
        raise ValidationFailed(_("At most %(days)s days at a time.") % {"days": report_selectors.MAX_DAYS})


@router.post("/traffic/import", response={200: ReportImportOut, **ERRORS})
def import_traffic(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description=_UPLOAD)],
    kind: Annotated[TrafficKind | None, Form(description="The kind, when the headers should not decide")] = None,
):
    """Import one 生意参谋 / 京东商智 report (shop overview, items, traffic sources), all or nothing; each day it
    holds replaces that day's stored figures of the same report. With refused rows: 422 `import_rejected`, the
    report in `details` (each row's file, line, column and reason)."""
    return _report_import(request, report_imports.TRAFFIC, shop, file, kind)


@router.post("/ads/import", response={200: ReportImportOut, **ERRORS})
def import_ads(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description=_UPLOAD)],
    kind: Annotated[AdKind | None, Form(description="The kind, when the headers should not decide")] = None,
):
    """Import one ad report (直通车/万相台, 京东快车, 引力魔方/钻展, 淘宝客), all or nothing; each day it holds
    replaces that day's stored rows of the same ad channel. Refused rows: 422 `import_rejected`."""
    return _report_import(request, report_imports.ADS, shop, file, kind)


@router.get("/traffic/daily", response={200: TrafficDailyOut, **ERRORS})
def traffic_daily(
    request,
    shop: str = Query(..., description="Shop code"),
    date_from: date = Query(..., alias="from", description="First day"),  # noqa: B008 - "from" is a keyword
    date_to: date = Query(..., alias="to", description="Last day, included"),  # noqa: B008 - "from" is a keyword
):
    """The shop's days (生意参谋/京东商智 overview) and its traffic sources' days in the range, at most 367 days.
    Money and rates are strings; a rate is a fraction ("0.034500" is 3.45 %); null: not in the report."""
    _range(date_from, date_to)
    found = _shop(shop)
    return {
        "shop": found.code,
        "days": [row_out(row) for row in report_selectors.shop_days(shop=found, start=date_from, end=date_to)],
        "sources": [row_out(row) for row in report_selectors.source_days(shop=found, start=date_from, end=date_to)],
    }


@router.get("/traffic/items", response={200: ItemDailyOut, **ERRORS})
def traffic_items(
    request,
    shop: str = Query(..., description="Shop code"),
    date_from: date = Query(..., alias="from", description="First day"),  # noqa: B008 - "from" is a keyword
    date_to: date = Query(..., alias="to", description="Last day, included"),  # noqa: B008 - "from" is a keyword
):
    """Each item's days (商品排行) in the range, at most 367 days; `product_id`: the shop's product whose code
    the row's 货号/商家编码 is, when there is one."""
    _range(date_from, date_to)
    found = _shop(shop)
    rows = report_selectors.item_days(shop=found, start=date_from, end=date_to)
    return {"shop": found.code, "items": [row_out(row) for row in rows]}


@router.get("/ads/daily", response={200: AdDailyOut, **ERRORS})
def ads_daily(
    request,
    shop: str = Query(..., description="Shop code"),
    date_from: date = Query(..., alias="from", description="First day"),  # noqa: B008 - "from" is a keyword
    date_to: date = Query(..., alias="to", description="Last day, included"),  # noqa: B008 - "from" is a keyword
    channel: AdChannelName | None = Query(None, description="Only this ad channel"),  # noqa: B008 - ninja's way
):
    """The ad rows of the range (at most 367 days), and each day and channel added up with its ROI (attributed
    GMV ÷ cost)."""
    _range(date_from, date_to)
    found = _shop(shop)
    rows = list(report_selectors.ad_days(shop=found, start=date_from, end=date_to, channel=channel or ""))
    totals = [
        {
            "day": total.day,
            "channel": total.channel,
            "rows": total.rows,
            "impressions": total.impressions,
            "clicks": total.clicks,
            "cost": None if total.cost is None else str(total.cost),
            "orders": total.orders,
            "gmv": None if total.gmv is None else str(total.gmv),
            "roi": None if total.roi is None else str(total.roi),
        }
        for total in report_selectors.ad_totals(rows)
    ]
    return {"shop": found.code, "totals": totals, "rows": [row_out(row) for row in rows]}


# ----- customer service (千牛/赤兔 客服绩效, 京东 咚咚) --------------------------------------------------------------


@router.post("/service/import", response={200: ReportImportOut, **ERRORS})
def import_service(
    request,
    shop: Annotated[str, Form(description="Shop code")],
    file: Annotated[UploadedFile, File(description=_UPLOAD)],
    kind: Annotated[ServiceKind | None, Form(description="The kind, when the headers should not decide")] = None,
):
    """Import one customer-service report (千牛/赤兔 客服绩效, 京东 咚咚), one row a day and agent, all or nothing;
    each day it holds replaces that day's agents. Refused rows: 422 `import_rejected`."""
    return _report_import(request, report_imports.SERVICE, shop, file, kind)


@router.get("/service/daily", response={200: ServiceDailyOut, **ERRORS})
def service_daily(
    request,
    shop: str = Query(..., description="Shop code"),
    date_from: date = Query(..., alias="from", description="First day"),  # noqa: B008 - "from" is a keyword
    date_to: date = Query(..., alias="to", description="Last day, included"),  # noqa: B008 - "from" is a keyword
):
    """Each agent's days in the range (at most 367 days) and each agent over the range with the inquiry
    conversion (询单转化率: Σ inquired and paid ÷ Σ inquired) and response times weighted by people received;
    the last total (agent "") is the shop's."""
    _range(date_from, date_to)
    found = _shop(shop)
    rows = list(report_selectors.service_days(shop=found, start=date_from, end=date_to))
    return {
        "shop": found.code,
        "days": [row_out(row) for row in rows],
        "agents": [
            {
                "agent": total.agent,
                "days": total.days,
                "consulted": total.consulted,
                "received": total.received,
                "inquired": total.inquired,
                "inquiry_paid": total.inquiry_paid,
                "inquiry_conversion": _text(total.inquiry_conversion),
                "sales": str(total.sales),
                "first_response": _text(total.first_response),
                "avg_response": _text(total.avg_response),
            }
            for total in report_selectors.agent_totals(rows)
        ],
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
