"""Stocktake counts from a sheet: SKU codes to ids, whole counts, every bad row named, all or nothing."""

from __future__ import annotations

import pytest
from django.utils import translation
from openpyxl import Workbook

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.tabular import MissingColumns, RowError
from zhanggui.inventory import services
from zhanggui.inventory.errors import InvalidState
from zhanggui.inventory.imports import import_counts, read_count_sheet
from zhanggui.inventory.models import MoveReason, StockMove, StocktakeLine
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    return ShopFactory(code="TM01")


@pytest.fixture
def skus(shop):
    return {code: SkuFactory(product__shop=shop, code=code) for code in ("A-红-M", "A-红-L", "6901234567890")}


@pytest.fixture
def take(manager, skus):
    warehouse = WarehouseFactory()
    for sku in skus.values():
        services.book_move(actor=manager, sku=sku, warehouse=warehouse, quantity=5, reason=MoveReason.PURCHASE_RECEIPT)
    return stocktakes.create_stocktake(actor=manager, warehouse=warehouse)


def write_csv(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def counted():
    return dict(StocktakeLine.objects.values_list("sku__code", "counted"))


def test_codes_become_sku_ids_and_empty_counts_are_skipped(skus, tmp_path):
    path = write_csv(tmp_path / "count.csv", "商家编码,实盘数量\nA-红-M,4\nA-红-L,\n6901234567890,0\n")
    counts, errors = read_count_sheet(file=path)
    assert errors == []
    assert counts == {skus["A-红-M"].pk: 4, skus["6901234567890"].pk: 0}


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_gbk_and_bom_files_with_title_rows(skus, tmp_path, encoding):
    text = '盘点单 ST000001\n\n序号,盘点数量,SKU编码\n1,7,A-红-M\n2,="3",\'6901234567890\n合计,10,\n'
    counts, errors = read_count_sheet(file=write_csv(tmp_path / "count.csv", text, encoding))
    assert (counts, errors) == ({skus["A-红-M"].pk: 7, skus["6901234567890"].pk: 3}, [])


def test_xlsx_count_sheet(skus, tmp_path):
    workbook = Workbook()
    workbook.active.append(["商家编码", "实盘数量"])
    workbook.active.append(["A-红-M", 9])
    workbook.active.append([6901234567890, 2.0])  # a code typed as a number, a count Excel stored as 2.0
    workbook.save(tmp_path / "count.xlsx")
    counts, errors = read_count_sheet(file=tmp_path / "count.xlsx")
    assert (counts, errors) == ({skus["A-红-M"].pk: 9, skus["6901234567890"].pk: 2}, [])


def test_unknown_codes_and_bad_counts_are_rejected_with_their_lines(skus, tmp_path):
    text = "商家编码,实盘数量\nA-红-M,4\nNOPE-1,3\nA-红-L,1.5\n6901234567890,-2\nA-红-M,5\n,3\nA-红-L,abc\n"
    counts, errors = read_count_sheet(file=write_csv(tmp_path / "count.csv", text))
    assert errors == [
        RowError(line=3, column="商家编码", message="No SKU with code NOPE-1.", code="unknown_sku"),
        RowError(line=4, column="实盘数量", message="1.5 is not a whole number.", code="not_whole_number"),
        RowError(line=5, column="实盘数量", message="-2: must not be negative.", code="negative"),
        RowError(
            line=6,
            column="商家编码",
            message="SKU A-红-M is also counted on line 2; write one total per SKU.",
            code="duplicate_in_file",
        ),
        RowError(line=7, column="商家编码", message="The SKU code is empty.", code="required"),
        RowError(line=8, column="实盘数量", message="abc is not a whole number.", code="not_whole_number"),
    ]
    assert counts == {skus["A-红-M"].pk: 4}


def test_a_code_used_in_two_shops_needs_the_shop(skus, shop, tmp_path):
    other = SkuFactory(product__shop=ShopFactory(code="JD01"), code="A-红-M")
    path = write_csv(tmp_path / "count.csv", "商家编码,实盘数量\nA-红-M,4\n")
    _counts, errors = read_count_sheet(file=path)
    assert [(e.line, e.code) for e in errors] == [(2, "ambiguous_sku")]
    assert "JD01, TM01" in errors[0].message
    assert read_count_sheet(file=path, shop=shop) == ({skus["A-红-M"].pk: 4}, [])
    with_shop = write_csv(tmp_path / "count2.csv", "店铺,商家编码,实盘数量\nJD01,A-红-M,6\n")
    assert read_count_sheet(file=with_shop) == ({other.pk: 6}, [])
    counts, errors = read_count_sheet(file=with_shop, shop=shop)
    assert (counts, [(e.line, e.column, e.code) for e in errors]) == ({}, [(2, "店铺", "other_shop")])


def test_a_sheet_without_the_count_column_is_refused(skus, tmp_path):
    with pytest.raises(MissingColumns) as err:
        read_count_sheet(file=write_csv(tmp_path / "count.csv", "商家编码,库存\nA-红-M,4\n"))
    assert err.value.details == {"missing": ["counted"]}


def test_import_counts_enters_every_count(warehouse_user, take, skus, tmp_path):
    path = write_csv(tmp_path / "count.csv", "商家编码,实盘数量\nA-红-M,4\nA-红-L,5\n")
    report = import_counts(actor=warehouse_user, stocktake=take, file=path, filename="count.csv")
    assert report.errors == []
    assert report.lines_set == 2
    assert report.summary() == ["count.csv: 2 counts read, 2 lines changed."]
    assert counted() == {"A-红-M": 4, "A-红-L": 5, "6901234567890": None}


def test_one_bad_row_enters_no_count_at_all(warehouse_user, take, tmp_path):
    path = write_csv(tmp_path / "count.csv", "商家编码,实盘数量\nA-红-M,4\nGHOST,5\n")
    report = import_counts(actor=warehouse_user, stocktake=take, file=path)
    assert [(e.line, e.code) for e in report.errors] == [(3, "unknown_sku")]
    assert report.summary() == [
        "count.csv: 1 rows rejected; no count was entered.",
        "line 3, 商家编码: No SKU with code GHOST.",
    ]
    assert counted() == {"A-红-M": None, "A-红-L": None, "6901234567890": None}


def test_only_stock_roles_may_import_counts(users, take, tmp_path):
    path = write_csv(tmp_path / "count.csv", "商家编码,实盘数量\nA-红-M,4\n")
    with pytest.raises(PermissionDeniedError):
        import_counts(actor=users["copywriter"], stocktake=take, file=path)
    assert counted() == {"A-红-M": None, "A-红-L": None, "6901234567890": None}


def test_counts_cannot_go_on_a_booked_stocktake(manager, take, tmp_path):
    stocktakes.book_stocktake(actor=manager, stocktake=take)
    moves = StockMove.objects.count()
    path = write_csv(tmp_path / "count.csv", "商家编码,实盘数量\nA-红-M,4\n")
    with pytest.raises(InvalidState):
        import_counts(actor=manager, stocktake=take, file=path)
    assert counted() == {"A-红-M": None, "A-红-L": None, "6901234567890": None}
    assert StockMove.objects.count() == moves
