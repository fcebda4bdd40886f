"""Stocktake count sheets as a property (docs/catalog-import.md, 盘点表): any sheet either enters every count, or
is refused with each bad row's line and column and no count entered; uploading the same sheet again adds no line.

Rows come from core.tests.strategies; one cell is then broken (an exponent, a fraction, a negative, a count over
the stock limit, an unknown or control-character SKU code) or one SKU is counted twice. Derandomized.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.tabular import UnreadableFile
from zhanggui.core.tests import strategies as zs
from zhanggui.inventory import services
from zhanggui.inventory.imports import import_counts
from zhanggui.inventory.models import MoveReason, StocktakeLine
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a sheet is a few rows already
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SKU_CODES = ("A-红-M", "A-红-L", "6901234567890", "B-01")
FORMATS = st.sampled_from(["csv", "xlsx"])


@pytest.fixture
def take(warehouse_user):
    shop = ShopFactory(code="tm01")
    warehouse = WarehouseFactory(code="main")
    for code in SKU_CODES[:3]:  # the fourth has no stock: found on the shelf, it gets a line
        sku = SkuFactory(product__shop=shop, code=code)
        services.book_move(
            actor=warehouse_user, sku=sku, warehouse=warehouse, quantity=5, reason=MoveReason.PURCHASE_RECEIPT
        )
    SkuFactory(product__shop=shop, code=SKU_CODES[3])
    return stocktakes.create_stocktake(actor=warehouse_user, warehouse=warehouse)


def encode(rows: zs.Sheet, fmt: str) -> tuple[io.BytesIO, str]:
    if fmt == "xlsx":
        return io.BytesIO(zs.to_xlsx(rows, zs.COUNT_HEADERS)), "count.xlsx"
    return io.BytesIO(zs.to_csv(rows, zs.COUNT_HEADERS)), "count.csv"


def lines(take) -> dict[str, int | None]:
    return dict(StocktakeLine.objects.filter(stocktake=take).values_list("sku__code", "counted"))


@PROPERTY
@given(sheet=zs.count_sheets(SKU_CODES), fmt=FORMATS)
def test_a_valid_sheet_enters_every_count_and_a_second_upload_adds_nothing(warehouse_user, take, sheet, fmt):
    rows, meaning = sheet
    note(f"{fmt} sheet: {rows!r}")
    with zs.rolled_back():
        file, name = encode(rows, fmt)
        report = import_counts(actor=warehouse_user, stocktake=take, file=file, filename=name)
        assert [str(e) for e in report.errors] == []
        entered = lines(take)
        assert {code: entered[code] for code in meaning} == meaning

        counts = zs.row_counts()
        again = import_counts(actor=warehouse_user, stocktake=take, file=encode(rows, fmt)[0], filename=name)
        assert again.errors == []
        assert lines(take) == entered
        assert zs.row_counts() == counts


@PROPERTY
@given(data=st.data(), sheet=zs.count_sheets(SKU_CODES), fmt=FORMATS)
def test_a_sheet_with_one_bad_cell_is_refused_at_that_line_and_column_with_no_count_entered(
    warehouse_user, take, data, sheet, fmt
):
    rows, _meaning = sheet
    change = data.draw(zs.cell_mutations(rows, zs.COUNT_MUTATIONS), label="change")
    mutation = change.mutation
    if fmt == "xlsx" and not zs.xlsx_can_hold(mutation.text):
        fmt = "csv"
    note(f"{fmt} sheet: {zs.apply(rows, change)!r}")
    with zs.rolled_back():
        before, entered = zs.row_counts(), lines(take)
        file, name = encode(zs.apply(rows, change), fmt)
        try:
            report = import_counts(actor=warehouse_user, stocktake=take, file=file, filename=name)
        except UnreadableFile:
            assert "\x00" in mutation.text  # a NUL makes a CSV "not a text file": the file is refused whole
            assert zs.row_counts() == before
            return
        if report.ok:
            assert mutation.verdict == zs.CLEAN, f"{mutation} at line {change.line}, {change.column} was entered"
            assert lines(take)[rows[change.row]["商家编码"]] == mutation.expected
        else:
            assert (change.line, change.column) in [(e.line, e.column) for e in report.errors], report.summary()
            assert (zs.row_counts(), lines(take)) == (before, entered)


@PROPERTY
@given(data=st.data(), sheet=zs.count_sheets(SKU_CODES), fmt=FORMATS)
def test_a_sku_counted_twice_is_refused_on_its_second_line(warehouse_user, take, data, sheet, fmt):
    rows, _meaning = sheet
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1), label="counted twice")
    doubled, line = zs.duplicate_row(rows, index)
    note(f"{fmt} sheet: {doubled!r}")
    with zs.rolled_back():
        entered = lines(take)
        file, name = encode(doubled, fmt)
        report = import_counts(actor=warehouse_user, stocktake=take, file=file, filename=name)
        assert [(e.line, e.column, e.code) for e in report.errors] == [(line, "商家编码", "duplicate_in_file")]
        assert lines(take) == entered
