"""The catalog import as a property (docs/catalog-import.md): any sheet either imports fully, or is refused with
each bad row's line and column and nothing written; importing the same valid sheet again changes nothing.

Sheets come from core.tests.strategies: valid rows for new products, then one cell broken (an exponent price,
full-width digits, a control character in a code, an over-long title, a duplicate SKU code, ...).
Derandomized, so a failure reproduces on the next run; Hypothesis prints the falsifying sheet and mutation.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from zhanggui.catalog.imports import import_catalog
from zhanggui.catalog.models import Product, Sku
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.models import AuditEntry
from zhanggui.core.tabular import UnreadableFile
from zhanggui.core.tests import strategies as zs

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a sheet is a few rows already, and shrinking re-imports hundreds of times.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
FORMATS = st.sampled_from(["csv", "csv-bom", "xlsx"])


@pytest.fixture
def shop(db):
    return ShopFactory(code="tm01")


def encode(rows: zs.Sheet, fmt: str, headers=zs.CATALOG_HEADERS) -> tuple[io.BytesIO, str]:
    if fmt == "xlsx":
        return io.BytesIO(zs.to_xlsx(rows, headers)), "catalog.xlsx"
    return io.BytesIO(zs.to_csv(rows, headers, encoding="utf-8-sig" if fmt == "csv-bom" else "utf-8")), "catalog.csv"


def stored() -> dict[str, tuple]:
    return {
        sku.code: (
            sku.product.code,
            sku.product.title,
            sku.product.category.name if sku.product.category else "",
            sku.barcode,
            sku.spec,
            sku.price,
            sku.cost,
            sku.weight_g,
            sku.safety_stock,
        )
        for sku in Sku.objects.select_related("product__category")
    }


@PROPERTY
@given(sheet=zs.catalog_sheets(), fmt=FORMATS, headers=st.permutations(zs.CATALOG_HEADERS))
def test_a_valid_sheet_imports_fully_and_a_second_import_changes_nothing(manager, shop, sheet, fmt, headers):
    rows, meaning = sheet
    note(f"{fmt} sheet: {rows!r}")
    with zs.rolled_back():
        file, name = encode(rows, fmt, headers)
        report = import_catalog(actor=manager, shop=shop, file=file, filename=name)
        assert [str(e) for e in report.errors] == []
        assert (report.products_created, report.skus_created) == (len({s.product_code for s in meaning}), len(meaning))
        assert stored() == {
            s.code: (
                s.product_code,
                s.title,
                s.category,
                s.barcode,
                s.spec,
                s.price,
                s.cost,
                s.weight_g,
                s.safety_stock,
            )
            for s in meaning
        }

        counts, audit = zs.row_counts(), AuditEntry.objects.count()
        again = import_catalog(actor=manager, shop=shop, file=encode(rows, fmt, headers)[0], filename=name)
        assert again.errors == []
        assert (again.products_created, again.skus_created, again.skus_updated) == (0, 0, 0)
        assert again.skus_unchanged == len(meaning)
        assert (zs.row_counts(), AuditEntry.objects.count()) == (counts, audit)


@PROPERTY
@given(data=st.data(), sheet=zs.catalog_sheets(), fmt=FORMATS)
def test_a_sheet_with_one_bad_cell_is_refused_at_that_line_and_column_with_nothing_written(
    manager, shop, data, sheet, fmt
):
    rows, _meaning = sheet
    change = data.draw(
        zs.cell_mutations(rows, zs.CATALOG_MUTATIONS, first_row_only=("商品标题", "类目", "商品角色")),
        label="change",
    )
    mutation = change.mutation
    if fmt == "xlsx" and not zs.xlsx_can_hold(mutation.text):
        fmt = "csv"
    note(f"{fmt} sheet: {zs.apply(rows, change)!r}")
    with zs.rolled_back():
        before = zs.row_counts()
        file, name = encode(zs.apply(rows, change), fmt)
        try:
            report = import_catalog(actor=manager, shop=shop, file=file, filename=name)
        except UnreadableFile:
            # A NUL makes a CSV "not a text file": refused whole, which is a refusal too.
            assert "\x00" in mutation.text
            assert zs.row_counts() == before
            return
        errors = [(e.line, e.column) for e in report.errors]
        if report.ok:
            assert mutation.verdict == zs.CLEAN, f"{mutation} at line {change.line}, {change.column} was imported"
            sku = Sku.objects.select_related("product").get(code=rows[change.row]["商家编码"] or "?")
            read = {
                "价格": sku.price,
                "成本": sku.cost,
                "重量(g)": sku.weight_g,
                "警戒库存": sku.safety_stock,
                "商品标题": sku.product.title,
                "规格": sku.spec,
            }[change.column]
            assert read == mutation.expected
        else:
            assert (change.line, change.column) in errors, (mutation, report.summary())
            assert zs.row_counts() == before
            assert not Product.objects.exists()


@PROPERTY
@given(data=st.data(), sheet=zs.catalog_sheets(), fmt=FORMATS)
def test_a_duplicate_sku_code_is_refused_on_its_second_line_with_nothing_written(manager, shop, data, sheet, fmt):
    rows, _meaning = sheet
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1), label="duplicated row")
    with zs.rolled_back():
        before = zs.row_counts()
        doubled, line = zs.duplicate_row(rows, index)
        note(f"{fmt} sheet: {doubled!r}")
        file, name = encode(doubled, fmt)
        report = import_catalog(actor=manager, shop=shop, file=file, filename=name)
        assert [(e.line, e.column, e.code) for e in report.errors] == [(line, "商家编码", "duplicate_in_file")]
        assert zs.row_counts() == before
