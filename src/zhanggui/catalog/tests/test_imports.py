"""Catalog import: all or nothing, every rejected row reported, idempotent, through the audited services."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from zhanggui.catalog import services
from zhanggui.catalog.imports import import_catalog
from zhanggui.catalog.models import Category, Product, ProductRole, Sku
from zhanggui.catalog.tests.factories import ShopFactory, SkuFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.core.tabular import MissingColumns, RowError

pytestmark = pytest.mark.django_db

HEADERS = ["货号", "商品标题", "类目", "商品角色", "商家编码", "条码", "规格", "价格", "成本", "重量(g)", "警戒库存"]
GOOD_ROWS = [
    [
        "P001",
        "纯棉圆领短袖T恤 男款",
        "T恤",
        "引流款",
        "P001-W-M",
        "6901234567890",
        "颜色:白;尺码:M",
        "59.00",
        "21.50",
        "180",
        "10",
    ],
    [
        "P001",
        "纯棉圆领短袖T恤 男款",
        "T恤",
        "引流款",
        "P001-W-L",
        "6901234567891",
        "颜色:白;尺码:L",
        "59",
        "21.5",
        "190",
        "10",
    ],
    ["P002", "冰丝防晒外套 女", "外套", "profit", "P002-B-S", "", "颜色:黑;尺码:S", "￥129.90", "55", "", ""],
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    return ShopFactory(code="TM01", channel="tmall")


def write_csv(path, rows, headers=HEADERS, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path, rows, headers=HEADERS):
    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def snapshot():
    """Everything an import could touch, to compare before and after."""
    return {
        "products": list(Product.objects.order_by("pk").values()),
        "skus": list(Sku.objects.order_by("pk").values()),
        "categories": Category.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_a_good_file_creates_exactly_its_products_and_skus(manager, shop, tmp_path):
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "catalog.csv", GOOD_ROWS))

    assert report.errors == []
    assert (report.rows, report.products_created, report.skus_created) == (3, 2, 3)
    assert list(Product.objects.order_by("code").values_list("code", "title", "category__name", "role")) == [
        ("P001", "纯棉圆领短袖T恤 男款", "T恤", ProductRole.TRAFFIC),
        ("P002", "冰丝防晒外套 女", "外套", ProductRole.PROFIT),
    ]
    assert list(
        Sku.objects.order_by("code").values_list(
            "product__code", "code", "barcode", "spec", "price", "cost", "weight_g", "safety_stock"
        )
    ) == [
        ("P001", "P001-W-L", "6901234567891", "颜色:白;尺码:L", Decimal("59.00"), Decimal("21.50"), 190, 10),
        ("P001", "P001-W-M", "6901234567890", "颜色:白;尺码:M", Decimal("59.00"), Decimal("21.50"), 180, 10),
        ("P002", "P002-B-S", "", "颜色:黑;尺码:S", Decimal("129.90"), Decimal("55.00"), 0, 0),
    ]
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["product.create"] * 2 + ["sku.create"] * 3
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {manager.pk}
    assert report.summary() == [
        "catalog.csv: 3 rows imported into shop TM01.",
        "Products: 2 created, 0 updated, 0 unchanged.",
        "SKUs: 3 created, 0 updated, 0 unchanged.",
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_importing_the_same_file_again_changes_nothing(manager, shop, tmp_path, encoding):
    path = write_csv(tmp_path / "catalog.csv", GOOD_ROWS, encoding=encoding)
    import_catalog(actor=manager, shop=shop, file=path)
    before = snapshot()

    report = import_catalog(actor=manager, shop=shop, file=path)

    assert report.errors == []
    assert (report.products_created, report.products_updated, report.products_unchanged) == (0, 0, 2)
    assert (report.skus_created, report.skus_updated, report.skus_unchanged) == (0, 0, 3)
    assert snapshot() == before  # same rows, same values and updated_at, no new audit entries
    assert before["audit"] == 5


def test_xlsx_with_real_numbers_imports_and_reimports_unchanged(manager, shop, tmp_path):
    rows = [
        ["P001", "纯棉圆领短袖T恤 男款", "T恤", "引流款", "P001-W-M", "6901234567890", "颜色:白", 59.9, 21, 180, 10],
        ["P001", None, None, None, "P001-W-L", None, "颜色:黑", 59.9, 21.5, 190.0, None],  # merged product cells
    ]
    path = write_xlsx(tmp_path / "catalog.xlsx", rows)
    report = import_catalog(actor=manager, shop=shop, file=path)
    assert report.errors == []
    assert list(Sku.objects.order_by("code").values_list("code", "price", "cost", "weight_g", "safety_stock")) == [
        ("P001-W-L", Decimal("59.90"), Decimal("21.50"), 190, 0),
        ("P001-W-M", Decimal("59.90"), Decimal("21.00"), 180, 10),
    ]
    before = snapshot()
    again = import_catalog(actor=manager, shop=shop, file=path)
    assert (again.products_unchanged, again.skus_unchanged) == (1, 2)
    assert snapshot() == before


def test_changed_cells_go_through_the_services_with_their_audit(manager, shop, tmp_path):
    import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "a.csv", GOOD_ROWS))
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][1] = rows[1][1] = "纯棉圆领短袖T恤 男款 新色"
    rows[0][7] = "49.00"  # price of P001-W-M
    rows[2][6] = "颜色:黑;尺码:XS"  # spec of P002-B-S
    audit_before = AuditEntry.objects.count()

    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "b.csv", rows))

    assert (report.products_updated, report.products_unchanged) == (1, 1)
    assert (report.skus_updated, report.skus_unchanged) == (2, 1)
    new = AuditEntry.objects.order_by("pk")[audit_before:]
    assert [(e.action, e.object_repr, e.before, e.after) for e in new] == [
        (
            "product.update",
            "P001 纯棉圆领短袖T恤 男款 新色",
            {"title": "纯棉圆领短袖T恤 男款"},
            {"title": "纯棉圆领短袖T恤 男款 新色"},
        ),
        ("sku.price", "P001-W-M 颜色:白;尺码:M", {"price": "59.00"}, {"price": "49.00"}),
        ("sku.update", "P002-B-S 颜色:黑;尺码:XS", {"spec": "颜色:黑;尺码:S"}, {"spec": "颜色:黑;尺码:XS"}),
    ]
    assert new[1].note == "import b.csv"


@pytest.mark.parametrize(
    ("price", "code", "message"),
    [
        ("12.345", "bad_money", "12.345 is not an amount in yuan with at most two decimals."),
        ("abc", "bad_money", "abc is not an amount in yuan with at most two decimals."),
        ("-5", "negative", "-5: must not be negative."),
    ],
)
def test_a_bad_price_rejects_the_file_and_names_line_and_column(manager, shop, tmp_path, price, code, message):
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][7] = price
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows))
    assert report.errors == [RowError(line=3, column="价格", message=message, code=code)]
    assert report.summary()[0] == "c.csv: 1 of 3 rows rejected; nothing was written."
    assert (Product.objects.count(), Sku.objects.count(), AuditEntry.objects.count()) == (0, 0, 0)


def test_every_rejected_row_is_reported_not_only_the_first(manager, shop, tmp_path):
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][9] = "1.5"  # weight
    rows[1][10] = "-1"  # safety stock
    rows[2][3] = "爆款"  # role
    rows[2][8] = "1,2x"  # cost
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows))
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, "重量(g)", "not_whole_number"),
        (3, "警戒库存", "negative"),
        (4, "商品角色", "bad_role"),
        (4, "成本", "bad_money"),
    ]
    assert report.rejected_rows == 3
    assert not Product.objects.exists()


def test_a_sku_code_twice_in_the_file_is_rejected(manager, shop, tmp_path):
    rows = [*GOOD_ROWS, ["P002", "冰丝防晒外套 女", "外套", "profit", "P001-W-M", "", "", "10", "", "", ""]]
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows))
    assert report.errors == [
        RowError(
            line=5,
            column="商家编码",
            message="SKU code P001-W-M is also on line 2; give each SKU one row.",
            code="duplicate_in_file",
        )
    ]
    assert not Sku.objects.exists()


def test_rows_of_one_product_must_agree_on_its_fields(manager, shop, tmp_path):
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][2] = "衬衫"  # category of P001 differs from line 2
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows))
    assert [(e.line, e.column, e.code, e.message) for e in report.errors] == [
        (3, "类目", "product_conflict", "Product P001 has a different value on line 2: T恤")
    ]
    assert not Product.objects.exists()


def test_title_too_long_or_with_a_banned_word_is_rejected(manager, shop, tmp_path):
    services.add_banned_words(actor=manager, words=["最好"])
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][1] = rows[1][1] = "超" * 31  # 62 on Tmall, the limit is 60
    rows[2][1] = "全网最好的冰丝防晒外套"
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows))
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, "商品标题", "title_too_long"),
        (4, "商品标题", "title_banned_word"),
    ]
    assert report.errors[1].message == "The title contains banned words: 最好"
    assert not Product.objects.exists()


def test_a_stored_title_with_a_word_banned_later_does_not_block_a_reimport(manager, shop, tmp_path):
    path = write_csv(tmp_path / "c.csv", GOOD_ROWS)
    import_catalog(actor=manager, shop=shop, file=path)
    services.add_banned_words(actor=manager, words=["纯棉"])
    report = import_catalog(actor=manager, shop=shop, file=path)
    assert report.errors == []
    assert report.products_unchanged == 2


def test_missing_columns_refuse_the_file(manager, shop, tmp_path):
    headers = ["货号", "商品标题", "编码", "价格"]
    path = write_csv(tmp_path / "c.csv", [["P1", "标题", "S1", "10"]], headers=headers)
    with pytest.raises(MissingColumns) as err:
        import_catalog(actor=manager, shop=shop, file=path)
    assert err.value.details == {"missing": ["sku_code"]}
    assert "商家编码 / SKU编码 / 商家编码-规格维度 / sku_code" in err.value.message
    assert not Product.objects.exists()


def test_new_products_and_skus_need_a_title_and_a_price(manager, shop, tmp_path):
    rows = [["P9", "", "", "", "P9-1", "", "", "", "", "", ""]]
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows))
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (2, "商品标题", "A new product needs a title."),
        (2, "价格", "A new SKU needs a price."),
    ]


def test_a_sku_of_another_product_is_not_moved(manager, shop, tmp_path):
    SkuFactory(product__shop=shop, product__code="OLD", code="P001-W-M")
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", GOOD_ROWS))
    assert [(e.line, e.column, e.code) for e in report.errors] == [(2, "货号", "sku_other_product")]
    assert Product.objects.count() == 1


def test_rows_for_another_shop_are_rejected(manager, shop, tmp_path):
    headers = ["店铺", *HEADERS]
    rows = [["TM01", *GOOD_ROWS[0]], ["JD01", *GOOD_ROWS[1]]]
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", rows, headers=headers))
    assert [(e.line, e.column, e.code) for e in report.errors] == [(3, "店铺", "other_shop")]
    assert not Product.objects.exists()


def test_same_codes_in_another_shop_are_separate(manager, shop, tmp_path):
    other = ShopFactory(code="JD01", channel="jd")
    path = write_csv(tmp_path / "c.csv", GOOD_ROWS)
    import_catalog(actor=manager, shop=shop, file=path)
    report = import_catalog(actor=manager, shop=other, file=path)
    assert (report.products_created, report.skus_created) == (2, 3)
    assert Sku.objects.filter(code="P001-W-M").count() == 2


def test_dry_run_reports_what_would_change_and_writes_nothing(manager, shop, tmp_path):
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", GOOD_ROWS), dry_run=True)
    assert (report.errors, report.products_created, report.skus_created) == ([], 2, 3)
    assert report.summary()[0] == "c.csv: 3 rows checked for shop TM01 (dry run: nothing was written)."
    assert snapshot() == {"products": [], "skus": [], "categories": 0, "audit": 0}


def test_a_role_without_change_price_cannot_import_prices_and_nothing_is_written(users, shop, tmp_path):
    report = import_catalog(actor=users["copywriter"], shop=shop, file=write_csv(tmp_path / "c.csv", GOOD_ROWS))
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, "价格", "permission_denied"),
        (3, "价格", "permission_denied"),
        (4, "价格", "permission_denied"),
    ]
    assert snapshot() == {"products": [], "skus": [], "categories": 0, "audit": 0}


def test_a_copywriter_may_edit_titles_when_prices_are_left_as_they_are(users, manager, shop, tmp_path):
    import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "a.csv", GOOD_ROWS))
    rows = [list(row) for row in GOOD_ROWS]
    rows[2][1] = "冰丝防晒外套 女 轻薄"
    report = import_catalog(actor=users["copywriter"], shop=shop, file=write_csv(tmp_path / "b.csv", rows))
    assert report.errors == []
    assert Product.objects.get(code="P002").title == "冰丝防晒外套 女 轻薄"

    rows[2][7] = "99.00"
    before = snapshot()
    report = import_catalog(actor=users["copywriter"], shop=shop, file=write_csv(tmp_path / "c.csv", rows))
    assert [(e.line, e.column, e.code) for e in report.errors] == [(4, "价格", "permission_denied")]
    assert snapshot() == before


def test_a_role_that_cannot_edit_the_catalog_is_refused_outright(users, shop, tmp_path):
    with pytest.raises(PermissionDeniedError):
        import_catalog(actor=users["service"], shop=shop, file=write_csv(tmp_path / "c.csv", GOOD_ROWS))
    assert not Product.objects.exists()


def test_empty_text_cells_clear_and_empty_number_cells_keep(manager, shop, tmp_path):
    headers = [*HEADERS, "描述"]
    rows = [[*GOOD_ROWS[2], "轻薄透气"]]
    import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "a.csv", rows, headers=headers))
    rows = [["P002", "冰丝防晒外套 女", "", "", "P002-B-S", "", "", "", "", "", "", ""]]
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "b.csv", rows, headers=headers))
    assert report.errors == []
    product, sku = Product.objects.get(code="P002"), Sku.objects.get(code="P002-B-S")
    assert (product.category, product.description, product.role) == (None, "", ProductRole.PROFIT)
    assert (sku.spec, sku.price, sku.cost) == ("", Decimal("129.90"), Decimal("55.00"))


# -- the command ------------------------------------------------------------------------------------------


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_catalog", *args, stdout=out, stderr=err, **options)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_imports_and_exits_0(shop, tmp_path):
    path = write_csv(tmp_path / "catalog.csv", GOOD_ROWS)
    code, out, err = run(str(path), shop="TM01")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "catalog.csv: 3 rows imported into shop TM01.",
        "Products: 2 created, 0 updated, 0 unchanged.",
        "SKUs: 3 created, 0 updated, 0 unchanged.",
    ]
    assert set(AuditEntry.objects.values_list("actor__username", flat=True)) == {"system"}


def test_command_lists_rejected_rows_and_exits_1_without_writing(shop, tmp_path):
    rows = [list(row) for row in GOOD_ROWS]
    rows[2][7] = "12.345"
    code, out, err = run(str(write_csv(tmp_path / "catalog.csv", rows)), shop="TM01")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "catalog.csv: 1 of 3 rows rejected; nothing was written.",
        "line 4, 价格: 12.345 is not an amount in yuan with at most two decimals.",
    ]
    assert not Product.objects.exists()


def test_command_dry_run_and_actor(users, shop, tmp_path):
    path = write_csv(tmp_path / "catalog.csv", GOOD_ROWS)
    code, out, _err = run(str(path), shop="TM01", dry_run=True)
    assert code == 0 and "dry run" in out
    assert not Product.objects.exists()
    code, _out, err = run(str(path), "--actor", "copywriter", shop="TM01")
    assert code == 1
    assert "needs catalog.change_price" in err


def test_command_refused_file_exits_1(shop, tmp_path):
    path = write_csv(tmp_path / "catalog.csv", [["x"]], headers=["货号"])
    code, _out, err = run(str(path), shop="TM01")
    assert code == 1
    assert err.startswith("catalog.csv refused: catalog.csv has no header row with the required columns.")


def test_command_usage_errors(shop, tmp_path):
    path = write_csv(tmp_path / "catalog.csv", GOOD_ROWS)
    with pytest.raises(CommandError, match="No shop with code NOPE"):
        run(str(path), shop="NOPE")
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.csv"), shop="TM01")
    with pytest.raises(CommandError, match="No active user ghost"):
        run(str(path), "--actor", "ghost", shop="TM01")
    assert not Product.objects.exists()


def test_a_service_refusing_a_row_midway_rolls_back_everything(manager, shop, tmp_path, monkeypatch):
    real_create_sku = services.create_sku

    def create_sku(**kwargs):
        if kwargs["code"] == "P002-B-S":
            raise services.DuplicateCode("SKU code P002-B-S already exists in this shop.")
        return real_create_sku(**kwargs)

    monkeypatch.setattr(services, "create_sku", create_sku)
    report = import_catalog(actor=manager, shop=shop, file=write_csv(tmp_path / "c.csv", GOOD_ROWS))
    assert report.errors == [
        RowError(
            line=4, column="商家编码", message="SKU code P002-B-S already exists in this shop.", code="duplicate_code"
        )
    ]
    assert (report.products_created, report.skus_created) == (0, 0)
    assert snapshot() == {"products": [], "skus": [], "categories": 0, "audit": 0}
