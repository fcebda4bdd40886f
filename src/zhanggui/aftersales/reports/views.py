"""The after-sales reports page (/aftersales/reports/): every table of aftersales.reports for a shop and a period,
each with its total row and an XLSX download (?export=<table>), or all of them in one workbook (?export=all, a
sheet per table). Every role reads."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from zhanggui.aftersales.reports import selectors as reports
from zhanggui.aftersales.reports.forms import ReportFilterForm
from zhanggui.core.listing import export_response, export_rows
from zhanggui.core.money import fmt_money

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL = "all"


def cell(kind: str, value: Any) -> str:
    """A cell as the page writes it: ¥1,299.00, 12.50 %, 3.25 h, 2026-06-18, or — for nothing."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if isinstance(value, Decimal) and kind == "money":
        return fmt_money(value)
    if isinstance(value, Decimal) and kind == "rate":
        return f"{value:.2f} %"
    if isinstance(value, Decimal) and kind == "hours":
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


#: Rows a table shows on the page; the rest (a SKU list of every SKU sold, most never refunded) are in its XLSX,
#: the API and the total row. Tables come sorted most telling first (the highest refund rate first).
PAGE_ROWS = 25


def _screen(table: reports.Table) -> dict[str, Any]:
    def cells(row: Any) -> list[tuple[bool, str]]:
        return [(c.numeric, cell(c.kind, c.value(row))) for c in table.columns]

    return {
        "table": table,
        "rows": [cells(row) for row in table.rows[:PAGE_ROWS]],
        "more": max(0, len(table.rows) - PAGE_ROWS),
        "total": cells(table.total) if table.total is not None else None,
    }


def workbook(report: reports.Report) -> HttpResponse:
    """Every table in one workbook, a sheet per table (its heading row, its rows, its total row)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for table in report.tables:
        sheet = book.create_sheet(table.key[:31])
        for row in export_rows(table.spec(), table.export_rows()):
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"aftersales-reports-{report.period.first.isoformat()}-{report.period.last.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_page(request: HttpRequest) -> HttpResponseBase:
    form = ReportFilterForm(request.GET or None)
    period, shop = form.chosen(timezone.localdate())
    export = request.GET.get("export", "")
    if export == ALL:
        return workbook(reports.report(period, shop))
    if export in reports.TABLES:
        table = reports.report(period, shop, only=[export]).tables[0]
        return export_response(table.spec(), table.export_rows(), "xlsx")
    report = reports.report(period, shop)
    params = request.GET.copy()
    params.pop("export", None)
    context = {
        "form": form,
        "report": report,
        "tables": [_screen(table) for table in report.tables],
        "query": params.urlencode(),
    }
    return render(request, "aftersales/reports.html", context)  # a period that does not parse: its error shown
