"""Read the platforms' daily report exports (生意参谋, 京东商智, ad reports) as they are: one kind of report a file,
told apart by its header row; one row a day (and item, source, plan…); every bad cell a RowError.

The kinds themselves (their columns and aliases) are in channels.traffic and channels.ads; this module is the
reading both share (docs/metrics.md, "Traffic and ads imports"):
- the header row is found below any title rows (core.tabular); a day comes from the row's 统计日期/日期, or, for
  a file without that column, from a title row that names one day ("统计日期：2026-11-01~2026-11-01");
- counts are whole numbers ("1,234", "1.2万"); money is yuan to the fen ("¥1,299.00", "31,396.00元");
- a rate is kept as a fraction: "3.45%" and "3.45" under a header with "%" in it ("点击率(%)") are 0.0345, a
  bare "0.0345" is taken as written; a rate that cannot exceed 100 % and does is refused;
- "-", "--" and empty cells are empty: a count or an amount is then 0, a rate has no value (None);
- a column the file does not have gives None for every row (the figure is unknown, not zero).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from zhanggui.channels.records import RowError
from zhanggui.core.money import FEN, LIMIT, MoneyError, plain_decimal
from zhanggui.core.tabular import (
    Column,
    DuplicateColumns,
    FileSource,
    MissingColumns,
    Table,
    TableError,
    display_name,
    leading_rows,
    read_table,
)

# The kinds of value a column holds.
DAY, COUNT, MONEY, RATE, DECIMAL, TEXT, CODE = "day", "count", "money", "rate", "decimal", "text", "code"
SECONDS = "seconds"  # a duration, kept in seconds to the hundredth: "23.5", "23.5秒", "1分5秒", "00:01:05"

#: Rates are kept to 6 decimals of a fraction (0.034567 is 3.4567 %), rounded half up.
RATE_PLACES = Decimal("0.000001")
#: Other decimals (人均浏览量) to 4 places, half up.
DECIMAL_PLACES = Decimal("0.0001")
#: Durations to the hundredth of a second, half up.
SECONDS_PLACES = Decimal("0.01")
_CLOCK_RE = re.compile(r"(?:([0-9]+):)?([0-9]{1,2}):([0-9]{1,2}(?:\.[0-9]+)?)", re.ASCII)
_WORDS_RE = re.compile(
    r"(?:([0-9]+(?:\.[0-9]+)?)(?:小时|时|h))?(?:([0-9]+(?:\.[0-9]+)?)(?:分钟|分|min|m))?(?:([0-9]+(?:\.[0-9]+)?)(?:秒|s))?",
    re.ASCII,
)
MAX_COUNT = 9_223_372_036_854_775_807  # PositiveBigIntegerField
_SCALES = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_DAY_RE = re.compile(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?", re.ASCII)
_COMPACT_DAY_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})", re.ASCII)
_TIME_RE = re.compile(r"(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?", re.ASCII)
_RANGE_RE = re.compile(r"\s*(?:~|～|至|到|—|--|\s-\s)\s*")


@dataclass(frozen=True)
class Field:
    """A column of a report: our key, the headers accepted (aliases), what it holds, and whether the names come
    from PLATFORMS.md (`documented`) or are our assumption of a version we have not seen (docs/metrics.md)."""

    key: str
    names: tuple[str, ...]
    kind: str
    documented: bool = True
    max_length: int = 0  # TEXT and CODE
    bounded: bool = True  # RATE: at most 100 % (a conversion, a bounce rate); False for rates that may exceed it
    rounded: bool = False  # MONEY computed by the platform (客单价, UV价值): rounded half up to the fen


@dataclass(frozen=True)
class ReportKind:
    """One kind of report: which platform's shops it fits, what it fills, how it is recognised and read."""

    key: str
    label: Promise | str
    platforms: tuple[str, ...]  # catalog.Channel values of the shops it may go into
    target: str  # what it fills: "shop", "items", "sources" or "ads"
    fields: tuple[Field, ...]
    signature: tuple[str, ...]  # keys whose columns must all be in the header row
    identity: tuple[str, ...] = ()  # keys that, with the day, name a row (the shop's day has none)
    channel: str = ""  # ads: ztc, jd_express, display, affiliate
    named: bool = True  # a row must fill one of its identity's columns (淘宝客's daily has no plan: False)

    def columns(self) -> list[Column]:
        return [Column(f.key, f.names, required=f.key in self.signature) for f in self.fields]

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def describe(self) -> str:
        """The kind and the columns that tell it, for a refusal: '生意参谋 商品排行 (商品ID, 商品访客数)'."""
        return f"{self.label} ({', '.join(self.field(key).names[0] for key in self.signature)})"


@dataclass
class ReportRow:
    """One row of a report: its day and values by key (int, Decimal or str; None: the file has no such column)."""

    file: str
    line: int
    day: date
    values: dict[str, Any]

    def identity(self, kind: ReportKind) -> tuple[Any, ...]:
        return (self.day, *(self.values.get(key) or "" for key in kind.identity))


@dataclass
class ReportFile:
    """What one file gave: its kind (None when it could not be told), its rows and its refused rows."""

    file: str
    kind: ReportKind | None
    rows: list[ReportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # key → the header as the file writes it

    def header(self, key: str) -> str:
        if key in self.headers:
            return self.headers[key]
        return self.kind.field(key).names[0] if self.kind is not None else key

    @property
    def days(self) -> list[date]:
        return sorted({row.day for row in self.rows})


class UnknownReport(TableError):
    code = "unknown_report"


# --------------------------------------------------------------------------------------------------------
# Telling the kind
# --------------------------------------------------------------------------------------------------------


def detect_kind(file: FileSource, filename: str, kinds: Sequence[ReportKind]) -> ReportKind | None:
    """The first of `kinds` whose signature the file's header row holds; None when none does. Raises
    core.tabular.UnreadableFile for a file that is no table at all."""
    for kind in kinds:
        try:
            read_table(file=file, filename=filename, columns=kind.columns())
        except MissingColumns:
            continue
        except DuplicateColumns:
            return kind  # its columns are there, twice: reading it says which
        return kind
    return None


def read_report(
    *, file: FileSource, filename: str = "", kinds: Sequence[ReportKind], kind: ReportKind | None = None
) -> ReportFile:
    """Read one report file of one of `kinds` (or of `kind` when the user named it). A file that cannot be read
    or told comes back with one error for the whole file (line 0), never an exception."""
    name = display_name(file=file, filename=filename)
    try:
        chosen = kind or detect_kind(file, name, kinds)
        if chosen is None:
            raise UnknownReport(
                _("%(file)s is none of the reports we read; the header row has the columns of none of: %(kinds)s.")
                % {"file": name, "kinds": "; ".join(k.describe() for k in kinds)}
            )
        result = ReportFile(file=name, kind=chosen)
        table = read_table(file=file, filename=name, columns=chosen.columns())
        title = leading_rows(file=file, sheet=table.sheet, count=table.header_line - 1)
        table = read_table(file=file, filename=name, columns=chosen.columns())  # leading_rows read the stream
        result.headers = dict(table.headers)
        _read_rows(table, chosen, title_period(title), result)
    except TableError as exc:
        return ReportFile(file=name, kind=kind, errors=[RowError(name, 0, "", exc.message)])
    return result


def title_period(rows: Sequence[Sequence[str]]) -> tuple[date, date] | None:
    """The period a report's title rows name ("统计日期：2026-11-01~2026-11-30", "2026-11-01"): the first title
    row with a date gives it; one date is a period of one day. None without a date."""
    for cells in rows:
        text = unicodedata.normalize("NFKC", " ".join(cell for cell in cells if cell))
        found = [day for match in _DAY_RE.finditer(text) if (day := _day_of(match)) is not None]
        if found:
            return (found[0], found[1] if len(found) > 1 else found[0])
    return None


def _day_of(match: re.Match[str]) -> date | None:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------------
# Reading the rows
# --------------------------------------------------------------------------------------------------------


def _read_rows(table: Table, kind: ReportKind, period: tuple[date, date] | None, result: ReportFile) -> None:
    name = table.filename
    has_day = table.has("day")
    if not has_day:
        if period is None:
            raise UnknownReport(
                _(
                    "%(file)s has no column of the day (%(column)s) and its title rows name no day; export it "
                    "with the day on each row, or one day a file."
                )
                % {"file": name, "column": kind.field("day").names[0]}
            )
        if period[0] != period[1]:
            raise UnknownReport(
                _(
                    "%(file)s sums up %(start)s to %(end)s in one row a report: the figures of each day are not in "
                    "it. Export it by day (one day a file, or with 统计日期 on each row)."
                )
                % {"file": name, "start": period[0].isoformat(), "end": period[1].isoformat()}
            )
    percent_headers = {key for key, header in table.headers.items() if "%" in unicodedata.normalize("NFKC", header)}
    present = [f for f in kind.fields if f.key != "day" and table.has(f.key)]
    absent = {f.key: None for f in kind.fields if f.key != "day" and not table.has(f.key)}
    named = [key for key in kind.identity if table.has(key)] or list(kind.identity[:1])
    fixed_day = None if has_day or period is None else period[0]
    for row in table:
        errors: list[RowError] = []

        def fail(key: str, reason: str, row: Any = row, errors: list[RowError] = errors) -> None:
            errors.append(RowError(name, row.line, table.header(key), reason))

        day = _row_day(row.get("day"), period, fail) if has_day else fixed_day
        values: dict[str, Any] = dict(absent)
        for f in present:
            try:
                values[f.key] = read_value(f, row.get(f.key), percent=f.key in percent_headers)
            except ValueError as exc:
                fail(f.key, str(exc))
        if kind.named and kind.identity and not any(values.get(key) for key in kind.identity):
            fail(named[0], _("Required: the row names no %(what)s.") % {"what": " / ".join(map(table.header, named))})
        if errors:
            result.errors.extend(errors)
        elif day is not None:
            result.rows.append(ReportRow(file=name, line=row.line, day=day, values=values))


def _row_day(text: str, period: tuple[date, date] | None, fail: Any) -> date | None:
    if not text:
        if period is not None and period[0] == period[1]:
            return period[0]
        fail("day", _("Required: the day of the row's figures."))
        return None
    try:
        return parse_day(text)
    except ValueError as exc:
        fail("day", str(exc))
        return None


def parse_day(text: str) -> date:
    """A day as the reports write it: 2026-11-01, 2026/11/1, 2026年11月1日, 20261101, with a time of 00:00 from
    a spreadsheet's date cell, or a range of that one day ("2026-11-01~2026-11-01"). ValueError otherwise."""
    plain = unicodedata.normalize("NFKC", text).strip()
    parts = _RANGE_RE.split(plain)
    if len(parts) == 2:
        first, last = parse_day(parts[0]), parse_day(parts[1])
        if first != last:
            raise ValueError(
                _("%(value)s is a period of several days; the report must have one row a day.") % {"value": text}
            )
        return first
    plain = _TIME_RE.sub("", plain, count=1) if _TIME_RE.search(plain) else plain
    match = _DAY_RE.fullmatch(plain) or _COMPACT_DAY_RE.fullmatch(plain)
    day = _day_of(match) if match else None
    if day is None:
        raise ValueError(_("%(value)s is not a day; write it as 2026-11-01.") % {"value": text})
    return day


def read_value(f: Field, text: str, *, percent: bool = False) -> Any:
    """One cell as its column's value (module docstring); ValueError with the reason in words."""
    if f.kind in (TEXT, CODE):
        if f.max_length and len(text) > f.max_length:
            raise ValueError(_("Longer than %(max)s characters.") % {"max": f.max_length})
        if f.kind == CODE and text and not text.isprintable():
            raise ValueError(_("Holds an invisible or control character; type the code again without it."))
        return text if text.isprintable() else " ".join(text.split())
    if f.kind == RATE:
        return _rate(f, text, percent=percent)
    if f.kind == SECONDS:
        return _seconds(text)
    if not text:
        return Decimal("0.00") if f.kind == MONEY else (Decimal("0.0000") if f.kind == DECIMAL else 0)
    number = _number(text)
    if number < 0:
        raise ValueError(_("%(value)s: must not be negative.") % {"value": text})
    if f.kind == COUNT:
        if number != number.to_integral_value():
            raise ValueError(_("%(value)s is not a whole number.") % {"value": text})
        if number > MAX_COUNT:
            raise ValueError(_("%(value)s is too large.") % {"value": text})
        return int(number)
    if f.kind == DECIMAL:
        if number >= LIMIT:
            raise ValueError(_("%(value)s is too large.") % {"value": text})
        return number.quantize(DECIMAL_PLACES, rounding=ROUND_HALF_UP)
    if number >= LIMIT:
        raise ValueError(_("%(value)s is too large.") % {"value": text})
    if number != number.quantize(FEN) and not f.rounded:
        raise ValueError(_("%(value)s is not an amount in yuan with at most two decimals.") % {"value": text})
    return number.quantize(FEN, rounding=ROUND_HALF_UP)


def _number(text: str) -> Decimal:
    """A number as reports write it: thousands separators, ¥/元, "2.5万", "1.2亿"; exact (never through float)."""
    plain = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    for token in ("¥", "元", "RMB", "CNY"):
        plain = plain.replace(token, "")
    scale = _SCALES.get(plain[-1:])
    if scale is not None:
        plain = plain[:-1]
    try:
        number = plain_decimal(plain, text)
    except MoneyError:
        raise ValueError(_("%(value)s is not a number.") % {"value": text}) from None
    return number * scale if scale is not None else number


def _seconds(text: str) -> Decimal | None:
    """A duration in seconds: a bare number is seconds; "1分5秒", "2m30s", "00:01:05" and "1:05" are read as
    written. Empty has no value (None), like a rate: an agent without consultations has no response time."""
    plain = unicodedata.normalize("NFKC", text).replace(" ", "").lower()
    if not plain:
        return None
    total: Decimal | None = None
    clock = _CLOCK_RE.fullmatch(plain)
    words = _WORDS_RE.fullmatch(plain)
    try:
        if clock:
            total = Decimal(clock[1] or 0) * 3600 + Decimal(clock[2]) * 60 + Decimal(clock[3])
        elif words and any(words.groups()):
            hours, minutes, seconds = (Decimal(part or 0) for part in words.groups())
            total = hours * 3600 + minutes * 60 + seconds
        else:
            total = plain_decimal(plain, text)
    except MoneyError:
        total = None
    if total is None:
        raise ValueError(_("%(value)s is not a duration; write it in seconds (23.5) or as 1分5秒.") % {"value": text})
    if total < 0:
        raise ValueError(_("%(value)s: must not be negative.") % {"value": text})
    if total >= 10_000_000:
        raise ValueError(_("%(value)s is too large.") % {"value": text})
    return total.quantize(SECONDS_PLACES, rounding=ROUND_HALF_UP)


def _rate(f: Field, text: str, *, percent: bool) -> Decimal | None:
    if not text:
        return None
    plain = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    if plain.endswith("%"):
        plain, percent = plain[:-1], True
    try:
        number = plain_decimal(plain, text)
    except MoneyError:
        raise ValueError(_("%(value)s is not a rate; write it as 3.45%% or 0.0345.") % {"value": text}) from None
    rate = number / 100 if percent else number
    if rate < 0:
        raise ValueError(_("%(value)s: must not be negative.") % {"value": text})
    if f.bounded and rate > 1:
        if percent:
            raise ValueError(_("%(value)s is more than 100%%.") % {"value": text})
        raise ValueError(
            _(
                "%(value)s without a %% sign is read as a fraction (%(value)s × 100 %%), more than 100 %%; "
                "write it as %(value)s%%."
            )
            % {"value": text}
        )
    if rate >= 1_000:
        raise ValueError(_("%(value)s is too large.") % {"value": text})
    return rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
