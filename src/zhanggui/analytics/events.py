"""Behaviour event files: read and check them (polars, vectorised), store them as Parquet partitioned by day.

The format is the public Taobao user-behaviour schema (docs/metrics.md, "Behaviour events"): user_id, item_id,
category_id, behavior_type (pv, fav, cart, buy), timestamp (Unix seconds), then optionally session_id and
source. CSV with or without a header row (the public dataset has none: the columns are then taken in that
order), UTF-8 with or without a BOM, or Parquet with those column names.

Checking never loops over rows in Python: each rule is one polars expression over a whole column, and only the
refused rows (at most REJECTED_LISTED of them, all counted) are turned into words. Storage knows no Django
model: a shop's events are files `<ZHANGGUI_EVENTS_DIR>/<shop code>/day=YYYY-MM-DD/events.parquet`, one per
day of the shop's time zone, which DuckDB, polars or Spark read as a hive-partitioned dataset.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _

from zhanggui.channels.records import RowError

FileSource = str | os.PathLike[str] | IO[bytes]

REQUIRED = ("user_id", "item_id", "category_id", "behavior_type", "timestamp")
OPTIONAL = ("session_id", "source")
COLUMNS = REQUIRED + OPTIONAL
BEHAVIOURS = ("pv", "fav", "cart", "buy")
#: Stored as a dictionary of the four words: every engine reads strings, polars hands back the codes for free.
BEHAVIOUR = pl.Enum(BEHAVIOURS)
#: The stored columns and their types; the day is the partition (its directory), not a column of the file.
SCHEMA = pl.Schema(
    {
        "user_id": pl.Int64(),
        "item_id": pl.Int64(),
        "category_id": pl.Int64(),
        "behavior_type": BEHAVIOUR,
        "timestamp": pl.Int64(),
        "session_id": pl.String(),
        "source": pl.String(),
    }
)
ID_COLUMNS = ("user_id", "item_id", "category_id")
#: Timestamps are accepted from 2000-01-01 to before 2100-01-01 (UTC); the public dataset has a few outside.
EARLIEST, LATEST = 946_684_800, 4_102_444_800
SOURCE_LENGTH = 32  # EventDaySource.source
SESSION_LENGTH = 64
#: Refused rows listed in a report (every one is counted): enough to see the pattern, not a 20M-line page.
REJECTED_LISTED = 1000
PARQUET_MAGIC = b"PAR1"
DAY_FILE = "events.parquet"
ITEMS_FILE = "items.parquet"


@dataclass
class ReadResult:
    """One file, read and checked: its good rows (SCHEMA's columns plus `day`) or its refusals."""

    name: str
    frame: pl.DataFrame | None
    errors: list[RowError]
    rejected_rows: int  # every refused row, also those beyond the REJECTED_LISTED listed in `errors`

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------


def _raw_bytes(file: FileSource) -> bytes | str:
    """A path as it is (polars reads it itself); an upload or stream as its bytes, from the start."""
    if isinstance(file, str | os.PathLike):
        return os.fspath(file)
    if hasattr(file, "temporary_file_path"):  # a big upload Django spooled to disk
        return file.temporary_file_path()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _head(source: bytes | str, size: int = 4096) -> bytes:
    if isinstance(source, bytes):
        return source[:size]
    with open(source, "rb") as handle:
        return handle.read(size)


def _file_error(name: str, reason: str, column: str = "") -> ReadResult:
    return ReadResult(name, None, [RowError(name, 0, column, reason)], 0)


def read_file(file: FileSource, name: str, *, tz: str | None = None) -> ReadResult:
    """Read and check one file; with any bad row, the result holds the refusals and no frame."""
    source = _raw_bytes(file)
    head = _head(source)
    try:
        if head.startswith(PARQUET_MAGIC):
            frame, first_line = pl.read_parquet(source if isinstance(source, str) else io.BytesIO(source)), 1
        else:
            frame, first_line = _read_csv(source, head)
    except _Unreadable as exc:
        return _file_error(name, str(exc))
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        message = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return _file_error(name, _("The file cannot be read as CSV or Parquet: %(error)s") % {"error": message})
    missing = [column for column in REQUIRED if column not in frame.columns]
    unknown = [column for column in frame.columns if column not in COLUMNS]
    if missing or unknown:
        reason = _("The columns must be %(columns)s (session_id and source may be left out).") % {
            "columns": ", ".join(COLUMNS)
        }
        return _file_error(name, reason, ", ".join(missing + unknown))
    return check(frame, name, first_line=first_line, tz=tz or settings.TIME_ZONE)


class _Unreadable(Exception):
    """The file as a whole is not a table of events (said in words a person can act on)."""


def _read_csv(source: bytes | str, head: bytes) -> tuple[pl.DataFrame, int]:
    """The CSV's rows and the file line of its first row. Typed at once when every value parses (the usual
    case, and the fast one); a file with a bad value is read again as text so each refusal can say why."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    if not text.strip():
        return pl.DataFrame(schema=SCHEMA), 1
    first = text.splitlines()[0].decode("utf-8", "replace")
    cells = [cell.strip().strip('"').strip().lower() for cell in first.split(",")]
    has_header = any(cell in COLUMNS for cell in cells)
    if has_header:
        names = cells
    else:
        if not len(REQUIRED) <= len(cells) <= len(COLUMNS):
            raise _Unreadable(
                _(
                    "A file without a header row must have the columns %(columns)s in this order; "
                    "its first line has %(n)s."
                )
                % {"columns": ", ".join(COLUMNS), "n": len(cells)}
            )
        names = list(COLUMNS[: len(cells)])
    if len(set(names)) != len(names) or any(name not in COLUMNS for name in names):
        return pl.DataFrame({name: [] for name in dict.fromkeys(names)}), 2  # refused by the caller, by column
    options: dict[str, Any] = {"has_header": False, "skip_rows": 1 if has_header else 0, "quote_char": '"'}
    try:
        typed = {name: pl.String if name == "behavior_type" else SCHEMA[name] for name in names}
        frame = pl.read_csv(source, schema=typed, **options)
    except pl.exceptions.PolarsError:
        frame = pl.read_csv(source, new_columns=names, infer_schema=False, **options)
    return frame, 2 if has_header else 1


# --------------------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------------------


def _problems_of_id(column: str, dtype: pl.DataType) -> list[tuple[pl.Expr, str]]:
    """(refused when, reason code) for an id column: present, a whole number, not negative."""
    value = pl.col(column)
    if dtype.is_integer():
        return [(value.is_null(), "empty"), (value < 0, "negative")]
    text = value.cast(pl.String).str.strip_chars()
    number = text.cast(pl.Int64, strict=False)
    return [
        (text.is_null() | (text == ""), "empty"),
        (text.is_not_null() & (text != "") & number.is_null(), "not_whole"),
        (number < 0, "negative"),
    ]


def _int_value(column: str, dtype: pl.DataType) -> pl.Expr:
    value = pl.col(column)
    return (
        value.cast(pl.Int64)
        if dtype.is_integer()
        else value.cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)
    )


def _text(column: str, frame: pl.DataFrame) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.String)
    return pl.col(column).cast(pl.String).str.strip_chars()


def check(frame: pl.DataFrame, name: str, *, first_line: int, tz: str) -> ReadResult:
    """The frame's rows as stored (SCHEMA + day), or every refused row: (line, column, reason)."""
    types = frame.schema
    rules: list[tuple[str, pl.Expr, str]] = []
    for column in ID_COLUMNS:
        rules += [(column, when, code) for when, code in _problems_of_id(column, types[column])]
    if types["behavior_type"] == BEHAVIOUR:  # a file we (or polars) wrote: the words are checked already
        behaviour = pl.col("behavior_type").cast(pl.String)
    else:
        behaviour = _text("behavior_type", frame).str.to_lowercase()
    rules.append(("behavior_type", behaviour.is_null() | ~behaviour.is_in(BEHAVIOURS), "behaviour"))
    stamp_text = _text("timestamp", frame)
    stamp = _int_value("timestamp", types["timestamp"])
    if types["timestamp"].is_integer():
        rules.append(("timestamp", stamp.is_null(), "empty"))
    else:
        rules.append(("timestamp", stamp_text.is_null() | (stamp_text == ""), "empty"))
        rules.append(("timestamp", (stamp_text != "") & stamp.is_null(), "stamp"))
    rules.append(("timestamp", (stamp < EARLIEST) | (stamp >= LATEST), "range"))
    rules.append(("source", _text("source", frame).str.len_chars() > SOURCE_LENGTH, "source_long"))
    rules.append(("session_id", _text("session_id", frame).str.len_chars() > SESSION_LENGTH, "session_long"))

    flags = frame.select([when.fill_null(False).alias(f"r{i}") for i, (_c, when, _code) in enumerate(rules)])
    bad = flags.select(pl.any_horizontal(pl.all()).alias("bad")).to_series()
    rejected = int(bad.sum()) if len(bad) else 0
    if rejected:
        return ReadResult(name, None, _refusals(frame, flags, rules, bad, name, first_line), rejected)

    cleaned = frame.select(
        *(_int_value(column, types[column]).alias(column) for column in ID_COLUMNS),
        behaviour.cast(BEHAVIOUR).alias("behavior_type"),
        stamp.alias("timestamp"),
        _text("session_id", frame).replace("", None).alias("session_id"),
        _text("source", frame).fill_null("").alias("source"),
    )
    return ReadResult(name, with_day(cleaned, tz), [], 0)


def _refusals(
    frame: pl.DataFrame, flags: pl.DataFrame, rules: list, bad: pl.Series, name: str, first_line: int
) -> list[RowError]:
    """The first REJECTED_LISTED refused rows in words, each with every rule it broke."""
    rows = frame.with_row_index("row").filter(bad).head(REJECTED_LISTED)
    row_flags = flags.filter(bad).head(REJECTED_LISTED)
    errors: list[RowError] = []
    for index, record in enumerate(rows.iter_rows(named=True)):
        for i, (column, _when, code) in enumerate(rules):
            if row_flags[f"r{i}"][index]:
                errors.append(RowError(name, record["row"] + first_line, column, _reason(code, record.get(column))))
    return errors


def _reason(code: str, value: Any) -> str:
    shown = "" if value is None else str(value)
    if code == "empty":
        return _("empty")
    if code == "negative":
        return _("%(value)s: an id must not be negative") % {"value": shown}
    if code == "not_whole":
        return _("%(value)s is not a whole number") % {"value": shown}
    if code == "behaviour":
        return _("unknown behavior_type %(value)s (pv, fav, cart or buy)") % {"value": shown or "''"}
    if code == "stamp":
        return _("%(value)s is not a timestamp (Unix seconds)") % {"value": shown}
    if code == "range":
        return _("%(value)s is out of range (a moment from 2000 to 2099, in Unix seconds)") % {"value": shown}
    if code == "source_long":
        return _("longer than %(max)s characters") % {"max": SOURCE_LENGTH}
    return _("longer than %(max)s characters") % {"max": SESSION_LENGTH}


# --------------------------------------------------------------------------------------------------------
# Days in the shop's time zone
# --------------------------------------------------------------------------------------------------------


def _offset(zone: ZoneInfo, second: int) -> int:
    moment = datetime.fromtimestamp(second, tz=UTC).astimezone(zone)
    offset = moment.utcoffset()
    return int(offset.total_seconds()) if offset else 0


def with_day(frame: pl.DataFrame, tz: str) -> pl.DataFrame:
    """The frame with its `day` (Date) in the zone `tz`. When every hour the events fall in has one UTC offset
    (Asia/Shanghai always has), the day is plain arithmetic; otherwise polars converts each moment."""
    if frame.is_empty():
        return frame.with_columns(day=pl.lit(None, dtype=pl.Date))
    zone = ZoneInfo(tz)
    hours = frame.select(pl.col("timestamp") // 3600).to_series().unique().to_list()
    offsets = {_offset(zone, hour * 3600) for hour in hours} | {_offset(zone, hour * 3600 + 3599) for hour in hours}
    if len(offsets) == 1:
        (offset,) = offsets
        day = ((pl.col("timestamp") + offset) // 86_400).cast(pl.Int32).cast(pl.Date)
    else:
        day = pl.from_epoch("timestamp", "s").dt.replace_time_zone("UTC").dt.convert_time_zone(tz).dt.date()
    return frame.with_columns(day=day)


def day_bounds(day: date, tz: str) -> tuple[int, int]:
    """The Unix seconds a day of the zone starts and ends (exclusive) at."""
    zone = ZoneInfo(tz)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return int(start.timestamp()), int(end.timestamp())


# --------------------------------------------------------------------------------------------------------
# Storage: one Parquet file per shop and day
# --------------------------------------------------------------------------------------------------------


def shop_dir(shop_code: str, root: Path | None = None) -> Path:
    return Path(root or settings.ZHANGGUI_EVENTS_DIR) / shop_code


def day_path(shop_code: str, day: date, root: Path | None = None) -> Path:
    return shop_dir(shop_code, root) / f"day={day.isoformat()}" / DAY_FILE


def items_path(shop_code: str, day: date, root: Path | None = None) -> Path:
    """Each item's figures of the day (analytics.aggregates.ITEM_SCHEMA), beside the events but outside their
    dataset: a shop code has no dot, so `<code>.items` is never a shop's directory."""
    return Path(root or settings.ZHANGGUI_EVENTS_DIR) / f"{shop_code}.items" / f"day={day.isoformat()}" / ITEMS_FILE


def write_atomically(frame: pl.DataFrame, final: Path) -> Path:
    """Write `frame` to a temporary file beside `final`; the caller renames it over `final` (os.replace)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    frame.write_parquet(temp, compression="zstd", statistics=True)
    return temp


def stored_days(shop_code: str, root: Path | None = None) -> list[date]:
    found = []
    for path in shop_dir(shop_code, root).glob(f"day=*/{DAY_FILE}"):
        try:
            found.append(date.fromisoformat(path.parent.name.removeprefix("day=")))
        except ValueError:
            continue
    return sorted(found)


def scan_days(shop_code: str, days: Iterable[date], root: Path | None = None) -> pl.LazyFrame:
    """The stored events of these days (those that have a file), with their `day`."""
    frames = [
        pl.scan_parquet(path).with_columns(day=pl.lit(day, dtype=pl.Date))
        for day in sorted(set(days))
        if (path := day_path(shop_code, day, root)).exists()
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema={**SCHEMA, "day": pl.Date}).lazy()


@dataclass
class StagedDay:
    """A day whose new content is written to a temporary file beside its final one, renamed on commit."""

    day: date
    frame: pl.DataFrame  # the day's events as they will be stored (SCHEMA's columns)
    temp: Path
    final: Path
    added: int  # events the day did not have

    def commit(self) -> None:
        os.replace(self.temp, self.final)

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


def merge_day(shop_code: str, day: date, new: pl.DataFrame, root: Path | None = None) -> StagedDay | None:
    """The day's stored events together with `new`, an event counted once (docs/metrics.md: an event is its
    every column, so the same file twice changes nothing), sorted by (user_id, item_id, timestamp); None when
    `new` adds nothing the day has."""
    final = day_path(shop_code, day, root)
    new = new.select(list(SCHEMA)).cast(SCHEMA)
    stored = pl.read_parquet(final).cast(SCHEMA) if final.exists() else None  # the sources' dictionary to text
    merged = _sorted_once(new if stored is None else pl.concat([stored, new], how="vertical_relaxed"))
    if stored is not None and merged.height == stored.height:
        return None
    added = merged.height - (stored.height if stored is not None else 0)
    # The sources as a Categorical (a dictionary): every engine reads text, polars hands back codes as well.
    merged = merged.with_columns(pl.col("source").cast(pl.Categorical))
    return StagedDay(day, merged, write_atomically(merged, final), final, added)


def _sorted_once(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows sorted by visitor, item and moment (the order analytics.aggregates counts distinct visitors in
    without hashing), each distinct row once. Two equal rows share those three keys, so after the sort only the
    rows whose keys repeat a neighbour's need the full comparison: a few, not the day."""
    keys = ("user_id", "item_id", "timestamp")
    ordered = frame.sort(*keys)
    same_before = pl.all_horizontal([pl.col(key) == pl.col(key).shift(1) for key in keys]).fill_null(False)
    same_after = pl.all_horizontal([pl.col(key) == pl.col(key).shift(-1) for key in keys]).fill_null(False)
    ties = ordered.select((same_before | same_after).arg_true()).to_series()
    if ties.is_empty():
        return ordered
    first = ordered[ties].select(pl.struct(pl.all()).is_first_distinct()).to_series()
    keep = np.ones(ordered.height, dtype=bool)
    keep[ties.to_numpy()] = first.to_numpy()
    return ordered.filter(keep)


def split_by_day(frames: Sequence[pl.DataFrame]) -> dict[date, pl.DataFrame]:
    """The good rows of every file of an import, by day (`day` taken off: the directory says it)."""
    whole = pl.concat([frame for frame in frames if frame.height], how="vertical_relaxed") if frames else None
    if whole is None or whole.is_empty():
        return {}
    return {key[0]: part.drop("day") for key, part in whole.partition_by("day", as_dict=True).items()}
