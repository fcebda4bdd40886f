"""Export a shop's orders in our own order file (channels.zhanggui: one row per line), as XLSX or CSV.

The file is the one `import-orders` reads back: an untouched export imports onto the orders it came from with no
change (a Zhanggui file matches an order of any platform by its number). Its `status` column is the platform's
status as last imported, in the records' words (paid, shipped, ...), not our fulfilment status, which the file
does not carry: re-importing an export never moves an order.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import IO

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop
from zhanggui.channels import zhanggui as own_format
from zhanggui.channels.records import ParsedLine, ParsedOrder
from zhanggui.core.errors import DomainError
from zhanggui.orders.models import LineOrigin, Order, OrderLine

FORMATS = ("xlsx", "csv")
HEADER = list(own_format.HEADER)
KEYS = [column.key for column in own_format.COLUMNS]
CODE_KEYS = {"order_no", "sub_order_id", "sku_code", "tracking_no", "receiver_phone"}
MONEY_KEYS = {"unit_price", "discount", "paid", "shipping_fee", "paid_total"}
NUMBER_KEYS = {"quantity"}


class ExportError(DomainError):
    code = "export_failed"
    http_status = 422


def orders_to_export(
    *, shop: Shop, statuses: Sequence[str] = (), paid_from: date | None = None, paid_to: date | None = None
) -> QuerySet[Order]:
    """The shop's orders, optionally of some statuses (ours) and paid between two days (inclusive, local time)."""
    # A part (拆单) is our shipment of some lines, not a platform order: its lines are written with its order. A
    # replacement line (补发/换货) is not the platform's at all: left out, so the file imports back unchanged.
    qs = Order.objects.filter(shop=shop, split_from__isnull=True).order_by("paid_at", "id")
    if statuses:
        qs = qs.filter(status__in=list(statuses))
    if paid_from is not None:
        qs = qs.filter(paid_at__date__gte=paid_from)
    if paid_to is not None:
        qs = qs.filter(paid_at__date__lte=paid_to)
    platform_lines = OrderLine.objects.filter(origin=LineOrigin.PLATFORM).order_by("position", "id")
    return qs.prefetch_related(Prefetch("lines", queryset=platform_lines))


def as_parsed(order: Order) -> ParsedOrder:
    """The stored order in the readers' shape, as our own file writes it."""
    return ParsedOrder(
        platform=order.platform,
        order_no=order.platform_order_no,
        status=order.platform_status,
        status_text=order.platform_status_text,
        buyer_nick=order.buyer_nick,
        receiver_name=order.receiver_name,
        receiver_phone=order.receiver_phone,
        province=order.province,
        city=order.city,
        district=order.district,
        address=order.address,
        created_at=order.created_at_platform,
        paid_at=order.paid_at,
        ship_by=order.ship_by,
        shipped_at=order.shipped_at,
        shipping_fee=order.shipping_fee,
        paid_total=order.paid_total,
        buyer_note=order.buyer_note,
        seller_note=order.seller_note,
        carrier=order.carrier,
        tracking_no=order.tracking_no,
        lines=tuple(
            ParsedLine(
                sub_order_id=line.sub_order_id,
                sku_code=line.sku_code,
                title=line.title,
                spec=line.spec,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                paid=line.paid,
                refund_status=line.refund_status,
            )
            for line in order.lines.all()
        ),
    )


def order_rows(orders: QuerySet[Order]) -> Iterator[dict[str, str]]:
    for order in orders.iterator(chunk_size=500):
        for cells in own_format.rows(as_parsed(order)):
            yield dict(zip(KEYS, cells, strict=True))


def _csv_cell(key: str, text: str, *, excel_safe: bool) -> str:
    if not excel_safe or not text or key in MONEY_KEYS | NUMBER_KEYS:
        return text
    if key in CODE_KEYS:
        # Excel turns long order numbers into 1.23E+18 and drops leading zeros; ="…" keeps them text, and the
        # reader takes it off again (core.tabular.clean_cell).
        return '="' + text.replace('"', '""') + '"'
    if text[0] in "=+-@":
        return "'" + text  # no formula injection when the file is opened in a spreadsheet
    return text


def _write_csv(out: IO[bytes], rows: Iterator[dict[str, str]], *, excel_safe: bool) -> int:
    out.write(codecs.BOM_UTF8)  # without it Excel on Chinese Windows reads UTF-8 as GBK
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(key, row[key], excel_safe=excel_safe) for key in KEYS])
        count += 1
        if count % 500 == 0:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))
    return count


def _write_xlsx(out: IO[bytes], rows: Iterator[dict[str, str]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="orders")
    sheet.freeze_panes = "A2"
    sheet.append(HEADER)
    count = 0
    for row in rows:
        cells = []
        for key in KEYS:
            text = row[key]
            if key in MONEY_KEYS and text:
                cell = WriteOnlyCell(sheet, value=Decimal(text))
                cell.number_format = "0.00"
            elif key in NUMBER_KEYS and text:
                cell = WriteOnlyCell(sheet, value=int(text))
            else:
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
                cell.data_type = "s"  # an order number stays text, a note starting with "=" never a formula
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def export_orders(
    *,
    out: IO[bytes],
    shop: Shop,
    statuses: Sequence[str] = (),
    paid_from: date | None = None,
    paid_to: date | None = None,
    fmt: str = "xlsx",
    excel_safe: bool = True,
) -> int:
    """Write the orders to a binary stream, one row per line; returns the number of rows."""
    rows = order_rows(orders_to_export(shop=shop, statuses=statuses, paid_from=paid_from, paid_to=paid_to))
    if fmt == "csv":
        return _write_csv(out, rows, excel_safe=excel_safe)
    if fmt == "xlsx":
        return _write_xlsx(out, rows)
    raise ExportError(_("Unknown format %(format)s; use xlsx or csv.") % {"format": fmt})
