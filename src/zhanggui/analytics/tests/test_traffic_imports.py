"""Importing 生意参谋 / 京东商智 traffic reports: the figures of hand-worked files (GBK CSV, UTF-8-BOM CSV, XLSX
with title rows) to the fen, idempotence, a later file replacing a day, refused rows (file, line, column,
reason; nothing stored), which kind a file is, which shops it fits."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from zhanggui.analytics import report_imports
from zhanggui.analytics.models import ItemDayTraffic, ShopDayTraffic, SourceDayTraffic
from zhanggui.analytics.tests.report_fixtures import (
    NOV1,
    NOV2,
    NOV3,
    SOURCES,
    SYCM_ITEMS,
    SYCM_SHOP,
    SYCM_SHOP_NOV2_RESTATED,
    bom,
    gbk,
)
from zhanggui.catalog import services as catalog
from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def products(shop, system):
    dress = catalog.create_product(actor=system, shop=shop, code="DRESS", title="连衣裙 夏", category=None)
    shirt = catalog.create_product(actor=system, shop=shop, code="SHIRT", title="衬衫 白", category=None)
    catalog.create_sku(actor=system, product=shirt, code="SHIRT-M", price="199.00", cost="60.00")
    return dress, shirt


def run(shop, actor, *files, kind=None):
    """Import (name, bytes) files, as uploads are: streams with a name beside them."""
    streams = [(io.BytesIO(content), name) for name, content in files]
    return report_imports.import_traffic(actor=actor, shop=shop, files=streams, kind=kind)


SHOP_FIGURES = (
    "day", "report", "visitors", "pv", "bounce_rate", "pv_per_visitor", "cart_buyers", "fav_buyers", "paid_amount",
    "paying_buyers", "payment_conversion", "aov", "uv_value", "paid_orders", "mobile_visitors",
)  # fmt: skip


def shop_rows(shop):
    return list(ShopDayTraffic.objects.filter(shop=shop).order_by("day").values_list(*SHOP_FIGURES))


def test_sycm_shop_overview_in_gbk_with_title_rows(shop, system):
    report = run(shop, system, ("店铺整体.csv", SYCM_SHOP))

    assert report.ok, report.rejected
    assert (report.rows, report.days, report.days_replaced) == (3, [NOV1, NOV2, NOV3], [NOV1, NOV2, NOV3])
    assert [(f.kind, f.rows) for f in report.files] == [("sycm_shop", 3)]
    # The summary row (汇总) is not a day; "-" is no value: 0 for a count, none for a rate; 无线端访客数 is not
    # in the file: unknown (None), not 0.
    assert shop_rows(shop) == [
        (NOV1, "sycm_shop", 1234, 5678, D("0.4567"), D("4.6"), 88, 31, D("12345.60"), 56, D("0.0454"),
         D("220.46"), D("10.00"), 60, None),
        (NOV2, "sycm_shop", 12000, 31396, None, D("0"), 0, 0, D("31396.00"), 120, D("0.0100"),
         D("261.63"), D("2.62"), 130, None),
        (NOV3, "sycm_shop", 800, 2400, D("0.5"), D("3"), 10, 5, D("0.00"), 0, D("0"), D("0.00"), D("0.00"), 0, None),
    ]  # fmt: skip
    total = sum(row.paid_amount for row in ShopDayTraffic.objects.filter(shop=shop))
    assert total == D("43741.60")  # what the file's 汇总 row says


def test_sycm_items_in_utf8_bom_take_the_day_from_the_title_and_find_their_products(shop, system, products):
    dress, shirt = products
    report = run(shop, system, ("商品排行.csv", SYCM_ITEMS))

    assert report.ok, report.rejected
    assert (report.days, report.items_unmatched) == ([NOV2], 1)
    rows = ItemDayTraffic.objects.filter(shop=shop).order_by("item_id")
    assert [
        (r.day, r.item_id, r.title, r.item_code, r.product_id, r.visitors, r.pv, r.cart_buyers, r.paying_buyers,
         r.paid_units, r.paid_amount, r.payment_conversion)
        for r in rows
    ] == [
        (NOV2, "612345678901", "连衣裙 夏", "DRESS", dress.pk, 500, 1500, 40, 20, 22, D("2178.00"), D("0.04")),
        (NOV2, "612345678902", "衬衫 白", "SHIRT-M", shirt.pk, 300, 600, 10, 5, 5, D("995.00"), D("0.0167")),
        (NOV2, "612345678903", "袜子", "NOPE", None, 100, 120, 1, 1, 2, D("19.80"), D("0.01")),
    ]  # fmt: skip
    assert sum(r.paid_amount for r in rows) == D("3192.80")


def test_traffic_sources_from_an_xlsx_with_title_rows(shop, system):
    report = run(shop, system, ("流量来源.xlsx", SOURCES))

    assert report.ok, report.rejected
    assert [(f.kind, f.rows, f.days) for f in report.files] == [("sources", 3, [NOV2])]
    rows = SourceDayTraffic.objects.filter(shop=shop).order_by("carrier", "level1", "level2")
    assert [
        (r.day, r.carrier, r.path, r.visitors, r.paying_buyers, r.payment_conversion, r.paid_amount) for r in rows
    ] == [
        (NOV2, "PC端", "淘内免费", 300, 0, None, D("0.00")),
        (NOV2, "无线端", "付费流量 › 直通车 › 关键词", 2000, 40, D("0.02"), D("4000.50")),
        (NOV2, "无线端", "淘内免费 › 手淘搜索", 5000, 100, D("0.02"), D("9000.00")),  # Excel's 0.02: a fraction
    ]


def test_the_same_files_again_change_nothing(shop, system, products):
    files = [("店铺整体.csv", SYCM_SHOP), ("商品排行.csv", SYCM_ITEMS), ("流量来源.xlsx", SOURCES)]
    run(shop, system, *files)
    before = {
        model: list(model.objects.order_by("pk").values())
        for model in (ShopDayTraffic, ItemDayTraffic, SourceDayTraffic)
    }

    again = run(shop, system, *files)

    assert again.ok
    assert (again.rows, again.days_replaced, again.rows_written) == (9, [], 0)
    assert {model: list(model.objects.order_by("pk").values()) for model in before} == before


def test_a_later_file_replaces_only_the_days_it_holds_of_its_own_report(shop, system, products):
    run(shop, system, ("店铺整体.csv", SYCM_SHOP), ("商品排行.csv", SYCM_ITEMS))
    kept = {row.day: row.pk for row in ShopDayTraffic.objects.filter(shop=shop)}

    report = run(shop, system, ("店铺整体-1102.csv", SYCM_SHOP_NOV2_RESTATED))

    assert (report.days, report.days_replaced) == ([NOV2], [NOV2])
    rows = {row.day: row for row in ShopDayTraffic.objects.filter(shop=shop)}
    assert rows[NOV1].pk == kept[NOV1] and rows[NOV3].pk == kept[NOV3]  # not touched
    assert (rows[NOV2].visitors, rows[NOV2].paid_amount, rows[NOV2].paying_buyers) == (12500, D("31500.00"), 121)
    assert rows[NOV2].aov is None  # the restated file has no 客单价: the earlier figure does not linger
    assert ItemDayTraffic.objects.filter(shop=shop, day=NOV2).count() == 3  # items are another report

    # An item export of the day without the third item: the day's items are the new file's.
    fewer = SYCM_ITEMS.decode("utf-8-sig").rsplit("612345678903", 1)[0]
    report = run(shop, system, ("商品排行-2.csv", bom(fewer)))
    assert report.days_replaced == [NOV2]
    assert sorted(ItemDayTraffic.objects.filter(shop=shop).values_list("item_id", flat=True)) == [
        "612345678901",
        "612345678902",
    ]


BAD_SHOP = gbk(
    "统计日期,访客数,支付金额,支付买家数,支付转化率\n"
    "2026-11-01,abc,100.00,1,1%\n"
    "2026-11-31,10,100.00,1,1%\n"
    "2026-11-02,10,100.005,1,120%\n"
    "2026-11-03,10,-5,1.5,3.45\n"
)


def test_refused_rows_name_file_line_column_and_reason_and_nothing_is_stored(shop, system):
    report = run(shop, system, ("good.csv", SYCM_SHOP), ("bad.csv", BAD_SHOP))

    assert not report.ok
    assert [(e.file, e.line, e.column, e.reason) for e in report.rejected] == [
        ("bad.csv", 2, "访客数", "abc is not a number."),
        ("bad.csv", 3, "统计日期", "2026-11-31 is not a day; write it as 2026-11-01."),
        ("bad.csv", 4, "支付金额", "100.005 is not an amount in yuan with at most two decimals."),
        ("bad.csv", 4, "支付转化率", "120% is more than 100%."),
        ("bad.csv", 5, "支付金额", "-5: must not be negative."),
        ("bad.csv", 5, "支付买家数", "1.5 is not a whole number."),
        (
            "bad.csv",
            5,
            "支付转化率",
            "3.45 without a % sign is read as a fraction (3.45 × 100 %), more than 100 %; write it as 3.45%.",
        ),
    ]
    assert report.rejected_rows == 4
    assert not ShopDayTraffic.objects.exists()  # not even the good file's days


def test_one_item_twice_with_other_figures_is_refused_an_exact_repeat_is_read_once(shop, system):
    head = "统计日期,商品ID,商品访客数,支付金额\n"
    repeat = run(shop, system, ("r.csv", bom(head + "2026-11-01,1,10,5.00\n2026-11-01,1,10,5.00\n")))
    assert repeat.ok and ItemDayTraffic.objects.count() == 1

    report = run(
        shop, system, ("a.csv", bom(head + "2026-11-02,1,10,5.00\n")), ("b.csv", bom(head + "2026-11-02,1,11,5.00\n"))
    )
    assert [(e.file, e.line, e.column, e.reason) for e in report.rejected] == [
        ("b.csv", 2, "商品ID", "The same item of 2026-11-02 is on line 2 of a.csv with other figures; keep one.")
    ]
    assert not ItemDayTraffic.objects.filter(day=NOV2).exists()


def test_a_period_summed_in_one_row_is_refused(shop, system):
    text = "统计日期：2026-11-01~2026-11-30\n访客数,浏览量,支付金额,支付买家数\n100,200,300.00,3\n"
    report = run(shop, system, ("month.csv", bom(text)))
    assert [(e.file, e.line, e.column) for e in report.rejected] == [("month.csv", 0, "")]
    assert "2026-11-01 to 2026-11-30" in report.rejected[0].reason
    assert not ShopDayTraffic.objects.exists()


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("统计日期,访客数,浏览量,支付金额,支付买家数", "sycm_shop"),
        ("统计日期,商品ID,商品名称,商品访客数,支付金额", "sycm_items"),
        ("统计日期,流量载体,一级来源,二级来源,访客数,支付金额,支付买家数", "sources"),
        ("日期,访客数,浏览量,成交客户数,成交金额", "jd_shop"),
        ("日期,商品编号,商品名称,访客数,成交客户数,成交金额", "jd_items"),
    ],
)
def test_the_kind_is_told_by_the_header_row(header, kind):
    from zhanggui.channels.traffic import read_traffic

    values = ",".join(["2026-11-01", *(["1"] * (header.count(",")))])
    result = read_traffic(file=io.BytesIO(bom(f"{header}\n{values}\n")), filename="x.csv")
    assert result.kind is not None and result.kind.key == kind
    assert not result.errors


def test_a_file_of_no_known_report_and_another_platforms_report_are_refused(shop, system):
    unknown = run(shop, system, ("x.csv", bom("订单编号,买家会员名\n1,a\n")))
    assert [(e.file, e.line) for e in unknown.rejected] == [("x.csv", 0)]
    assert "none of the reports we read" in unknown.rejected[0].reason

    jd = run(shop, system, ("jd.csv", bom("日期,访客数,成交客户数,成交金额\n2026-11-01,10,1,9.90\n")))
    assert [e.reason for e in jd.rejected] == [
        "A 京东商智 shop overview report cannot go into shop tb01, a Taobao shop."
    ]

    jd_shop = ShopFactory(code="jd01", name="京东店", channel=Channel.JD)
    ok = run(jd_shop, system, ("jd.csv", bom("日期,访客数,成交客户数,成交金额,成交转化率\n20261101,10,1,9.90,10%\n")))
    assert ok.ok
    row = ShopDayTraffic.objects.get(shop=jd_shop)
    assert (row.report, row.day, row.visitors, row.paying_buyers, row.paid_amount, row.payment_conversion) == (
        "jd_shop", NOV1, 10, 1, D("9.90"), D("0.1"),
    )  # fmt: skip


def test_a_role_that_does_not_import_is_refused_before_reading(shop, users):
    with pytest.raises(PermissionDeniedError):
        run(shop, users["service"], ("店铺整体.csv", SYCM_SHOP))
    assert not ShopDayTraffic.objects.exists()


def test_every_field_a_kind_reads_is_a_field_of_its_model():
    from zhanggui.channels.ads import AD_KINDS
    from zhanggui.channels.traffic import TRAFFIC_KINDS

    for kind in [*TRAFFIC_KINDS.values(), *AD_KINDS.values()]:
        model = report_imports.TARGET_MODELS[kind.target]
        names = {f.name for f in model._meta.concrete_fields}
        assert {f.key for f in kind.fields} - {"day"} <= names, kind.key
