"""Lists: sorting, page size, a date range, export and batch actions, the same on every list page.

A view declares its list once (`ListSpec`: the columns, what sorts each, what a cell holds in an export, the
date field, the batch actions) and asks `ListState.from_request` for the state, which lives in the URL so that
a list can be bookmarked and shared:

    ?sort=-price&size=100&from=2026-12-01&to=2026-12-06&page=2

The same state gives the page of rows on screen and, with `?export=xlsx` (or `csv`), every filtered row as a
file: what a person exports is what they were looking at, not a page of it. Batch actions post the ticked rows'
ids; each row goes through the app's own service (the same rules as one at a time), and the report names the
rows that were refused and why.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import DateTimeField, F, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.core.errors import DomainError, PermissionDeniedError
from zhanggui.core.money import fmt_money

PAGE_SIZES = (25, 50, 100, 200)
#: The most rows one export writes: beyond it the file says so in its last row (a desk's lists are far smaller).
MAX_EXPORT_ROWS = 100_000
EXPORT_FORMATS = ("xlsx", "csv")
DATE_LABEL = gettext_lazy("Date")


@dataclass(frozen=True)
class Column:
    """One column of a list: its label, the ORM ordering that sorts it (None: not sortable), what an export
    writes in its cells (None: the column is only on screen), and whether the footer sums it."""

    key: str
    label: Any  # a lazy translation
    sort: str | tuple[str, ...] | None = None
    value: Callable[[Any], Any] | None = None
    total: str | None = None  # the ORM field summed for the footer (over every filtered row, not the page)
    numeric: bool = False
    money: bool = False  # its total is yuan: rounded to the fen (SQLite sums an annotated product as a float)

    def orderings(self) -> tuple[str, ...]:
        if self.sort is None:
            return ()
        return (self.sort,) if isinstance(self.sort, str) else self.sort


@dataclass(frozen=True)
class BatchResult:
    """What a batch action did: how many rows it changed, and each refused row with the reason."""

    done: int
    refused: list[tuple[str, str]] = field(default_factory=list)  # (the row as a person names it, why)
    notes: list[str] = field(default_factory=list)  # what else the person should know ("3 wait for approval")


@dataclass(frozen=True)
class BatchAction:
    """An action on the ticked rows. `run(actor, rows, data)` calls the app's service once per row and returns
    a BatchResult; `permission` hides the action from those who may not, and the services check again.
    `fields` are the extra inputs the action asks for (name, label, input type), e.g. a reason or a number."""

    name: str
    label: Any
    permission: str
    run: Callable[[Any, list[Any], dict[str, str]], BatchResult]
    fields: tuple[tuple[str, Any, str], ...] = ()
    confirm: Any = ""  # asked before it runs, when set


@dataclass(frozen=True)
class ListSpec:
    """A list page's declaration: its columns in screen order, the default sort, the field the date range
    filters on, the export file's name, and its batch actions."""

    name: str  # the export file's name, without the date and suffix
    columns: tuple[Column, ...]
    default_sort: str  # a column key, "-" in front for descending
    date_field: str | None = None
    date_label: Any = DATE_LABEL
    default_size: int = 50
    actions: tuple[BatchAction, ...] = ()
    row_label: Callable[[Any], str] = str  # how a refused row is named in a batch report

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass(frozen=True)
class Header:
    column: Column
    url: str  # the list sorted by this column (the other way round when it already is)
    direction: str  # "asc", "desc" or "" (not the sort column)


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


class ListState:
    """The list as the URL asks for it: sort, page size, date range and page, applied to a queryset."""

    def __init__(self, spec: ListSpec, params: dict[str, str], user: Any = None) -> None:
        self.spec = spec
        self.params = params  # the query string, one value per key (the filters of the page's own form too)
        self.user = user
        sort = params.get("sort", "")
        column = spec.column(sort.removeprefix("-"))
        if column is None or column.sort is None:
            sort = spec.default_sort
        self.sort = sort
        try:
            size = int(params.get("size", ""))
        except ValueError:
            size = spec.default_size
        self.size = size if size in PAGE_SIZES else spec.default_size
        self.date_from = _parse_day(params.get("from", "")) if spec.date_field else None
        self.date_to = _parse_day(params.get("to", "")) if spec.date_field else None
        if self.date_from and self.date_to and self.date_from > self.date_to:
            self.date_from, self.date_to = self.date_to, self.date_from
        self.page: Page | None = None
        self.totals: dict[str, Any] = {}

    @classmethod
    def from_request(cls, request: HttpRequest, spec: ListSpec) -> ListState:
        return cls(spec, {k: request.GET.get(k, "") for k in request.GET}, getattr(request, "user", None))

    # The rows ------------------------------------------------------------------------------------------------

    def filter(self, rows: QuerySet) -> QuerySet:
        """The date range (whole days in the shop's time zone, both ends included) and the sort."""
        if self.spec.date_field:
            rows = rows.filter(**self._date_lookups(rows))
        column = self.spec.column(self.sort.removeprefix("-"))
        descending = self.sort.startswith("-")
        # Empty values last whichever the direction, on every database (PostgreSQL puts NULLs first when
        # descending, SQLite last); pk last, so that pages never repeat a row.
        orderings = [
            F(o).desc(nulls_last=True) if descending else F(o).asc(nulls_last=True)
            for o in (column.orderings() if column else ())
        ]
        return rows.order_by(*orderings, "-pk" if descending else "pk")

    def _date_lookups(self, rows: QuerySet) -> dict[str, Any]:
        name = self.spec.date_field
        assert name is not None
        is_moment = isinstance(rows.model._meta.get_field(name.split("__")[0]), DateTimeField)
        lookups: dict[str, Any] = {}
        if self.date_from:
            start = self.date_from
            lookups[f"{name}__gte"] = timezone.make_aware(datetime.combine(start, time.min)) if is_moment else start
        if self.date_to:
            if is_moment:
                end = timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))
                lookups[f"{name}__lt"] = end
            else:
                lookups[f"{name}__lte"] = self.date_to
        return lookups

    @staticmethod
    def _total(column: Column, value: Any) -> Any:
        if column.money and value is not None:
            return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return value

    def sort_items(self, items: Sequence[Any]) -> list[Any]:
        """A list computed in Python (safety-stock alerts): sorted by the sort column's export value, empty
        values last whichever the direction; the date range does not apply."""
        column = self.spec.column(self.sort.removeprefix("-"))
        if column is None or column.value is None:
            return list(items)
        value = column.value
        present = [item for item in items if value(item) not in (None, "")]
        missing = [item for item in items if value(item) in (None, "")]
        present.sort(key=value, reverse=self.sort.startswith("-"))
        return present + missing

    def paginate(self, rows: QuerySet | Sequence[Any]) -> Page:
        """The filtered, sorted rows' current page; the footer's totals are summed over all of them."""
        if not isinstance(rows, QuerySet):
            items = self.sort_items(rows)
            self.totals = {c.key: sum(getattr(i, c.total) or 0 for i in items) for c in self.spec.columns if c.total}
            self.page = Paginator(items, self.size).get_page(self.params.get("page"))
            return self.page
        rows = self.filter(rows)
        totals = {f"total__{c.key}": Sum(c.total) for c in self.spec.columns if c.total}
        if totals:  # aliases of their own: a column may share its key with the annotation it sums
            found = rows.order_by().aggregate(**totals)
            self.totals = {c.key: self._total(c, found[f"total__{c.key}"]) for c in self.spec.columns if c.total}
        self.page = Paginator(rows, self.size).get_page(self.params.get("page"))
        return self.page

    # Links -----------------------------------------------------------------------------------------------------

    def url(self, **changes: Any) -> str:
        """The query string of this list with some keys changed (None drops a key); a new sort or size goes back
        to the first page."""
        params = {k: v for k, v in self.params.items() if v not in ("", None) and k != "export"}
        if "sort" in changes or "size" in changes:
            params.pop("page", None)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "?" + urlencode(params)

    @property
    def headers(self) -> list[Header]:
        found = []
        for column in self.spec.columns:
            direction = ""
            if column.sort is not None and self.sort.removeprefix("-") == column.key:
                direction = "desc" if self.sort.startswith("-") else "asc"
            if column.sort is None:
                url = ""
            elif direction == "asc":
                url = self.url(sort=f"-{column.key}")
            elif direction == "desc":
                url = self.url(sort=column.key)
            else:  # numbers and dates first from the top, text from A
                url = self.url(sort=f"-{column.key}" if column.numeric else column.key)
            found.append(Header(column, url, direction))
        return found

    @property
    def export_urls(self) -> list[tuple[str, str]]:
        return [(fmt.upper(), self.url(export=fmt)) for fmt in EXPORT_FORMATS]

    @property
    def page_sizes(self) -> Sequence[int]:
        return PAGE_SIZES

    @property
    def actions(self) -> list[BatchAction]:
        """The batch actions this person may run."""
        user = self.user
        return [a for a in self.spec.actions if user is not None and user.has_perm(a.permission)]

    @property
    def has_dates(self) -> bool:
        return bool(self.spec.date_field)

    @property
    def total_cells(self) -> list[str | None]:
        """The footer, a cell per column: the sum as the desk writes it (¥1,299.00, 43,705) where the column has
        one, else None."""
        cells: list[str | None] = []
        for c in self.spec.columns:
            value = self.totals.get(c.key) if c.total else None
            if value is None:
                cells.append(None if not c.total else "0")
            elif c.money:
                cells.append(fmt_money(value))
            else:
                cells.append(f"{value:,}")
        return cells

    @property
    def has_totals(self) -> bool:
        return any(c.total for c in self.spec.columns)


# ------------------------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A value as a spreadsheet holds it: numbers stay numbers (Decimal exact), moments in the shop's time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | Decimal | date):
        return value
    return str(value)


def export_rows(spec: ListSpec, rows: Iterable[Any]) -> Iterator[list[Any]]:
    """The header row, then a row per object (at most MAX_EXPORT_ROWS, then a row that says the file stops)."""
    columns = [c for c in spec.columns if c.value is not None]
    yield [str(c.label) for c in columns]
    for n, obj in enumerate(rows):
        if n == MAX_EXPORT_ROWS:
            yield [_("Only the first %(n)s rows are exported; narrow the filters.") % {"n": MAX_EXPORT_ROWS}]
            return
        yield [_cell(c.value(obj)) for c in columns]  # type: ignore[misc]


def export_response(spec: ListSpec, rows: QuerySet | Sequence[Any], fmt: str) -> HttpResponseBase:
    """Every filtered row as XLSX or CSV (UTF-8 with a BOM, so Excel and WPS open the Chinese right)."""
    stamp = timezone.localdate().isoformat()
    filename = f"{spec.name}-{stamp}.{fmt}"
    iterator = rows.iterator(chunk_size=2_000) if isinstance(rows, QuerySet) else iter(rows)
    if fmt == "csv":

        def lines() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            yield "\ufeff"
            for row in export_rows(spec, iterator):
                writer.writerow([v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in row])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

        response: HttpResponseBase = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(spec.name[:31])
        for row in export_rows(spec, iterator):
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ------------------------------------------------------------------------------------------------------------
# The view's side
# ------------------------------------------------------------------------------------------------------------


def list_response(
    request: HttpRequest, spec: ListSpec, rows: QuerySet | Sequence[Any]
) -> tuple[ListState, HttpResponseBase | None]:
    """The list's state for the page; and, when the URL asks for an export, the file to answer with instead.
    `rows` is a queryset, or a list computed in Python (sorted in Python, no date range)."""
    state = ListState.from_request(request, spec)
    fmt = request.GET.get("export", "")
    if fmt in EXPORT_FORMATS:
        ordered = state.filter(rows) if isinstance(rows, QuerySet) else state.sort_items(rows)
        return state, export_response(spec, ordered, fmt)
    state.paginate(rows)
    return state, None


def run_batch(
    request: HttpRequest, spec: ListSpec, rows: QuerySet, *, limit: int = 500
) -> tuple[BatchAction, BatchResult]:
    """Run the posted batch action on the posted ids among `rows` (the ids of rows the person may not see, or
    that no longer exist, are left out). Raises DomainError for an unknown action or none ticked, and
    PermissionDeniedError when the person may not run it."""
    action = next((a for a in spec.actions if a.name == request.POST.get("action", "")), None)
    if action is None:
        raise DomainError(_("Choose what to do with the ticked rows."))
    if not request.user.has_perm(action.permission):
        raise PermissionDeniedError(_("You are not allowed to do this; ask your manager (店长)."))
    ids = []
    for text in request.POST.getlist("ids"):
        try:
            ids.append(int(text))
        except ValueError:
            continue
    if not ids:
        raise DomainError(_("Tick at least one row first."))
    if len(ids) > limit:
        raise DomainError(_("At most %(n)s rows at a time.") % {"n": limit})
    chosen = list(rows.filter(pk__in=ids).order_by("pk"))
    data = {name: request.POST.get(name, "").strip() for name, _label, _type in action.fields}
    return action, action.run(request.user, chosen, data)


def each_row(rows: Sequence[Any], do: Callable[[Any], Any], label: Callable[[Any], str] = str) -> BatchResult:
    """Run `do` on each row, each on its own (one refused row does not undo the others), collecting refusals."""
    done, refused = 0, []
    for row in rows:
        try:
            do(row)
        except DomainError as exc:
            refused.append((label(row), exc.message))
        else:
            done += 1
    return BatchResult(done, refused)


def batch_message(action: BatchAction, result: BatchResult) -> str:
    """ "Delist: 12 rows done, 2 refused: A-01 — reason; …" in the person's language."""
    text = _("%(action)s: %(n)s done.") % {"action": action.label, "n": result.done}
    if result.refused:
        reasons = "; ".join(f"{name} — {why}" for name, why in result.refused[:20])
        more = len(result.refused) - 20
        text += " " + _("%(n)s refused: %(reasons)s") % {"n": len(result.refused), "reasons": reasons}
        if more > 0:
            text += " " + _("(and %(n)s more)") % {"n": more}
    for note in result.notes:
        text += " " + note
    return text
