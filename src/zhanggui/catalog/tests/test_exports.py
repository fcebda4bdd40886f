"""Catalog export: the import's format, Excel-safe, and export → import changes nothing."""

from __future__ import annotations

import codecs
import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import load_workbook

from zhanggui.catalog.exports import ExportError, export_catalog
from zhanggui.catalog.imports import import_catalog
from zhanggui.catalog.models import Category, Product, ProductRole, Sku
from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = [
    "店铺",
    "货号",
    "商品标题",
    "类目",
    "商品角色",
    "商家编码",
    "条码",
    "规格",
    "价格",
    "成本",
    "重量(g)",
    "警戒库存",
    "描述",
    "主图",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def catalog(db):
    """A shop whose data has the awkward values exports must survive."""
    shop = ShopFactory(code="TM01", channel="tmall")
    tee = ProductFactory(
        shop=shop,
        code="P001",
        title="纯棉T恤  男款",  # two spaces: stored before titles were normalised
        category=CategoryFactory(name="T恤"),
        role=ProductRole.TRAFFIC,
        description="-",
        main_image_url="https://img.example.com/p001.jpg",
    )
    SkuFactory(
        product=tee,
        code="P001-W-M",
        barcode="0690123456789",
        spec="颜色:白;尺码:M",
        price=Decimal("59.90"),
        cost=Decimal("21.05"),
        weight_g=180,
        safety_stock=10,
    )
    SkuFactory(product=tee, code="100200300400500600", barcode="", spec="=红色", price=Decimal("0.01"), cost=0)
    ProductFactory(shop=shop, code="P002", title="=SUM(A1) 防晒衣", category=None, role=ProductRole.IMAGE)
    return shop


def snapshot():
    return {
        "products": list(Product.objects.order_by("pk").values()),
        "skus": list(Sku.objects.order_by("pk").values()),
        "categories": Category.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def export_bytes(**kwargs) -> bytes:
    out = io.BytesIO()
    export_catalog(out=out, **kwargs)
    return out.getvalue()


def test_csv_export_is_utf8_with_bom_in_the_import_format(catalog):
    data = export_bytes(shop=catalog, fmt="csv")
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        HEADER,
        [
            "TM01",
            '="P001"',
            "纯棉T恤  男款",
            "T恤",
            "引流款",
            '="100200300400500600"',
            "",
            "'=红色",
            "0.01",
            "0.00",
            "0",
            "0",
            "'-",
            "https://img.example.com/p001.jpg",
        ],
        [
            "TM01",
            '="P001"',
            "纯棉T恤  男款",
            "T恤",
            "引流款",
            '="P001-W-M"',
            '="0690123456789"',
            "颜色:白;尺码:M",
            "59.90",
            "21.05",
            "180",
            "10",
            "'-",
            "https://img.example.com/p001.jpg",
        ],
        ["TM01", '="P002"', "'=SUM(A1) 防晒衣", "", "形象款", "", "", "", "", "", "", "", "", ""],
    ]


def test_plain_csv_writes_values_as_stored(catalog):
    rows = list(csv.reader(io.StringIO(export_bytes(shop=catalog, fmt="csv", excel_safe=False).decode("utf-8-sig"))))
    assert rows[2][1:8] == ["P001", "纯棉T恤  男款", "T恤", "引流款", "P001-W-M", "0690123456789", "颜色:白;尺码:M"]


@pytest.mark.parametrize(
    ("fmt", "encoding", "name"),
    [
        ("xlsx", "utf-8-sig", "c.xlsx"),
        ("csv", "utf-8-sig", "c.csv"),
        ("csv", "gbk", "c.csv"),
        ("csv", "utf-8", "c.csv"),
    ],
)
def test_export_then_import_changes_nothing(catalog, manager, tmp_path, fmt, encoding, name):
    path = tmp_path / name
    path.write_bytes(export_bytes(shop=catalog, fmt=fmt, encoding=encoding))
    before = snapshot()

    report = import_catalog(actor=manager, shop=catalog, file=path)

    assert report.errors == []
    assert (report.products_created, report.products_updated, report.products_unchanged) == (0, 0, 2)
    assert (report.skus_created, report.skus_updated, report.skus_unchanged) == (0, 0, 2)
    assert snapshot() == before


def test_an_export_imported_into_an_empty_shop_recreates_the_catalog(catalog, manager, tmp_path):
    empty = ShopFactory(code="TM02", channel="tmall")
    path_for_tm02 = tmp_path / "tm02.csv"
    data = export_bytes(shop=catalog, fmt="csv").decode("utf-8-sig").replace("TM01,", "TM02,")
    path_for_tm02.write_bytes(data.encode("utf-8-sig"))

    report = import_catalog(actor=manager, shop=empty, file=path_for_tm02)

    assert report.errors == []
    assert (report.products_created, report.skus_created) == (2, 2)
    copied = Sku.objects.filter(shop=empty).order_by("code")
    assert list(copied.values_list("code", "barcode", "spec", "price", "cost", "weight_g", "safety_stock")) == [
        ("100200300400500600", "", "=红色", Decimal("0.01"), Decimal("0.00"), 0, 0),
        ("P001-W-M", "0690123456789", "颜色:白;尺码:M", Decimal("59.90"), Decimal("21.05"), 180, 10),
    ]
    assert list(Product.objects.filter(shop=empty).order_by("code").values_list("title", "role", "description")) == [
        ("纯棉T恤 男款", ProductRole.TRAFFIC, ""),  # "-" means empty in shop files, so it does not travel
        ("=SUM(A1) 防晒衣", ProductRole.IMAGE, ""),
    ]


def test_xlsx_keeps_texts_as_text_and_numbers_as_numbers(catalog):
    sheet = load_workbook(io.BytesIO(export_bytes(shop=catalog, fmt="xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[2][1:12] == (
        "P001",
        "纯棉T恤  男款",
        "T恤",
        "引流款",
        "P001-W-M",
        "0690123456789",
        "颜色:白;尺码:M",
        59.9,
        21.05,
        180,
        10,
    )
    formula_like = sheet.cell(row=4, column=3)
    assert (formula_like.value, formula_like.data_type) == ("=SUM(A1) 防晒衣", "s")
    assert sheet.cell(row=3, column=9).number_format == "0.00"


def test_export_of_all_shops_has_every_shop_in_code_order(catalog):
    SkuFactory(product__shop=ShopFactory(code="JD01", channel="jd"), product__code="J1", code="J1-1")
    rows = list(csv.reader(io.StringIO(export_bytes(fmt="csv").decode("utf-8-sig"))))
    assert [(row[0], row[5]) for row in rows[1:]] == [
        ("JD01", '="J1-1"'),
        ("TM01", '="100200300400500600"'),
        ("TM01", '="P001-W-M"'),
        ("TM01", ""),
    ]


def test_gbk_export_refuses_text_gbk_cannot_hold(catalog):
    Product.objects.filter(code="P002").update(description="好评返现 😀")
    with pytest.raises(ExportError) as err:
        export_bytes(shop=catalog, fmt="csv", encoding="gbk")
    assert err.value.message == "P002: the character '😀' cannot be written in GBK; export as UTF-8 instead."


# -- the command ------------------------------------------------------------------------------------------


def run(**options):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("export_catalog", stdout=out, stderr=err, **options)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_writes_xlsx_to_a_file_that_imports_unchanged(catalog, manager, tmp_path):
    path = tmp_path / "catalog.xlsx"
    code, out, err = run(shop="TM01", output=str(path))
    assert (code, out, err) == (0, f"3 rows written to {path}.\n", "")
    before = snapshot()
    report = import_catalog(actor=manager, shop=catalog, file=path)
    assert (report.errors, report.skus_unchanged, report.products_unchanged) == ([], 2, 2)
    assert snapshot() == before


def test_command_writes_csv_to_standard_output(catalog):
    code, out, _err = run(shop="TM01")
    assert code == 0
    assert out.splitlines()[0] == ",".join(HEADER)
    assert len(out.splitlines()) == 4


def test_command_gbk_failure_exits_1_and_leaves_the_old_file(catalog, tmp_path):
    Product.objects.filter(code="P002").update(description="😀")
    path = tmp_path / "catalog.csv"
    path.write_text("old", encoding="utf-8")
    code, out, err = run(shop="TM01", output=str(path), encoding="gbk")
    assert (code, out) == (1, "")
    assert err.startswith("Export failed: P002:")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.csv"]


def test_command_usage_errors(catalog, tmp_path):
    with pytest.raises(CommandError, match="needs -o FILE"):
        run(format="xlsx")
    with pytest.raises(CommandError, match="No shop with code NOPE"):
        run(shop="NOPE")
    with pytest.raises(CommandError, match="No such folder"):
        run(output=str(tmp_path / "missing" / "c.csv"))
