"""The analytics pages: upload behaviour events and see the days they made (read from the daily rows)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhanggui.analytics import selectors, services
from zhanggui.analytics.forms import EventImportForm
from zhanggui.core import edges, roles


@login_required
@edges.guarded
def events_import(request: HttpRequest) -> HttpResponse:
    """Upload an event file: the report (and the shop's last days), or every refused row (line, column, reason)."""
    report = None
    status = 200
    days: list[selectors.DayFigures] = []
    if request.method == "POST":
        edges.require(request, services.IMPORT_EVENTS)
        form = EventImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with edges.form_errors(form) as outcome:
                report = services.import_events(
                    actor=request.user, shop=form.cleaned_data["shop"], files=[(upload, upload.name or "upload")]
                )
            if not outcome.ok or report is None or not report.ok:
                status = edges.FORM_ERROR
            else:
                days = selectors.last_days(shop=form.cleaned_data["shop"])
        else:
            status = edges.FORM_ERROR
    else:
        form = EventImportForm(initial={"shop": request.GET.get("shop") or None})
    context = {
        "form": form,
        "report": report,
        "days": days,
        "may_import": roles.holds(request.user, services.IMPORT_EVENTS),
    }
    return render(request, "analytics/events_import.html", context, status=status)
