"""Filling the keyword library (docs/market.md, "Importing keywords").

Rows come from a `KeywordSource`: the platform's export files by default (FileKeywordSource), or a collector a
team plugs in (anything with `fetch(shop, day)`). All or nothing: any refused row, a file of another platform's
shops, or one keyword named twice on a day with other figures refuses the whole import and nothing is stored.
Otherwise each (keyword, day) of the shop is created, or updated when its figures changed; a row that would come
out the same is not written, so the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.channels.records import RowError
from zhanggui.channels.report_files import ReportFile
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.core.tabular import FileSource
from zhanggui.market.keyword_files import KEYWORD_KINDS, read_keywords
from zhanggui.market.keywords import normalize_keyword
from zhanggui.market.models import Keyword, KeywordDay

#: Who imports keyword reports: those who import the platforms' other exports (店长, 运营).
IMPORT_KEYWORDS = roles.IMPORT_ORDERS
REJECTED_LISTED = 1000
FIGURES = ("search_popularity", "click_rate", "conversion", "competing_listings", "category")


@dataclass(frozen=True)
class KeywordRow:
    """One keyword's figures on one day, wherever they came from (a file's line, a collector's call)."""

    keyword: str
    day: date
    search_popularity: int | None = None
    click_rate: Decimal | None = None
    conversion: Decimal | None = None
    competing_listings: int | None = None
    category: str = ""
    report: str = ""  # the kind of report or the collector's name
    file: str = ""
    line: int = 0
    header: str = ""  # the keyword's column as the file names it, for a refusal

    def figures(self) -> tuple[Any, ...]:
        return tuple(_plain(getattr(self, name)) for name in FIGURES)


class SourceRejected(Exception):
    """A source that could not give all its rows: the refusals, each with its file, line, column and reason, and
    the rows it could read (checked too, so one import lists every problem)."""

    def __init__(self, errors: list[RowError], rows: list[KeywordRow] | None = None) -> None:
        super().__init__(f"{len(errors)} rows refused")
        self.errors = errors
        self.rows = rows or []


class KeywordSource(Protocol):
    """Where keyword figures come from. `fetch` gives the rows of `day` (every day it holds when None) or raises
    SourceRejected naming the rows it could not read. A team's own collector implements this and is passed to
    `import_from_source`; the demo and the default use files (FileKeywordSource), so nothing needs the network."""

    label: str

    def fetch(self, shop: Shop, day: date | None) -> list[KeywordRow]: ...


class FileKeywordSource:
    """A 生意参谋 / 京东商智 search-term export as the user downloaded it (.csv in UTF-8 or GBK, or .xlsx)."""

    def __init__(self, file: FileSource, filename: str, kind: str | None = None) -> None:
        self.file, self.filename, self.kind = file, filename, kind
        self.label = filename
        self.result: ReportFile | None = None

    def fetch(self, shop: Shop, day: date | None) -> list[KeywordRow]:
        result = self.result = read_keywords(file=self.file, filename=self.filename, kind=self.kind)
        errors = list(result.errors)
        kind = result.kind
        if kind is not None and not errors and shop.channel not in kind.platforms:
            errors.append(
                RowError(
                    result.file,
                    0,
                    "",
                    _("A %(kind)s report cannot go into shop %(shop)s, a %(channel)s shop.")
                    % {"kind": kind.label, "shop": shop.code, "channel": shop.get_channel_display()},
                )
            )
        rows = []
        for row in result.rows:
            if day is not None and row.day != day:
                continue
            values = row.values
            rows.append(
                KeywordRow(
                    keyword=values["keyword"],
                    day=row.day,
                    search_popularity=values.get("search_popularity"),
                    click_rate=values.get("click_rate"),
                    conversion=values.get("conversion"),
                    competing_listings=values.get("competing_listings"),
                    category=values.get("category") or "",
                    report=kind.key if kind else "",
                    file=row.file,
                    line=row.line,
                    header=result.header("keyword"),
                )
            )
        if errors:
            raise SourceRejected(errors, rows)
        return rows


@dataclass
class KeywordImportReport:
    """What an import did, or with refusals why it did nothing; the shape `import-keywords --json` prints."""

    shop_code: str
    sources: list[str] = field(default_factory=list)
    rows: int = 0
    keywords_created: int = 0
    days_created: int = 0
    days_updated: int = 0
    days_unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    rejected_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "shop": self.shop_code,
            "sources": self.sources,
            "rows": self.rows,
            "keywords_created": self.keywords_created,
            "days_created": self.days_created,
            "days_updated": self.days_updated,
            "days_unchanged": self.days_unchanged,
            "rejected_rows": self.rejected_rows,
            "rejected": [error.as_dict() for error in self.rejected],
        }

    def summary(self) -> list[str]:
        if not self.ok:
            head = _("%(count)s rows rejected; nothing was stored.") % {"count": self.rejected_rows}
            return [head, *(_describe(error) for error in self.rejected)]
        return [
            _("Imported into shop %(shop)s: %(rows)s rows.") % {"shop": self.shop_code, "rows": self.rows},
            _("New keywords: %(keywords)s; keyword days new: %(created)s, updated: %(updated)s, unchanged: %(same)s.")
            % {
                "keywords": self.keywords_created,
                "created": self.days_created,
                "updated": self.days_updated,
                "same": self.days_unchanged,
            },
        ]


def _describe(error: RowError) -> str:
    where = ":".join(str(part) for part in (error.file, error.line) if part)
    where = f"{where} {error.column}".strip() if error.column else where
    return f"{where}: {error.reason}" if where else error.reason


def import_keywords(
    *, actor: Any, shop: Shop, files: Sequence[tuple[FileSource, str]], kind: str | None = None
) -> KeywordImportReport:
    """Import keyword exports into the shop's library, all or nothing (the module's docstring)."""
    roles.require(actor, IMPORT_KEYWORDS)
    if kind and kind not in KEYWORD_KINDS:
        report = KeywordImportReport(shop_code=shop.code)
        report.rejected = [RowError("", 0, "", _("Unknown kind of report %(kind)s.") % {"kind": kind})]
        report.rejected_rows = 1
        return report
    return _import(actor=actor, shop=shop, sources=[FileKeywordSource(f, name, kind) for f, name in files], day=None)


def import_from_source(*, actor: Any, shop: Shop, source: KeywordSource, day: date | None) -> KeywordImportReport:
    """Import what a collector fetches for the shop's day, by the same rules as a file."""
    roles.require(actor, IMPORT_KEYWORDS)
    return _import(actor=actor, shop=shop, sources=[source], day=day)


def _import(*, actor: Any, shop: Shop, sources: Sequence[KeywordSource], day: date | None) -> KeywordImportReport:
    report = KeywordImportReport(shop_code=shop.code, sources=[source.label for source in sources])
    errors: list[RowError] = []
    chosen: dict[tuple[str, date], KeywordRow] = {}
    for source in sources:
        try:
            rows = source.fetch(shop, day)
        except SourceRejected as exc:
            errors.extend(exc.errors)
            rows = exc.rows
        for row in rows:
            text = normalize_keyword(row.keyword)
            if not text:
                errors.append(RowError(row.file, row.line, row.header, _("Required: the row names no keyword.")))
                continue
            earlier = chosen.get((text, row.day))
            if earlier is None:
                chosen[(text, row.day)] = row
            elif earlier.figures() != row.figures():
                errors.append(
                    RowError(
                        row.file,
                        row.line,
                        row.header,
                        _("The keyword %(keyword)s of %(day)s is on line %(line)s of %(file)s with other figures; "
                          "keep one.")
                        % {"keyword": text, "day": row.day.isoformat(), "line": earlier.line, "file": earlier.file},
                    )
                )  # fmt: skip
    if errors:
        errors.sort(key=lambda error: (error.file, error.line))
        report.rejected = errors[:REJECTED_LISTED]
        report.rejected_rows = len({(error.file, error.line) for error in errors})
        return report
    report.rows = len(chosen)
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()  # one import into a shop at a time
        texts = {text for text, _day in chosen}
        existing = set(Keyword.objects.filter(text__in=texts).values_list("text", flat=True))
        Keyword.objects.bulk_create([Keyword(text=text) for text in sorted(texts - existing)], ignore_conflicts=True)
        report.keywords_created = len(texts - existing)
        ids = dict(Keyword.objects.filter(text__in=texts).values_list("text", "pk"))
        stored = {
            (day.keyword_id, day.day): day
            for day in KeywordDay.objects.filter(
                shop=shop, keyword_id__in=ids.values(), day__in={day for _text, day in chosen}
            )
        }
        new, changed = [], []
        for (text, day), row in sorted(chosen.items()):
            values = {name: getattr(row, name) for name in FIGURES}
            values.update(report=row.report[:16], source_file=row.file[:255])
            current = stored.get((ids[text], day))
            if current is None:
                new.append(KeywordDay(shop=shop, keyword_id=ids[text], day=day, **values))
            elif tuple(_plain(getattr(current, name)) for name in FIGURES) != row.figures():
                for name, value in values.items():
                    setattr(current, name, value)
                changed.append(current)
            else:
                report.days_unchanged += 1
        KeywordDay.objects.bulk_create(new)
        KeywordDay.objects.bulk_update(changed, [*FIGURES, "report", "source_file"])
        report.days_created, report.days_updated = len(new), len(changed)
        if new or changed:
            record_audit(
                actor=actor,
                action="market.import_keywords",
                obj=shop,
                after={
                    "sources": report.sources,
                    "days_created": report.days_created,
                    "days_updated": report.days_updated,
                },
            )
    return report


def _plain(value: Any) -> Any:
    """Decimals compared by value whatever their exponent (the database may give back 0.1 for 0.100000)."""
    return value.normalize() if isinstance(value, Decimal) else value
