"""Import behaviour events and keep their daily aggregates (docs/metrics.md, "Behaviour events").

An import is all or nothing. Every file is read and checked first (analytics.events); with any refused row
nothing is written and the report lists them. Otherwise each day the files touch is merged with what is
stored for it (an event is counted once: the same file twice changes nothing), and only the days whose
events changed are written and recomputed: their new Parquet files go to temporary names, their aggregates
(EventDay and EventDaySource rows, and a small Parquet file of each item's figures a day) are computed from
those frames (analytics.aggregates) and replace the days' in one transaction, the files renamed over the old
ones inside it. A failure before the commit leaves the previous files and rows; one import at a time goes into
a shop (a file lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils.translation import gettext as _

from zhanggui.analytics import aggregates, events
from zhanggui.analytics.aggregates import FIGURES, Figures
from zhanggui.analytics.models import EventDay, EventDaySource
from zhanggui.catalog.models import Shop
from zhanggui.channels.records import RowError
from zhanggui.core import roles

#: The capability an event upload needs: the operators and managers who import the platforms' exports.
IMPORT_EVENTS = roles.IMPORT_ORDERS


@dataclass
class EventImportReport:
    """What an import did, or with refusals why it did nothing; the shape `import-events --json` prints."""

    shop_code: str
    files: list[str] = field(default_factory=list)
    rows: int = 0
    events_added: int = 0
    days: list[date] = field(default_factory=list)
    days_recomputed: list[date] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)  # the first events.REJECTED_LISTED
    rejected_rows: int = 0  # all of them

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "shop": self.shop_code,
            "files": self.files,
            "rows": self.rows,
            "events_added": self.events_added,
            "days": [day.isoformat() for day in self.days],
            "days_recomputed": [day.isoformat() for day in self.days_recomputed],
            "rejected_rows": self.rejected_rows,
            "rejected": [error.as_dict() for error in self.rejected],
        }

    def summary(self) -> list[str]:
        """The report as plain lines, for the CLI."""
        if not self.ok:
            head = _("%(count)s rows rejected; nothing was stored.") % {"count": self.rejected_rows}
            if self.rejected_rows > len({(e.file, e.line) for e in self.rejected}):
                head += " " + _("The first %(n)s are listed.") % {"n": events.REJECTED_LISTED}
            return [head, *(_describe(error) for error in self.rejected)]
        return [
            _("Imported into shop %(shop)s.") % {"shop": self.shop_code},
            _("Rows: %(rows)s, new events: %(added)s.") % {"rows": self.rows, "added": self.events_added},
            _("Days in the files: %(days)s; recomputed: %(recomputed)s.")
            % {"days": _days(self.days), "recomputed": _days(self.days_recomputed)},
        ]


def _days(days: Sequence[date]) -> str:
    if not days:
        return "0"
    if len(days) == 1:
        return days[0].isoformat()
    return f"{len(days)} ({days[0].isoformat()} … {days[-1].isoformat()})"


def _describe(error: RowError) -> str:
    where = ":".join(str(part) for part in (error.file, error.line) if part)
    where = f"{where} {error.column}".strip() if error.column else where
    return f"{where}: {error.reason}" if where else error.reason


# --------------------------------------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------------------------------------


def import_events(*, actor: Any, shop: Shop, files: Sequence[tuple[events.FileSource, str]]) -> EventImportReport:
    """Read, check and store event files into the shop's days, all or nothing (the module's docstring)."""
    roles.require(actor, IMPORT_EVENTS)
    report = EventImportReport(shop_code=shop.code, files=[name for _file, name in files])
    results = [events.read_file(file, name) for file, name in files]
    refused = [error for result in results for error in result.errors]
    if refused:
        report.rejected = refused[: events.REJECTED_LISTED]
        report.rejected_rows = sum(result.rejected_rows or len(result.errors) for result in results if not result.ok)
        return report
    frames = [result.frame for result in results if result.frame is not None]
    report.rows = sum(frame.height for frame in frames)
    by_day = events.split_by_day(frames)
    report.days = sorted(by_day)
    if not by_day:
        return report
    with _one_import_at_a_time(shop):
        staged: list[events.StagedDay] = []
        try:
            for day in report.days:
                step = events.merge_day(shop.code, day, by_day.pop(day))
                if step is not None:
                    staged.append(step)
            if staged:
                figures = aggregates.of_days((step.day, step.frame) for step in staged)
                _store(shop, [step.day for step in staged], figures, then=[step.commit for step in staged])
        finally:
            for step in staged:
                step.discard()  # a committed one was renamed: nothing left to remove
    report.days_recomputed = [step.day for step in staged]
    report.events_added = sum(step.added for step in staged)
    return report


@contextlib.contextmanager
def _one_import_at_a_time(shop: Shop) -> Iterator[None]:
    """An exclusive lock on the shop's event directory, held from reading its days to renaming the new ones."""
    directory = events.shop_dir(shop.code)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------------------
# Aggregating (analytics.aggregates computes, this stores)
# --------------------------------------------------------------------------------------------------------


def recompute_days(*, shop: Shop, days: Iterable[date] | None = None) -> list[date]:
    """Recompute the daily figures of these days (default: every stored day) from their Parquet files; a day
    without a file loses its figures. For repairs and the benchmark; an import recomputes what it changes."""
    wanted = sorted(set(days) if days is not None else events.stored_days(shop.code))
    if not wanted:
        return []
    _store(shop, wanted, aggregates.of_stored_days(shop.code, wanted))
    return wanted


def _store(shop: Shop, days: list[date], figures: Figures, then: Sequence[Callable[[], None]] = ()) -> None:
    """Replace the days' figures by `figures` in one transaction: the rows of EventDay and EventDaySource, and
    each day's item file (written aside first, renamed over the old one with the `then` steps before the
    commit; a day without items loses its file)."""
    by_day = dict(figures.items.partition_by("day", as_dict=True, include_key=False)) if figures.items.height else {}
    items = {day: by_day.get((day,)) for day in days}
    temps = {day: events.write_atomically(frame, events.items_path(shop.code, day)) for day, frame in items.items()
             if frame is not None}  # fmt: skip
    try:
        with transaction.atomic():
            for model in (EventDay, EventDaySource):
                model.objects.filter(shop=shop, day__in=days).delete()
            _insert(EventDay, shop, figures.days, ())
            _insert(EventDaySource, shop, figures.sources, ("source",))
            for step in then:
                step()
            for day in days:
                final = events.items_path(shop.code, day)
                if day in temps:
                    os.replace(temps[day], final)
                else:
                    final.unlink(missing_ok=True)
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


def _insert(model: Any, shop: Shop, frame: pl.DataFrame, keys: tuple[str, ...]) -> None:
    """Many rows at once: one prepared INSERT executed over the frame's tuples (a model instance a row, as
    bulk_create builds, costs more than the aggregation itself for the per-item rows)."""
    if frame.is_empty():
        return
    columns = ["day", *keys, *FIGURES]
    names = ["shop_id", *columns]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(name) for name in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    rows = frame.select(pl.lit(shop.pk).alias("shop_id"), *columns).iter_rows()
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))
