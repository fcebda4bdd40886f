"""Shipping files: the carrier's file of tracking numbers we read, and each platform's bulk-ship upload
(批量发货) we write.

The carrier's file (a CSV or XLSX from the courier's or the label printer's system) is read by column name
with aliases (core.tabular): order number, tracking number, and optionally the carrier. The bulk-ship files
are CSV in UTF-8 with a BOM (the platforms' templates open in Excel on Chinese Windows); their cells are
written as they are (no ="…" around numbers), because the file goes to the platform, not to a person.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from zhanggui.channels.records import JD, PDD, TAOBAO
from zhanggui.core.tabular import Column, FileSource, RowError, read_table
from zhanggui.core.text import bad_code_character, clean_line

#: Each platform's bulk-ship upload: order number, carrier, tracking number, in the platform's words.
BULK_SHIP_HEADERS: dict[str, tuple[str, str, str]] = {
    TAOBAO: ("订单编号", "物流公司", "物流单号"),
    JD: ("订单号", "物流公司", "运单号"),
    PDD: ("订单号", "快递公司", "快递单号"),
}

CARRIER_COLUMNS = (
    Column(
        "order_no",
        ("订单号", "订单编号", "平台订单号", "原始单号", "外部单号", "客户订单号", "order_no", "order number"),
        required=True,
    ),
    Column(
        "tracking_no",
        ("运单号", "物流单号", "快递单号", "面单号", "运单编号", "tracking_no", "tracking number"),
        required=True,
    ),
    Column("carrier", ("物流公司", "快递公司", "承运商", "快递", "carrier")),
)


@dataclass(frozen=True)
class Shipment:
    """One parcel: the platform's order number, the carrier, the tracking number; `line` in the file read."""

    order_no: str
    carrier: str
    tracking_no: str
    line: int = 0


@dataclass
class CarrierFile:
    shipments: list[Shipment] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_carrier_file(*, file: FileSource, filename: str = "", default_carrier: str = "") -> CarrierFile:
    """Every row with an order number and a tracking number; a row missing either, or without a carrier when
    no default is given, is an error naming its line. Raises core.tabular.TableError for an unreadable file."""
    table = read_table(file=file, filename=filename, columns=CARRIER_COLUMNS)
    result = CarrierFile()
    default_carrier = clean_line(default_carrier).strip()
    for row in table:
        order_no = row.get("order_no").strip()
        tracking_no = row.get("tracking_no").strip()
        carrier = clean_line(row.get("carrier")).strip() or default_carrier
        problems = []
        if not order_no:
            problems.append(("order_no", _("no order number")))
        if not tracking_no:
            problems.append(("tracking_no", _("no tracking number")))
        elif bad_code_character(tracking_no) is not None:
            problems.append(("tracking_no", _("the tracking number holds an invisible or control character")))
        if not carrier:
            problems.append(("carrier", _("no carrier: add the column or choose a carrier for the whole file")))
        if problems:
            result.errors += [RowError(row.line, table.header(key), message) for key, message in problems]
            continue
        result.shipments.append(Shipment(order_no=order_no, carrier=carrier, tracking_no=tracking_no, line=row.line))
    return result


def _cell(text: str) -> str:
    # No formula injection when the file is opened in a spreadsheet before the upload.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_bulk_ship(platform: str, shipments: Iterable[Shipment], out: IO[bytes]) -> int:
    """The platform's bulk-ship CSV (UTF-8 with BOM) to a binary stream; returns the number of rows."""
    header = BULK_SHIP_HEADERS.get(platform)
    if header is None:
        raise ValueError(f"no bulk-ship format for platform {platform!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for shipment in shipments:
        writer.writerow([_cell(shipment.order_no), _cell(shipment.carrier), _cell(shipment.tracking_no)])
        count += 1
    out.write(codecs.BOM_UTF8)
    out.write(buffer.getvalue().encode("utf-8"))
    return count


def bulk_ship_csv(platform: str, shipments: Iterable[Shipment]) -> bytes:
    out = io.BytesIO()
    write_bulk_ship(platform, shipments, out)
    return out.getvalue()
