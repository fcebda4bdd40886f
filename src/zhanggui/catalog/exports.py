"""Export products and SKUs as XLSX or CSV in exactly the format `catalog.imports` reads.

Export → edit in Excel/WPS → import is the bulk-edit path, so an untouched export must import with no change:
same headers, roles written as their Chinese words, prices to the fen. CSVs default to UTF-8 with a BOM
(without it Excel on Chinese Windows reads UTF-8 as GBK and shows mojibake); GBK is there for old tools.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from zhanggui.catalog.imports import CATALOG_COLUMNS, ROLE_WORDS
from zhanggui.catalog.models import Product, Shop, Sku
from zhanggui.core.errors import DomainError

FORMATS = ("xlsx", "csv")
ENCODINGS = ("utf-8-sig", "utf-8", "gbk")
HEADERS = [column.header for column in CATALOG_COLUMNS]
KEYS = [column.key for column in CATALOG_COLUMNS]
MONEY_KEYS = {"price", "cost"}
INT_KEYS = {"weight_g", "safety_stock"}
CODE_KEYS = {"product_code", "sku_code", "barcode"}


class ExportError(DomainError):
    code = "export_failed"
    http_status = 422


def catalog_rows(*, shop: Shop | None = None) -> Iterator[dict[str, Any]]:
    """One dict per SKU (key → value), products without SKUs as one row with empty SKU fields."""
    products = (
        Product.objects.select_related("shop", "category")
        .prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("code")))
        .order_by("shop__code", "code")
    )
    if shop is not None:
        products = products.filter(shop=shop)
    for product in products.iterator(chunk_size=500):
        base = {
            "shop": product.shop.code,
            "product_code": product.code,
            "title": product.title,
            "category": product.category.name if product.category else "",
            "role": ROLE_WORDS.get(product.role, product.role),
            "description": product.description,
            "main_image_url": product.main_image_url,
        }
        skus = list(product.skus.all())
        if not skus:
            yield {**dict.fromkeys(KEYS, ""), **base}
        for sku in skus:
            yield {
                **base,
                "sku_code": sku.code,
                "barcode": sku.barcode,
                "spec": sku.spec,
                "price": sku.price,
                "cost": sku.cost,
                "weight_g": sku.weight_g,
                "safety_stock": sku.safety_stock,
            }


def _csv_cell(key: str, value: Any, *, excel_safe: bool) -> str:
    text = "" if value is None else str(value)
    if not excel_safe or not text or key in MONEY_KEYS | INT_KEYS:
        return text
    if key in CODE_KEYS:
        # Excel turns 6901234567890 into 6.90123E+12, drops leading zeros and reads 1E5 as a number;
        # ="…" keeps it text, and the importer reads it back (core.tabular.clean_cell).
        return '="' + text.replace('"', '""') + '"'
    if text[0] in "=+-@":
        return "'" + text  # no formula injection when the file is opened in a spreadsheet
    return text


def _write_csv(out: IO[bytes], rows: Iterator[dict[str, Any]], *, encoding: str, excel_safe: bool) -> int:
    if encoding not in ENCODINGS:
        raise ExportError(_("Unknown encoding %(encoding)s.") % {"encoding": encoding})
    if encoding == "utf-8-sig":
        out.write(codecs.BOM_UTF8)
        encoding = "utf-8"
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def emit(cells: list[str], label: str) -> None:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        try:
            out.write(text.encode(encoding))
        except UnicodeEncodeError as exc:
            raise ExportError(
                _("%(row)s: the character %(char)s cannot be written in %(encoding)s; export as UTF-8 instead.")
                % {"row": label, "char": repr(exc.object[exc.start : exc.end]), "encoding": encoding.upper()}
            ) from exc

    emit(HEADERS, _("header"))
    count = 0
    for row in rows:
        emit(
            [_csv_cell(key, row[key], excel_safe=excel_safe) for key in KEYS],
            row["sku_code"] or row["product_code"],
        )
        count += 1
    return count


def _write_xlsx(out: IO[bytes], rows: Iterator[dict[str, Any]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="catalog")
    sheet.freeze_panes = "A2"
    sheet.append(HEADERS)
    count = 0
    for row in rows:
        cells = []
        for key in KEYS:
            value = row[key]
            if key in MONEY_KEYS or key in INT_KEYS:
                cell = WriteOnlyCell(sheet, value=None if value == "" else value)
                if key in MONEY_KEYS:
                    cell.number_format = "0.00"
            else:
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value or "")))
                cell.data_type = "s"  # a title starting with "=" stays text, never becomes a formula
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def export_catalog(
    *,
    out: IO[bytes],
    shop: Shop | None = None,
    fmt: str = "xlsx",
    encoding: str = "utf-8-sig",
    excel_safe: bool = True,
) -> int:
    """Write the catalog of one shop (or all shops) to a binary stream; returns the number of rows.

    `encoding` applies to CSV only; `excel_safe=False` writes codes and texts exactly as stored, for scripts.
    Raises ExportError when a text cannot be written in the chosen encoding (nothing useful was written).
    """
    rows = catalog_rows(shop=shop)
    if fmt == "csv":
        return _write_csv(out, rows, encoding=encoding, excel_safe=excel_safe)
    if fmt == "xlsx":
        return _write_xlsx(out, rows)
    raise ExportError(_("Unknown format %(format)s; use xlsx or csv.") % {"format": fmt})
