"""Read the tables people hand us (XLSX or CSV exported by a platform, Excel or WPS) row by row.

Shared by every importer (catalog, stock counts, later order exports), because the same traps show up in all of
them (docs/catalog-import.md, PLATFORMS.md "Parser traps"):
- columns are found by name with aliases, never by position: platforms add, drop and reorder columns, and
  headers carry trailing or full-width spaces;
- title rows above the header, blank rows and summary rows (汇总/合计/总计) are skipped;
- CSVs come in UTF-8, UTF-8 with BOM or GBK/GB18030; ".xlsx" files are sometimes old .xls or HTML;
- cells carry `="123"` or a leading `'` to keep long numbers as text, and "-"/"--" for empty.

Every row keeps the row number the user sees in a spreadsheet (1-based, title rows counted), so errors can point
at it. Reading is read-only and never touches the database. A CSV is streamed: decoded a block at a time
(_Decoder) and cleaned a chunk of rows at a time, column by column (_clean_column), so a file of any size reads
in the same little memory; an .xlsx is read by openpyxl in read-only mode.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.core.errors import DomainError

#: How many rows (title rows included) are searched for the header row.
HEADER_SEARCH_ROWS = 30
#: Cell texts that mean "no value" in platform exports.
EMPTY_MARKS = frozenset({"-", "--", "—", "——", "－"})
SUMMARY_RE = re.compile(r"^(汇总|合计|总计)(?:$|[\s:：(（])")
_SUMMARY_FIRST = frozenset("汇合总")
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


#: The first characters of the disguises _clean_text_cell takes off: ="…", a leading ', the empty marks.
_DISGUISED = frozenset("='") | {mark[0] for mark in EMPTY_MARKS}


def _clean_text_cell(value: str) -> str:
    # str.strip() also takes full-width and no-break spaces. Control characters inside stay: a code holding
    # one is refused by its field and free text is cleaned by its field (core.text), so nothing is changed
    # silently here ("AB\x01C" must not become the SKU "ABC").
    text = value.strip()
    if not text or text[0] not in _DISGUISED:
        return text
    if text[:2] == '="' and text[-1] == '"' and len(text) > 2:  # _FORMULA_TEXT_RE's match, without the regex
        text = text[2:-1].replace('""', '"').strip()
    elif text.startswith("="):
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


#: Bytes read (and decoded) at a time: a CSV is streamed, never held whole.
_BLOCK = 1 << 16
_NOT_TEXT = gettext_lazy(
    "The file is not a text table in UTF-8 or GBK; save it as CSV (UTF-8) or as .xlsx and try again."
)


def _open(file: FileSource) -> tuple[IO[bytes], bool]:
    """A binary stream at the file's start, and whether it is ours to close (we opened the path)."""
    if isinstance(file, str | os.PathLike):
        try:
            return open(file, "rb"), True  # closed by read_table, or when its rows end
        except OSError as exc:
            raise UnreadableFile(
                _("Cannot open %(file)s: %(error)s") % {"file": file, "error": exc.strerror or exc}
            ) from exc
    if hasattr(file, "seek"):
        file.seek(0)
    return file, False


class _Decoder:
    """Bytes to text a block at a time, with the encoding a whole file would get: a BOM decides; else UTF-8
    while the bytes are UTF-8, else GB18030 (a superset of GBK). The choice is made on the first block with a
    byte above ASCII (everything before it is ASCII, the same text in both), so the file is never held whole.
    A NUL, or a later byte the chosen encoding cannot read, refuses the file (UnreadableFile)."""

    def __init__(self, head: bytes) -> None:
        self.encoding = ""  # only ASCII so far
        if head.startswith(codecs.BOM_UTF8):
            self.encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
        self._decoder = codecs.getincrementaldecoder(self.encoding)() if self.encoding else None

    @property
    def name(self) -> str:
        return self.encoding or "utf-8"

    def decode(self, data: bytes, *, final: bool) -> str:
        if self._decoder is None and data.isascii():
            text = data.decode("ascii")
        elif self._decoder is None:
            text = self._choose(data, final=final)
        else:
            try:
                text = self._decoder.decode(data, final)
            except UnicodeDecodeError:
                raise UnreadableFile(str(_NOT_TEXT)) from None
        if "\x00" in text:
            raise UnreadableFile(str(_NOT_TEXT))
        return text

    def _choose(self, data: bytes, *, final: bool) -> str:
        for encoding in ("utf-8", "gb18030"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                text = decoder.decode(data, final)
            except UnicodeDecodeError:
                continue
            self.encoding, self._decoder = encoding, decoder
            return text
        raise UnreadableFile(str(_NOT_TEXT))


def _text_lines(stream: IO[bytes], head: bytes, decoder: _Decoder) -> Iterator[str]:
    """The file's text line by line as csv reads it with newline="": each line with its end, and only \\r,
    \\n and \\r\\n end one (a block's unfinished last line, or a \\r that may have its \\n in the next
    block, waits for the next block)."""
    rest, data = "", head
    while data:
        more = stream.read(_BLOCK)
        lines = io.StringIO(rest + decoder.decode(data, final=not more), newline="").readlines()
        rest = lines.pop() if lines and (more and lines[-1][-1:] not in ("\n",)) else ""
        yield from lines
        data = more
    if rest:
        yield rest


def _delimiter(text: str) -> str:
    # Not csv.Sniffer: specs like "颜色:红;尺码:M" fool it. Excel's "Unicode text" is tab-separated.
    head = text[:8192]
    if "," in head or "\t" not in head:
        return ","
    return "\t"


def _csv_rows(stream: IO[bytes], head: bytes, *, close: bool) -> tuple[Iterator[tuple[int, list[Any]]], _Decoder]:
    decoder = _Decoder(head)
    lines = _text_lines(stream, head, decoder)
    first: list[str] = []  # the lines that hold the first 8,192 characters, which tell the delimiter
    for line in lines:
        first.append(line)
        if sum(map(len, first)) >= 8192:
            break
    reader = csv.reader(itertools.chain(first, lines), delimiter=_delimiter("".join(first)))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # The record number is the row number Excel/WPS shows, also when a quoted cell holds a line break.
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise UnreadableFile(
                _("The CSV file is broken near row %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}
            ) from exc
        finally:
            if close:
                stream.close()

    return rows(), decoder


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
    sheet: str
    header_line: int
    columns: dict[str, Column]
    headers: dict[str, str]
    _positions: dict[str, int]
    _rows: Iterator[tuple[int, list[Any]]]
    _decoder: _Decoder | None = None

    @property
    def encoding(self) -> str:
        """A CSV's encoding ("utf-8" while all read so far is ASCII); "" for an .xlsx."""
        return self._decoder.name if self._decoder is not None else ""

    def has(self, key: str) -> bool:
        return key in self.headers

    def header(self, key: str) -> str:
        """The header as the file writes it, or our name for a column the file does not have."""
        return self.headers.get(key) or self.columns[key].header

    def __iter__(self) -> Iterator[Row]:
        keys, positions = list(self._positions), list(self._positions.values())
        first = positions.index(0) if 0 in positions else None  # the row's first cell, when it is read anyway
        for chunk in _chunks(self._rows):
            columns = [_clean_column([cells[i] if i < len(cells) else "" for _line, cells in chunk]) for i in positions]
            for (line, cells), texts in zip(chunk, zip(*columns, strict=True), strict=True):
                if not any(texts):
                    continue  # blank, or only notes in columns we do not read
                if _is_summary(cells, texts[first] if first is not None else ""):
                    continue
                yield Row(line=line, values=dict(zip(keys, texts, strict=True)))

    def column(self, key: str) -> Iterator[tuple[int, str]]:
        """(line, cell) of one column, for the rows iterating the table gives whose cell in it is filled; reads
        only that cell and the row's first (a quick pass, such as counting the lines of each order)."""
        index = self._positions.get(key)
        if index is None:
            return
        for chunk in _chunks(self._rows):
            texts = _clean_column([cells[index] if index < len(cells) else "" for _line, cells in chunk])
            for (line, cells), text in zip(chunk, texts, strict=True):
                if text and not _is_summary(cells, text if index == 0 else ""):
                    yield line, text


_CHUNK = 256
# A cell clean_cell would change: spaces around it, or a disguise's first character (_DISGUISED), as found in
# the cells of a column joined with NUL (which no CSV we read holds: _Decoder refuses it).
_TO_CLEAN = re.compile(r"(?:^|\x00)[\s='\-—－]|\s(?:\x00|$)")


def _chunks(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[list[tuple[int, list[Any]]]]:
    while chunk := list(itertools.islice(rows, _CHUNK)):
        yield chunk


def _clean_column(cells: list[Any]) -> list[str]:
    """clean_cell of each cell of a column, a chunk of rows at a time: most CSV columns have nothing to clean,
    which one search over the joined cells tells (the cells are then taken as they are)."""
    if all(type(cell) is str for cell in cells):
        joined = "\x00".join(cells)
        if joined.count("\x00") == len(cells) - 1 and _TO_CLEAN.search(joined) is None:
            return cells
    return [clean_cell(cell) for cell in cells]


def _is_summary(cells: list[Any], first: str = "") -> bool:
    """Whether the row's first filled cell starts a summary row (汇总/合计/总计); `first`: its first cell cleaned,
    when the caller has it."""
    if first:
        return first[0] in _SUMMARY_FIRST and SUMMARY_RE.match(first) is not None
    for cell in cells:
        if type(cell) is str and (text := cell.strip()):
            if text[0] not in _SUMMARY_FIRST and text[0] not in _DISGUISED:
                return False  # what clean_cell makes of it is itself, and no summary
            break
    first = next((text for text in (clean_cell(cell) for cell in cells) if text), "")
    return first[:1] in _SUMMARY_FIRST and SUMMARY_RE.match(first) is not None


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
    stream, ours = _open(file)
    try:
        head = stream.read(_BLOCK)
        if isinstance(head, str):  # a text stream: the caller already decoded it
            stream = io.BytesIO((head + stream.read()).encode("utf-8"))
            head = stream.read(_BLOCK)
        if not head.strip() and len(head) < _BLOCK:
            raise UnreadableFile(_("The file %(file)s is empty.") % {"file": filename})
        decoder: _Decoder | None = None
        if head.startswith(_ZIP_MAGIC):
            data = bytes(head) + stream.read()  # openpyxl reads the zip's rows lazily in read-only mode
            if ours:
                stream.close()
            if not zipfile.is_zipfile(io.BytesIO(data)):
                raise UnreadableFile(
                    _("The .xlsx file is damaged (not a complete zip archive). Save it again and retry.")
                )
            kind, sheets = "xlsx", _xlsx_sheets(data)
        else:
            trap = _spreadsheet_trap(head)
            if trap:
                raise UnreadableFile(trap)
            if filename.lower().endswith(_SPREADSHEET_SUFFIXES):
                raise UnreadableFile(
                    _("%(file)s is not a valid .xlsx file (it is not a zip archive). Save it as .xlsx or CSV.")
                    % {"file": filename}
                )
            rows, decoder = _csv_rows(stream, head, close=ours)
            kind, sheets = "csv", [("", rows)]
    except BaseException:
        if ours:
            stream.close()
        raise
    try:
        return _find_header(filename, kind, sheets, decoder, columns, header_search_rows)
    except BaseException:
        for _sheet, rows in sheets:
            if hasattr(rows, "close"):
                rows.close()  # the file is closed with them
        raise


def _find_header(
    filename: str,
    kind: str,
    sheets: list[tuple[str, Iterator[tuple[int, list[Any]]]]],
    decoder: _Decoder | None,
    columns: Sequence[Column],
    header_search_rows: int,
) -> Table:
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
                    sheet=sheet_name,
                    header_line=line,
                    columns=by_key,
                    headers=candidate.headers,
                    _positions=candidate.positions,
                    _rows=rows,
                    _decoder=decoder,
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


def leading_rows(*, file: FileSource, sheet: str = "", count: int = HEADER_SEARCH_ROWS) -> list[list[str]]:
    """The first `count` rows of a file's sheet (a CSV has one, ""), each cell cleaned: what the title rows above a
    header say (a report's period, "统计日期：2026-11-01~2026-11-30"). Call it before read_table iterates the same
    stream: it reads the stream from its start."""
    stream, ours = _open(file)
    try:
        head = stream.read(_BLOCK)
        if head.startswith(_ZIP_MAGIC):
            sheets = dict(_xlsx_sheets(bytes(head) + stream.read()))
            rows = sheets.get(sheet) or next(iter(sheets.values()), iter(()))
        else:
            rows, _decoder = _csv_rows(stream, head, close=False)
        return [[clean_cell(cell) for cell in cells] for _line, cells in itertools.islice(rows, count)]
    finally:
        if ours:
            stream.close()
