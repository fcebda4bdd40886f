"""The page of the platforms' reports: upload a traffic, ad or customer-service report, see what it stored
(docs/metrics.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhanggui.analytics import report_imports, report_selectors
from zhanggui.analytics.report_forms import ReportImportForm
from zhanggui.catalog.models import Shop
from zhanggui.core import edges, roles


@login_required
@edges.guarded
def reports_import(request: HttpRequest) -> HttpResponse:
    """Upload one report, its kind told by its headers: the report, then the shop's last 30 days; or every refused
    row (file, line, column, reason) and nothing stored."""
    report = None
    status = 200
    recent: dict[str, Any] = {}
    if request.method == "POST":
        edges.require(request, report_imports.IMPORT_REPORTS)
        form = ReportImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with edges.form_errors(form) as outcome:
                report = report_imports.import_report(
                    actor=request.user,
                    shop=form.cleaned_data["shop"],
                    file=upload,
                    filename=upload.name or "upload",
                    kind=form.cleaned_data["kind"] or None,
                )
            if not outcome.ok or report is None or not report.ok:
                status = edges.FORM_ERROR
            else:
                recent = _recent(form.cleaned_data["shop"])
        else:
            status = edges.FORM_ERROR
    else:
        form = ReportImportForm(initial={"shop": request.GET.get("shop") or None})
    context = {
        "form": form,
        "report": report,
        **recent,
        "may_import": roles.holds(request.user, report_imports.IMPORT_REPORTS),
    }
    return render(request, "analytics/reports_import.html", context, status=status)


def _recent(shop: Shop) -> dict[str, Any]:
    span = report_selectors.last_range(shop=shop)
    if span is None:
        return {}
    start, end = span
    return {
        "shop_days": list(report_selectors.shop_days(shop=shop, start=start, end=end)),
        "ad_totals": report_selectors.ad_totals(report_selectors.ad_days(shop=shop, start=start, end=end)),
        "agent_totals": report_selectors.agent_totals(report_selectors.service_days(shop=shop, start=start, end=end)),
        "range_start": start,
        "range_end": end,
    }
