"""Bin locations (库位/货位): where each SKU is shelved in a warehouse, set one at a time or from a sheet.

The only writer of BinLocation. A location is part of a SKU's logistics, so it takes the same right as its
barcode and weight (core.roles.EDIT_SKU_LOGISTICS); each change is one audit entry ("库位 A-01-03 → A-02-01"),
a value equal to the stored one writes nothing. Codes are what a picker reads on the shelf label: folded to
ASCII upper-case (全角 Ａ－０１ → A-01), then checked against inventory.limits.LOCATION_PATTERN.

The sheet import is all or nothing, like every import: one bad row (an unknown SKU code, a location with a
space) rejects the file, every bad row is listed with its line and column, and importing the same sheet again
changes nothing. Columns: 商家编码 (SKU code), 库位 (location), 仓库 (warehouse code or name; optional when the
import is for one warehouse), 店铺 (shop code, when a SKU code is used in several shops). A row with an empty
库位 is skipped: a location is cleared on the stock page, never by a blank cell.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhanggui.catalog.models import Shop, Sku
from zhanggui.core import roles
from zhanggui.core.services import record_audit
from zhanggui.core.tabular import Column, FileSource, RowError, display_name, read_table
from zhanggui.core.text import bad_code_character
from zhanggui.inventory import limits
from zhanggui.inventory.errors import InvalidLocation
from zhanggui.inventory.models import BinLocation, Warehouse

_LOCATION = re.compile(limits.LOCATION_PATTERN)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"  # what _put did: the report's counters


def normalize_location(text: str) -> str:
    """What a person typed, as we store it: full-width folded (NFKC), outer spaces gone, upper-case."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def check_location(text: str) -> str:
    """The normalized code, or InvalidLocation saying what is wrong with it."""
    code = normalize_location(text)
    if not code:
        raise InvalidLocation(_("Type a location, e.g. A-01-03."))
    if len(code) > limits.LOCATION_MAX_LENGTH or not _LOCATION.fullmatch(code) or bad_code_character(code):
        raise InvalidLocation(
            _(
                "%(code)s is not a location: use up to %(max)s letters and digits, with - _ . / between them "
                "and no spaces, e.g. A-01-03."
            )
            % {"code": code[:60], "max": limits.LOCATION_MAX_LENGTH}
        )
    return code


def _put(*, actor: Any, warehouse: Warehouse, sku: Sku, code: str, current: BinLocation | None) -> str:
    """Store one checked code over `current` (the row as locked, or None); what it did."""
    if current is None:
        location = BinLocation(warehouse=warehouse, sku=sku, code=code)
        location.full_clean()
        location.save()
        record_audit(actor=actor, action="bin_location.create", obj=location, after={"code": code})
        return CREATED
    if current.code == code:
        return UNCHANGED
    before = current.code
    current.warehouse, current.sku, current.code = warehouse, sku, code  # names the row in the audit trail
    current.save(update_fields=["code", "updated_at"])
    record_audit(actor=actor, action="bin_location.update", obj=current, before={"code": before}, after={"code": code})
    return UPDATED


def _locked(warehouse: Warehouse, sku: Sku) -> BinLocation | None:
    return BinLocation.objects.select_for_update().filter(warehouse=warehouse, sku=sku).first()


@transaction.atomic
def set_location(*, actor: Any, warehouse: Warehouse, sku: Sku, code: str) -> BinLocation:
    """Shelve the SKU at `code` in the warehouse (a new place or a move); returns the stored row."""
    roles.require(actor, roles.EDIT_SKU_LOGISTICS)
    checked = check_location(code)
    _put(actor=actor, warehouse=warehouse, sku=sku, code=checked, current=_locked(warehouse, sku))
    return BinLocation.objects.select_related("warehouse", "sku").get(warehouse=warehouse, sku=sku)


@transaction.atomic
def clear_location(*, actor: Any, warehouse: Warehouse, sku: Sku) -> bool:
    """The SKU has no place in the warehouse any more; False when it had none (nothing written)."""
    roles.require(actor, roles.EDIT_SKU_LOGISTICS)
    current = _locked(warehouse, sku)
    if current is None:
        return False
    current.warehouse, current.sku = warehouse, sku
    record_audit(
        actor=actor, action="bin_location.update", obj=current, before={"code": current.code}, after={"code": ""}
    )
    current.delete()
    return True


# --------------------------------------------------------------------------------------------------------
# The sheet
# --------------------------------------------------------------------------------------------------------

LOCATION_COLUMNS: tuple[Column, ...] = (
    Column("shop", ("店铺", "店铺编码", "shop")),
    Column("sku_code", ("商家编码", "SKU编码", "商家编码-规格维度", "SKU code", "sku_code"), required=True),
    Column("warehouse", ("仓库", "仓库编码", "warehouse")),
    Column("location", ("库位", "货位", "库位编码", "货位编码", "location"), required=True),
)


@dataclass
class LocationImportReport:
    filename: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows with an empty 库位

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> list[str]:
        """The report as plain lines, for the CLI and the page."""
        if not self.ok:
            return [
                _("%(file)s: %(rejected)s of %(rows)s rows rejected; no location was changed.")
                % {"file": self.filename, "rejected": len({e.line for e in self.errors}), "rows": self.rows},
                *(str(error) for error in self.errors),
            ]
        return [
            _(
                "%(file)s: %(rows)s rows read; locations set %(created)s, moved %(updated)s, unchanged "
                "%(unchanged)s; %(skipped)s rows without a location skipped."
            )
            % {
                "file": self.filename,
                "rows": self.rows,
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "skipped": self.skipped,
            }
        ]


@dataclass(frozen=True)
class _Wanted:
    line: int
    warehouse: Warehouse
    shop_code: str
    sku_code: str
    code: str


def _warehouse_named(text: str, warehouses: list[Warehouse]) -> Warehouse | None:
    """A warehouse by its code (any case) or its name, as the stock export writes it."""
    folded = text.casefold()
    return next((w for w in warehouses if w.code.casefold() == folded or w.name == text), None)


def read_location_sheet(
    *, file: FileSource, filename: str = "", warehouse: Warehouse | None = None, shop: Shop | None = None
) -> tuple[dict[tuple[Warehouse, int], str], int, int, list[RowError]]:
    """(warehouse, SKU id) → location, the rows read, the rows skipped (no 库位), and the rejected rows.

    Raises TableError when the file itself cannot be read. Nothing is written.
    """
    table = read_table(file=file, filename=filename, columns=LOCATION_COLUMNS)
    warehouses = list(Warehouse.objects.all())
    errors: list[RowError] = []

    def reject(line: int, key: str, code: str, message: str) -> None:
        errors.append(RowError(line=line, column=table.header(key), message=message, code=code))

    rows = skipped = 0
    wanted: list[_Wanted] = []
    for row in table:
        rows += 1
        sku_code, text, shop_code, named = (
            row.get("sku_code"),
            row.get("location"),
            row.get("shop"),
            row.get("warehouse"),
        )
        if not sku_code:
            reject(row.line, "sku_code", "required", _("The SKU code is empty."))
            continue
        if shop is not None and shop_code and shop_code != shop.code:
            reject(
                row.line,
                "shop",
                "other_shop",
                _("This row is for shop %(row_shop)s, but the import is for shop %(shop)s.")
                % {"row_shop": shop_code, "shop": shop.code},
            )
            continue
        target = warehouse
        if named:
            target = _warehouse_named(named, warehouses)
            if target is None:
                reject(row.line, "warehouse", "unknown_warehouse", _("No warehouse %(name)s.") % {"name": named})
                continue
            if warehouse is not None and target.pk != warehouse.pk:
                reject(
                    row.line,
                    "warehouse",
                    "other_warehouse",
                    _("This row is for warehouse %(row)s, but the import is for %(warehouse)s.")
                    % {"row": target.code, "warehouse": warehouse.code},
                )
                continue
        if target is None:
            reject(
                row.line,
                "warehouse",
                "required",
                _("Say which warehouse: fill in the 仓库 column or choose the warehouse of the import."),
            )
            continue
        if not text:
            skipped += 1
            continue
        try:
            code = check_location(text)
        except InvalidLocation as exc:
            reject(row.line, "location", exc.code, exc.message)
            continue
        wanted.append(_Wanted(row.line, target, shop_code or (shop.code if shop else ""), sku_code, code))

    skus = Sku.objects.filter(code__in={w.sku_code for w in wanted})
    if shop is not None:
        skus = skus.filter(shop=shop)
    by_code: dict[str, list[tuple[int, str]]] = {}
    for pk, sku_code, sku_shop in skus.values_list("pk", "code", "shop__code"):
        by_code.setdefault(sku_code, []).append((pk, sku_shop))

    places: dict[tuple[Warehouse, int], str] = {}
    first_line: dict[tuple[int, int], tuple[int, str]] = {}
    for want in wanted:
        found = [
            pk for pk, sku_shop in by_code.get(want.sku_code, []) if not want.shop_code or sku_shop == want.shop_code
        ]
        if not found:
            message = (
                _("No SKU with code %(code)s in shop %(shop)s.") % {"code": want.sku_code, "shop": want.shop_code}
                if want.shop_code
                else _("No SKU with code %(code)s.") % {"code": want.sku_code}
            )
            reject(want.line, "sku_code", "unknown_sku", message)
            continue
        if len(found) > 1:
            shops = sorted(sku_shop for _pk, sku_shop in by_code[want.sku_code])
            reject(
                want.line,
                "sku_code",
                "ambiguous_sku",
                _("SKU code %(code)s exists in several shops (%(shops)s); add a 店铺 column or choose the shop.")
                % {"code": want.sku_code, "shops": ", ".join(shops)},
            )
            continue
        key = (want.warehouse.pk, found[0])
        if key in first_line and first_line[key][1] != want.code:
            reject(
                want.line,
                "location",
                "duplicate_in_file",
                _("SKU %(code)s is given location %(other)s in %(warehouse)s on line %(line)s; give it one.")
                % {
                    "code": want.sku_code,
                    "other": first_line[key][1],
                    "warehouse": want.warehouse.code,
                    "line": first_line[key][0],
                },
            )
            continue
        first_line.setdefault(key, (want.line, want.code))
        places[(want.warehouse, found[0])] = want.code
    errors.sort(key=lambda error: error.line)
    return places, rows, skipped, errors


def import_locations(
    *,
    actor: Any,
    file: FileSource,
    filename: str = "",
    warehouse: Warehouse | None = None,
    shop: Shop | None = None,
) -> LocationImportReport:
    """Set the sheet's locations, all or nothing; rejected rows are in the report and nothing is written."""
    roles.require(actor, roles.EDIT_SKU_LOGISTICS)
    places, rows, skipped, errors = read_location_sheet(file=file, filename=filename, warehouse=warehouse, shop=shop)
    report = LocationImportReport(filename=display_name(file=file, filename=filename), rows=rows, skipped=skipped)
    if errors:
        report.errors = errors
        return report
    skus = Sku.objects.in_bulk({sku_id for _w, sku_id in places})
    with transaction.atomic():
        current = {
            (row.warehouse_id, row.sku_id): row
            for row in BinLocation.objects.select_for_update().filter(sku_id__in=list(skus))
        }
        for (target, sku_id), code in sorted(places.items(), key=lambda item: (item[0][0].pk, item[0][1])):
            done = _put(
                actor=actor, warehouse=target, sku=skus[sku_id], code=code, current=current.get((target.pk, sku_id))
            )
            setattr(report, done, getattr(report, done) + 1)
    return report
