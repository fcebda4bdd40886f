"""Read the tables people hand us (XLSX or CSV exported by a platform, Excel or WPS) row by row.

Shared by every importer (catalog, stock counts, later order exports), because the same traps show up in all of
them (docs/catalog-import.md, PLATFORMS.md "Parser traps"):
- columns are found by name with aliases, never by position: platforms add, drop and reorder columns, and
  headers carry trailing or full-width spaces;
- title rows above the header, blank rows and summary rows (汇总/合计/总计) are skipped;
- CSVs come in UTF-8, UTF-8 with BOM or GBK/GB18030; ".xlsx" files are sometimes old .xls or HTML;
- cells carry `="123"` or a leading `'` to keep long numbers as text, and "-"/"--" for empty.

Every row keeps the row number the user sees in a spreadsheet (1-based, title rows counted), so errors can point
at it. Reading is read-only and never touches the database.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.core.errors import DomainError

#: How many rows (title rows included) are searched for the header row.
HEADER_SEARCH_ROWS = 30
#: Cell texts that mean "no value" in platform exports.
EMPTY_MARKS = frozenset({"-", "--", "—", "——", "－"})
SUMMARY_RE = re.compile(r"^(汇总|合计|总计)(?:$|[\s:：(（])")
# A whole number as sheets write it once thousands separators are gone: digits, and Excel's ".0".
_WHOLE_RE = re.compile(r"[+-]?[0-9]+(?:\.0*)?", re.ASCII)
_FORMULA_TEXT_RE = re.compile(r'^="(.*)"$', re.DOTALL)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")

FileSource = str | os.PathLike[str] | IO[bytes]


# --------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------


class TableError(DomainError):
    """The file as a whole cannot be read; no row was looked at."""

    code = "table_error"
    http_status = 422


class UnreadableFile(TableError):
    code = "unreadable_file"


class MissingColumns(TableError):
    code = "missing_columns"


class DuplicateColumns(TableError):
    code = "duplicate_columns"


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; importers turn it into a RowError."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class RowError:
    """One rejected row: where it is (line as the spreadsheet shows it, column header as written) and why."""

    line: int
    column: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)s, %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


# --------------------------------------------------------------------------------------------------------
# Columns and rows
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column we read: `key` is our name for it, `names` the headers accepted (the first is the one we write)."""

    key: str
    names: tuple[str, ...]
    required: bool = False

    @property
    def header(self) -> str:
        return self.names[0]

    def describe(self) -> str:
        """All accepted names, for error messages: '商家编码 / SKU编码 / sku_code'."""
        names = list(dict.fromkeys([*self.names, self.key]))
        return " / ".join(names)


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


def normalize_header(text: str) -> str:
    """Fold the ways people write one header: NFKC (full-width → ASCII), no spaces at all, no '*', casefold."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    text = re.sub(r"\s+", "", text).strip("*")
    return text.casefold()


def _format_number(value: float) -> str:
    # Excel stores 12 as 12.0 and 19.9 as a binary double; repr gives back what was typed, and Decimal keeps
    # big numbers out of exponent notation.
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def clean_cell(value: Any) -> str:
    """A cell as text, without the disguises exports put on it; '' for no value."""
    if type(value) is str:  # every CSV cell: the common case first
        return _clean_text_cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return _clean_text_cell(str(value))


def _clean_text_cell(value: str) -> str:
    # str.strip() also takes full-width and no-break spaces. Control characters inside stay: a code holding
    # one is refused by its field and free text is cleaned by its field (core.text), so nothing is changed
    # silently here ("AB\x01C" must not become the SKU "ABC").
    text = value.strip()
    if text.startswith("="):
        match = _FORMULA_TEXT_RE.match(text)
        if match:
            text = match.group(1).replace('""', '"').strip()
    if text.startswith("'"):
        text = text[1:].strip()
    if text in EMPTY_MARKS:
        return ""
    return text


MAX_INT = 2_147_483_647  # the largest positive integer column on every database we support


def whole_number(text: str, *, maximum: int = MAX_INT) -> int:
    """A count or a weight: '12', '1,200', '１２' and Excel's '12.0' are fine; '12.5', '-1', '1e3', '1_000' and
    'abc' raise CellError (full-width digits are read as ASCII, as money is: docs/money.md)."""
    plain = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    number = Decimal(plain) if _WHOLE_RE.fullmatch(plain) else None
    if number is None:
        raise CellError("not_whole_number", _("%(value)s is not a whole number.") % {"value": text})
    if number < 0:
        raise CellError("negative", _("%(value)s: must not be negative.") % {"value": text})
    if number > maximum:
        raise CellError("too_large", _("%(value)s is too large.") % {"value": text})
    return int(number)


# A moment as the platforms and Excel write it (after NFKC): 2026-11-11 00:03:12, 2026/11/11 0:03, 2026-11-11,
# 2026年11月11日 0:03, and the ISO text an Excel date-time cell becomes in clean_cell (2026-11-11 00:03:12.5).
_MOMENT_RE = re.compile(
    r"(?P<year>[0-9]{4})[-/.年](?P<month>[0-9]{1,2})[-/.月](?P<day>[0-9]{1,2})日?"
    r"(?:(?:\s+|T)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,6}))?)?)?",
    re.ASCII,
)


def parse_moment(value: Any, *, tz: tzinfo | None = None) -> datetime:
    """A date-time cell as an aware datetime in `tz` (default: the shop's, settings.TIME_ZONE).

    Accepts the forms platforms write ('2026-11-11 00:03:12', '2026/11/11 0:03', '2026-11-11' as midnight),
    full-width digits, and Excel date or date-time cells (naive: read as the shop's wall-clock time).
    Anything else, and impossible dates ('2026-02-30'), raise CellError.
    """
    zone = tz or timezone.get_default_timezone()
    if isinstance(value, datetime):
        return value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    text = unicodedata.normalize("NFKC", clean_cell(value)).strip()
    match = _MOMENT_RE.fullmatch(text)
    if match:
        year, month, day, hour, minute, second = (
            int(match[key] or 0) for key in ("year", "month", "day", "hour", "minute", "second")
        )
        micro = int((match["fraction"] or "0").ljust(6, "0"))
        try:
            return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
        except ValueError:
            pass  # 2026-02-30 or 25:00: well formed, but no such moment
    raise CellError(
        "not_a_moment",
        _("%(value)s is not a date and time; write it as 2026-11-11 00:03:12 or 2026/11/11 0:03.") % {"value": value},
    )


# --------------------------------------------------------------------------------------------------------
# Reading the raw rows
# --------------------------------------------------------------------------------------------------------


def _read_bytes(file: FileSource) -> bytes:
    if isinstance(file, str | os.PathLike):
        try:
            return Path(file).read_bytes()
        except OSError as exc:
            raise UnreadableFile(
                _("Cannot open %(file)s: %(error)s") % {"file": file, "error": exc.strerror or exc}
            ) from exc
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if isinstance(data, str):  # a text stream: the caller already decoded it
        return data.encode("utf-8")
    return bytes(data)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding found: a BOM decides; else strict UTF-8; else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, encoding
    raise UnreadableFile(
        _("The file is not a text table in UTF-8 or GBK; save it as CSV (UTF-8) or as .xlsx and try again.")
    )


def _delimiter(text: str) -> str:
    # Not csv.Sniffer: specs like "颜色:红;尺码:M" fool it. Excel's "Unicode text" is tab-separated.
    head = text[:8192]
    if "," in head or "\t" not in head:
        return ","
    return "\t"


def _csv_rows(data: bytes) -> tuple[Iterator[tuple[int, list[Any]]], str]:
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # The record number is the row number Excel/WPS shows, also when a quoted cell holds a line break.
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise UnreadableFile(
                _("The CSV file is broken near row %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}
            ) from exc

    return rows(), encoding


def _spreadsheet_trap(data: bytes) -> str | None:
    """The message for a file with an Excel name that is not an .xlsx, or None."""
    if data.startswith(_OLE2_MAGIC):
        return _("This is an old Excel 97-2003 (.xls) file. Open it in Excel or WPS and save it as .xlsx or CSV.")
    head = data[:512].lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        return _(
            "This file is a web page (HTML or XML) saved with an Excel name. Open it in Excel or WPS and save "
            "it as .xlsx or CSV."
        )
    return None


def _xlsx_sheets(data: bytes) -> list[tuple[str, Iterator[tuple[int, list[Any]]]]]:
    """Row iterators for each sheet, the active sheet first (that is the one the user last looked at)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, BadZipFile, InvalidFileException, ...)
        raise UnreadableFile(
            _("The .xlsx file cannot be read (%(error)s). Open it in Excel or WPS and save it again.")
            % {"error": exc.__class__.__name__}
        ) from exc
    sheets = list(workbook.worksheets)
    active = workbook.active
    if active in sheets:
        sheets.remove(active)
        sheets.insert(0, active)

    def rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
        # Some generators write a wrong <dimension>; without this, read-only mode stops at it.
        sheet.reset_dimensions()
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        except Exception as exc:
            raise UnreadableFile(
                _("The .xlsx file is damaged (%(error)s). Open it in Excel or WPS and save it again.")
                % {"error": exc.__class__.__name__}
            ) from exc

    return [(sheet.title, rows(sheet)) for sheet in sheets if hasattr(sheet, "iter_rows")]


# --------------------------------------------------------------------------------------------------------
# Finding the header and yielding rows
# --------------------------------------------------------------------------------------------------------


@dataclass
class _Header:
    line: int
    positions: dict[str, int]  # key → cell index
    headers: dict[str, str]  # key → header as written
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # key, first header, second header


def _match_header(line: int, cells: list[Any], aliases: dict[str, str]) -> _Header:
    found = _Header(line=line, positions={}, headers={})
    for index, cell in enumerate(cells):
        text = clean_cell(cell)
        key = aliases.get(normalize_header(text)) if text else None
        if key is None:
            continue
        if key in found.positions:
            found.duplicates.append((key, found.headers[key], text))
            continue
        found.positions[key], found.headers[key] = index, text
    return found


@dataclass
class Table:
    """The rows of one sheet under its header. Single pass: iterate it once."""

    filename: str
    kind: str  # "xlsx" or "csv"
    encoding: str  # "" for xlsx
    sheet: str
    header_line: int
    columns: dict[str, Column]
    headers: dict[str, str]
    _positions: dict[str, int]
    _rows: Iterator[tuple[int, list[Any]]]

    def has(self, key: str) -> bool:
        return key in self.headers

    def header(self, key: str) -> str:
        """The header as the file writes it, or our name for a column the file does not have."""
        return self.headers.get(key) or self.columns[key].header

    def __iter__(self) -> Iterator[Row]:
        for line, cells in self._rows:
            values = {
                key: clean_cell(cells[index]) if index < len(cells) else "" for key, index in self._positions.items()
            }
            if not any(values.values()):
                continue  # blank, or only notes in columns we do not read
            first = next((text for text in (clean_cell(c) for c in cells) if text), "")
            if SUMMARY_RE.match(first):
                continue
            yield Row(line=line, values=values)


def display_name(*, file: FileSource, filename: str = "") -> str:
    """The file's name for messages: the given name, else the path's or the stream's, without folders."""
    if not filename and isinstance(file, str | os.PathLike):
        filename = os.fspath(file)
    return os.path.basename(filename or str(getattr(file, "name", "") or ""))


def read_table(
    *,
    file: FileSource,
    filename: str = "",
    columns: Sequence[Column],
    header_search_rows: int = HEADER_SEARCH_ROWS,
) -> Table:
    """Open an XLSX or CSV file and position it after its header row.

    The kind is decided by the content (a zip is an .xlsx), not by the name, because files are renamed.
    Raises UnreadableFile, MissingColumns or DuplicateColumns; a row-level problem is for the caller to
    report as a RowError.
    """
    filename = display_name(file=file, filename=filename)
    data = _read_bytes(file)
    if not data.strip():
        raise UnreadableFile(_("The file %(file)s is empty.") % {"file": filename})

    if data.startswith(_ZIP_MAGIC):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise UnreadableFile(_("The .xlsx file is damaged (not a complete zip archive). Save it again and retry."))
        kind, encoding, sheets = "xlsx", "", _xlsx_sheets(data)
    else:
        trap = _spreadsheet_trap(data)
        if trap:
            raise UnreadableFile(trap)
        if filename.lower().endswith(_SPREADSHEET_SUFFIXES):
            raise UnreadableFile(
                _("%(file)s is not a valid .xlsx file (it is not a zip archive). Save it as .xlsx or CSV.")
                % {"file": filename}
            )
        rows, encoding = _csv_rows(data)
        kind, sheets = "csv", [("", rows)]

    by_key = {column.key: column for column in columns}
    aliases: dict[str, str] = {}
    for column in columns:
        for name in (*column.names, column.key):
            aliases[normalize_header(name)] = column.key
    required = [column.key for column in columns if column.required]

    best: _Header | None = None
    for sheet_name, rows in sheets:
        for line, cells in rows:
            if line > header_search_rows:
                break
            candidate = _match_header(line, cells, aliases)
            if not candidate.positions:
                continue
            if best is None or len(candidate.positions) > len(best.positions):
                best = candidate
            if all(key in candidate.positions for key in required):
                if candidate.duplicates:
                    raise DuplicateColumns(
                        "; ".join(
                            _("columns %(first)s and %(second)s both mean %(column)s")
                            % {"first": first, "second": second, "column": by_key[key].describe()}
                            for key, first, second in candidate.duplicates
                        )
                        + ". "
                        + _("Keep one of them.")
                    )
                return Table(
                    filename=filename,
                    kind=kind,
                    encoding=encoding,
                    sheet=sheet_name,
                    header_line=line,
                    columns=by_key,
                    headers=candidate.headers,
                    _positions=candidate.positions,
                    _rows=rows,
                )
    missing = [by_key[key] for key in required if best is None or key not in best.positions]
    raise MissingColumns(
        _(
            "%(file)s has no header row with the required columns. Missing: %(columns)s. "
            "Columns are found by their name in the header row, not by their position."
        )
        % {"file": filename, "columns": "; ".join(column.describe() for column in missing)},
        missing=[column.key for column in missing],
    )
