"""Stocktake counts from a sheet (XLSX or CSV): the warehouse counts on paper or in Excel, then uploads.

All or nothing: one unknown SKU code or unreadable count rejects the sheet, because booking half a stocktake
leaves stock that is neither the old figure nor the counted one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core import roles
from zhanggui.core.tabular import (
    CellError,
    Column,
    FileSource,
    RowError,
    display_name,
    read_table,
    whole_number,
)
from zhanggui.inventory import limits
from zhanggui.inventory.models import Stocktake
from zhanggui.inventory.stocktakes import services as stocktakes

COUNT_COLUMNS: tuple[Column, ...] = (
    Column("shop", ("店铺", "店铺编码", "shop")),
    Column("sku_code", ("商家编码", "SKU编码", "商家编码-规格维度", "sku_code"), required=True),
    Column("counted", ("实盘数量", "盘点数量", "实盘数", "counted"), required=True),
)


def read_count_sheet(
    *, file: FileSource, filename: str = "", shop: Shop | None = None
) -> tuple[dict[int, int], list[RowError]]:
    """Counts by SKU id, and the rejected rows (line, column, reason).

    A row with an empty count is skipped (not counted yet). SKU codes are unique per shop: pass `shop`, or
    give a 店铺 column, when the same code exists in several shops. Raises TableError when the file itself
    cannot be read.
    """
    table = read_table(file=file, filename=filename, columns=COUNT_COLUMNS)
    errors: list[RowError] = []

    def reject(line: int, key: str, code: str, message: str) -> None:
        errors.append(RowError(line=line, column=table.header(key), message=message, code=code))

    wanted: list[tuple[int, str, str, int]] = []  # line, shop code, SKU code, count
    for row in table:
        sku_code, text, shop_code = row.get("sku_code"), row.get("counted"), row.get("shop")
        if not sku_code:
            reject(row.line, "sku_code", "required", _("The SKU code is empty."))
            continue
        if shop is not None and shop_code and shop_code != shop.code:
            reject(
                row.line,
                "shop",
                "other_shop",
                _("This row is for shop %(row_shop)s, but the count is for shop %(shop)s.")
                % {"row_shop": shop_code, "shop": shop.code},
            )
            continue
        if not text:
            continue
        try:
            counted = whole_number(text, maximum=limits.MAX_COUNT)
        except CellError as exc:
            reject(row.line, "counted", exc.code, exc.message)
            continue
        wanted.append((row.line, shop_code or (shop.code if shop else ""), sku_code, counted))

    skus = Sku.objects.filter(code__in={code for _l, _s, code, _c in wanted})
    if shop is not None:
        skus = skus.filter(shop=shop)
    by_code: dict[str, list[tuple[int, str]]] = {}
    for pk, code, sku_shop in skus.values_list("pk", "code", "shop__code"):
        by_code.setdefault(code, []).append((pk, sku_shop))

    counts: dict[int, int] = {}
    first_line: dict[int, int] = {}
    for line, shop_code, sku_code, counted in wanted:
        found = [pk for pk, sku_shop in by_code.get(sku_code, []) if not shop_code or sku_shop == shop_code]
        if not found:
            message = (
                _("No SKU with code %(code)s in shop %(shop)s.") % {"code": sku_code, "shop": shop_code}
                if shop_code
                else _("No SKU with code %(code)s.") % {"code": sku_code}
            )
            reject(line, "sku_code", "unknown_sku", message)
            continue
        if len(found) > 1:
            shops = sorted(sku_shop for _pk, sku_shop in by_code[sku_code])
            reject(
                line,
                "sku_code",
                "ambiguous_sku",
                _("SKU code %(code)s exists in several shops (%(shops)s); add a 店铺 column or choose the shop.")
                % {"code": sku_code, "shops": ", ".join(shops)},
            )
            continue
        sku_id = found[0]
        if sku_id in first_line:
            reject(
                line,
                "sku_code",
                "duplicate_in_file",
                _("SKU %(code)s is also counted on line %(line)s; write one total per SKU.")
                % {"code": sku_code, "line": first_line[sku_id]},
            )
            continue
        first_line[sku_id] = line
        counts[sku_id] = counted
    errors.sort(key=lambda error: error.line)
    return counts, errors


@dataclass
class CountImportReport:
    filename: str
    counts: dict[int, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    lines_set: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> list[str]:
        if not self.ok:
            return [
                _("%(file)s: %(rejected)s rows rejected; no count was entered.")
                % {"file": self.filename, "rejected": len({e.line for e in self.errors})},
                *(str(error) for error in self.errors),
            ]
        return [
            _("%(file)s: %(counts)s counts read, %(changed)s lines changed.")
            % {"file": self.filename, "counts": len(self.counts), "changed": self.lines_set}
        ]


def import_counts(
    *, actor: Any, stocktake: Stocktake, file: FileSource, filename: str = "", shop: Shop | None = None
) -> CountImportReport:
    """Enter a sheet's counts on an open stocktake, all or nothing; rejected rows are in the report."""
    roles.require(actor, roles.BOOK_STOCK)
    counts, errors = read_count_sheet(file=file, filename=filename, shop=shop)
    report = CountImportReport(filename=display_name(file=file, filename=filename), counts=counts)
    if errors:
        report.errors = errors
        return report
    with transaction.atomic():
        report.lines_set = stocktakes.enter_counts(actor=actor, stocktake=stocktake, counts=counts)
    return report
