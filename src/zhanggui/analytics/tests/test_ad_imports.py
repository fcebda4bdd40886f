"""Importing ad reports: 万相台 (直通车) with keywords, 京准通 (京东快车) with attribution windows, 淘宝联盟 (淘宝客)
from an XLSX with title rows, 钻展 (display); sums to the fen, derived columns left to us, a later file replacing
one channel's day only, idempotence, refused rows."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from zhanggui.analytics import report_imports, report_selectors
from zhanggui.analytics.models import AdDay
from zhanggui.analytics.tests.report_fixtures import (
    DISPLAY,
    JZT,
    NOV1,
    NOV2,
    TBK,
    WXT,
    WXT_NOV2_RESTATED,
    bom,
)
from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

D = Decimal


def run(shop, actor, *files, kind=None):
    streams = [(io.BytesIO(content), name) for name, content in files]
    return report_imports.import_ads(actor=actor, shop=shop, files=streams, kind=kind)


def rows(shop, channel):
    return list(
        AdDay.objects.filter(shop=shop, channel=channel)
        .order_by("day", "keyword", "attribution")
        .values_list("day", "plan_id", "plan", "unit", "keyword", "impressions", "clicks", "cost", "orders", "gmv")
    )


def test_wanxiangtai_keywords_in_gbk(shop, system):
    report = run(shop, system, ("万相台.csv", WXT))

    assert report.ok, report.rejected
    assert [(f.kind, f.rows, f.days) for f in report.files] == [("ztc", 3, [NOV1, NOV2])]
    assert rows(shop, "ztc") == [
        (NOV1, "1001", "春季连衣裙", "连衣裙 夏", "夏季裙子", 3000, 60, D("150.00"), 0, D("0.00")),
        (NOV1, "1001", "春季连衣裙", "连衣裙 夏", "连衣裙女", 12000, 360, D("1080.50"), 13, D("2971.38")),
        (NOV2, "1001", "春季连衣裙", "连衣裙 夏", "连衣裙女", 10000, 300, D("900.00"), 12, D("2970.00")),
    ]
    assert AdDay.objects.get(keyword="连衣裙女", day=NOV1).scene == "关键词推广"
    totals = report_selectors.ad_totals(report_selectors.ad_days(shop=shop, start=NOV1, end=NOV2))
    assert [(t.day, t.channel, t.impressions, t.clicks, t.cost, t.orders, t.gmv, t.roi) for t in totals] == [
        (NOV1, "ztc", 15000, 420, D("1230.50"), 13, D("2971.38"), D("2.41")),  # 2971.38 ÷ 1230.50 = 2.4148
        (NOV2, "ztc", 10000, 300, D("900.00"), 12, D("2970.00"), D("3.30")),
    ]
    one = AdDay.objects.get(keyword="连衣裙女", day=NOV1)
    assert (one.ctr, one.cpc, one.roi) == (D("0.0300"), D("3.00"), D("2.75"))


def test_jd_express_keeps_each_attribution_window_and_reads_percent_headers(system):
    jd = ShopFactory(code="jd01", name="京东店", channel=Channel.JD)
    report = run(jd, system, ("京准通.csv", JZT))

    assert report.ok, report.rejected
    assert [(f.kind, f.rows) for f in report.files] == [("jd_express", 2)]
    stored = AdDay.objects.filter(shop=jd).order_by("attribution")
    assert [(r.day, r.plan, r.unit, r.keyword, r.attribution, r.clicks, r.cost, r.orders, r.gmv) for r in stored] == [
        (NOV1, "快车-连衣裙", "单元A", "连衣裙", "15天", 160, D("320.00"), 4, D("796.00")),
        (NOV1, "快车-连衣裙", "单元A", "连衣裙", "24小时", 160, D("320.00"), 2, D("398.00")),
    ]
    assert [r.roi for r in stored] == [D("2.49"), D("1.24")]  # computed, never the file's ROI column ÷ 100


def test_affiliate_from_an_xlsx_with_title_rows_has_no_impressions(shop, system):
    report = run(shop, system, ("淘宝联盟.xlsx", TBK))

    assert report.ok, report.rejected
    stored = AdDay.objects.filter(shop=shop, channel="affiliate").order_by("day")
    assert [(r.day, r.impressions, r.clicks, r.buyers, r.orders, r.gmv, r.cost) for r in stored] == [
        (NOV1, None, 500, 8, 9, D("1592.00"), D("159.20")),
        (NOV2, None, 12000, 10, 10, D("2000.00"), D("200.00")),
    ]
    assert sum(r.cost for r in stored) == D("359.20")


def test_display_by_its_headers_or_named_by_the_user(shop, system):
    assert run(shop, system, ("钻展.csv", DISPLAY)).files[0].kind == "display"
    row = AdDay.objects.get(shop=shop, channel="display")
    assert (row.plan, row.unit, row.impressions, row.cost, row.gmv, row.orders) == (
        "拉新", "女装人群", 50000, D("600.00"), D("1200.00"), 5,
    )  # fmt: skip

    # A 万相台 file of a display scene reads as 直通车 unless the user says otherwise.
    named = run(shop, system, ("万相台-人群.csv", WXT), kind="display")
    assert [(f.kind, f.rows) for f in named.files] == [("display", 3)]
    # The display channel's 1 November is now this file's: the 钻展 row of that day is replaced, not kept.
    assert sorted(AdDay.objects.filter(shop=shop, channel="display").values_list("day", "keyword")) == [
        (NOV1, "夏季裙子"),
        (NOV1, "连衣裙女"),
        (NOV2, "连衣裙女"),
    ]
    assert not AdDay.objects.filter(channel="ztc").exists()


def test_a_later_file_replaces_one_channels_day_and_the_same_file_changes_nothing(shop, system):
    run(shop, system, ("万相台.csv", WXT), ("淘宝联盟.xlsx", TBK))
    before = {row.pk: row for row in AdDay.objects.all()}

    again = run(shop, system, ("万相台.csv", WXT), ("淘宝联盟.xlsx", TBK))
    assert (again.days_replaced, again.rows_written) == ([], 0)
    assert {row.pk for row in AdDay.objects.all()} == set(before)

    restated = run(shop, system, ("万相台-1102.csv", WXT_NOV2_RESTATED))
    assert restated.days_replaced == [NOV2]
    nov2 = AdDay.objects.get(shop=shop, channel="ztc", day=NOV2)
    assert (nov2.cost, nov2.gmv, nov2.carts, nov2.scene) == (D("905.00"), D("3000.00"), None, "")
    untouched = AdDay.objects.exclude(channel="ztc", day=NOV2)
    assert {row.pk for row in untouched} == {
        pk for pk, row in before.items() if (row.channel, row.day) != ("ztc", NOV2)
    }
    assert AdDay.objects.filter(channel="affiliate", day=NOV2).count() == 1  # another channel: not touched


def test_refused_ad_rows_store_nothing(shop, system):
    bad = bom(
        "日期,计划名字,展现量,点击量,花费,总成交金额\n"
        "2026-11-01,,100,1,1.00,0\n"  # no plan at all
        "2026-11-01,计划,100,1.5,1.00,0\n"
        "2026/11/01,计划B,100,1,¥1.001,0\n"
    )
    report = run(shop, system, ("万相台.csv", WXT), ("bad.csv", bad))
    assert [(e.file, e.line, e.column, e.reason) for e in report.rejected] == [
        ("bad.csv", 2, "计划名字", "Required: the row names no 计划名字."),
        ("bad.csv", 3, "点击量", "1.5 is not a whole number."),
        ("bad.csv", 4, "花费", "¥1.001 is not an amount in yuan with at most two decimals."),
    ]
    assert not AdDay.objects.exists()


def test_a_traffic_report_is_no_ad_report(shop, system):
    report = run(shop, system, ("x.csv", bom("统计日期,访客数,支付金额,支付买家数\n2026-11-01,1,1.00,1\n")))
    assert [(e.file, e.line, e.column) for e in report.rejected] == [("x.csv", 0, "")]
    assert "直通车 / 万相台 (展现量, 点击量, 花费)" in report.rejected[0].reason
