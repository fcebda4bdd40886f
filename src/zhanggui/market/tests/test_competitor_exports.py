"""The platforms' 竞品 exports (生意参谋 竞争 → 竞品分析, 京东商智 竞品) as competitor snapshots: told by their
header row, indices read (an empty index is unknown), GBK and XLSX, all or nothing with the refused lines, the
same file twice changes nothing, a plug-in's file and an export of the same day fill one snapshot, and the trade
index jump (docs/market.md "Competitor watch")."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from zhanggui.core.models import AuditEntry
from zhanggui.core.tests.browser import log_in
from zhanggui.core.tests.pages import login
from zhanggui.market import competitors, watch_imports
from zhanggui.market.competitors import INDEX_JUMPED, NEW_IMAGE, PRICE_CUT, Snap
from zhanggui.market.models import CompetitorItem, CompetitorShop, ItemSnapshot
from zhanggui.market.tests.test_api import M, client_of

pytestmark = pytest.mark.django_db

SYCM = (
    "统计日期,商品名称,商品ID,店铺名称,流量指数,搜索人气,收藏人气,加购人气,支付转化指数,交易指数,商品价格\n"
    '2026-11-01,碎花连衣裙,6001,对手旗舰店,"8,120",5230,1204,2310,356,"8,000",199.00\n'
    '2026-11-02,碎花连衣裙,6001,对手旗舰店,9050,5800,1300,2500,402,"10,400",￥179.00\n'
    "2026-11-02,法式长裙,6002,对手旗舰店,1.2万,-,,800,120,9000,299\n"
)
JD = (
    "日期,商品名称,SKU,店铺名称,成交金额指数,访客指数,价格\n"
    '2026-11-02,纯棉四件套,100012345678,京东对手自营店,"23,456",8800,¥259.00\n'
)
PLUGIN = "日期,店铺,商品ID,价格,促销,月销量\n2026-11-02,对手旗舰店,6001,179.00,满199减20,1200\n"


def upload(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return [(path, name)]


def snap(item_id: str, day: int) -> ItemSnapshot:
    return ItemSnapshot.objects.get(item__item_id=item_id, day=date(2026, 11, day))


def test_a_sycm_competitor_export_in_gbk_gives_snapshots_with_indices(tmp_path, manager):
    files = upload(tmp_path, "竞品分析.csv", SYCM, "gbk")
    report = watch_imports.import_snapshots(actor=manager, files=files, platform="tmall")
    assert report.ok and (report.rows, report.created) == (3, 3)
    assert report.added == {"competitor_shops": 1, "competitor_items": 2}
    assert CompetitorShop.objects.get().platform == "tmall"
    assert CompetitorItem.objects.get(item_id="6001").title == "碎花连衣裙"
    first, second, other = snap("6001", 1), snap("6001", 2), snap("6002", 2)
    assert (first.trade_index, first.traffic_index, first.search_popularity) == (8000, 8120, 5230)
    assert (first.favourite_popularity, first.cart_popularity, first.conversion_index) == (1204, 2310, 356)
    assert (first.price, second.price, second.trade_index) == (Decimal("199.00"), Decimal("179.00"), 10_400)
    # 1.2万 is 12,000; "-" and an empty cell are unknown, not 0; an export has no sales, promotion or image.
    assert (other.traffic_index, other.search_popularity, other.favourite_popularity) == (12_000, None, None)
    assert (other.price, other.monthly_sales, other.promotion, other.main_image_hash) == (
        Decimal("299.00"),
        None,
        "",
        "",
    )


def test_a_jd_competitor_export_adds_its_shops_on_jd(tmp_path, manager):
    report = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "jd.csv", JD), platform="tmall")
    assert report.ok and report.created == 1
    assert CompetitorShop.objects.get().platform == "jd"
    row = snap("100012345678", 2)
    assert (row.trade_index, row.traffic_index, row.price, row.conversion_index) == (
        23_456,
        8800,
        Decimal("259.00"),
        None,
    )


def test_a_sycm_export_as_xlsx_with_the_day_in_its_title_row(tmp_path, manager):
    book = Workbook()
    sheet = book.active
    sheet.append(["生意参谋 竞品分析 统计日期：2026-11-03~2026-11-03"])
    sheet.append(["商品名称", "商品ID", "店铺名称", "交易指数", "流量指数", "一口价"])
    sheet.append(["针织开衫", "6003", "另一家", 12345, 6400, 159.9])
    path = tmp_path / "竞品.xlsx"
    book.save(path)
    report = watch_imports.import_snapshots(actor=manager, files=[(path, "竞品.xlsx")])
    assert report.ok and report.created == 1
    row = snap("6003", 3)
    assert (row.trade_index, row.traffic_index, row.price) == (12_345, 6400, Decimal("159.90"))
    assert row.item.competitor.platform == "taobao"  # the default of the upload


def test_the_same_export_twice_changes_nothing(tmp_path, manager):
    watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "s.csv", SYCM))
    again = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "s.csv", SYCM))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.filter(action="market.import_snapshots").count() == 1


def test_a_plug_in_file_and_an_export_of_the_same_day_fill_one_snapshot(tmp_path, manager):
    plugin = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "p.csv", PLUGIN))
    assert plugin.created == 1
    export = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "s.csv", SYCM))
    assert (export.created, export.updated, export.unchanged) == (2, 1, 0)
    row = snap("6001", 2)
    assert (row.promotion, row.monthly_sales, row.trade_index) == ("满199减20", 1200, 10_400)
    # The plug-in's file again does not wipe the indices: nothing to change.
    again = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "p.csv", PLUGIN))
    assert (again.updated, again.unchanged) == (0, 1) and snap("6001", 2).trade_index == 10_400


def test_bad_rows_of_an_export_refuse_the_file_with_their_lines(tmp_path, manager):
    text = (
        "统计日期,商品名称,商品ID,店铺名称,交易指数,商品价格\n"
        "2026-11-01,碎花连衣裙,6001,对手旗舰店,8000,199.00\n"
        "2026-11-01,法式长裙,6002,对手旗舰店,很多,299.00\n"  # line 3: no number
        "2026-11-01,针织开衫,6003,,5000,99.00\n"  # line 4: no shop
        "2026-11-01,半身裙,6004,对手旗舰店,-5,99.00\n"  # line 5: negative
        "2026-11-01,背心,6005,对手旗舰店,100,abc\n"  # line 6: no price
    )
    with translation.override("en"):
        report = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "bad.csv", text))
    assert [(e.line, e.column) for e in report.rejected] == [
        (3, "交易指数"),
        (4, "店铺名称"),
        (5, "交易指数"),
        (6, "商品价格"),
    ]
    assert report.rejected_rows == 4 and "negative" in report.rejected[2].reason
    assert not ItemSnapshot.objects.exists() and not CompetitorShop.objects.exists()


def test_a_file_of_no_competitor_kind_names_the_kinds_read(tmp_path, manager):
    with translation.override("en"):
        report = watch_imports.import_snapshots(
            actor=manager, files=upload(tmp_path, "x.csv", "日期,商品ID,交易指数\n2026-11-01,6001,8000\n")
        )
    assert not report.ok and report.rejected[0].line == 0
    assert "生意参谋 competitor analysis" in report.rejected[0].reason
    assert "京东商智 competitor analysis" in report.rejected[0].reason


def test_the_trade_index_jump_worked_examples():
    jump = competitors.index_jump(Snap(trade_index=8000), Snap(trade_index=10_400))
    assert jump is not None and (jump.kind, jump.before, jump.after, jump.percent) == (
        INDEX_JUMPED,
        "8000",
        "10400",
        Decimal("30.0"),  # 2,400 ÷ 8,000 = 0.30: the limit counts
    )
    assert competitors.index_jump(Snap(trade_index=8000), Snap(trade_index=10_399)) is None  # 29.99 %
    # 7,655 ÷ 12,345 = 0.62008…: 62.0 %
    assert competitors.index_jump(Snap(trade_index=12_345), Snap(trade_index=20_000)).percent == Decimal("62.0")
    assert competitors.index_jump(Snap(trade_index=0), Snap(trade_index=500)) is None
    assert competitors.index_jump(Snap(trade_index=None), Snap(trade_index=500)) is None
    assert competitors.index_jump(Snap(trade_index=8000), Snap(trade_index=None)) is None
    assert competitors.index_jump(Snap(trade_index=8000), Snap(trade_index=4000)) is None
    both = competitors.changes(
        Snap(price=Decimal("199.00"), main_image_hash="a1", trade_index=8000),
        Snap(price=Decimal("179.00"), main_image_hash="b2", trade_index=10_400),
    )
    assert [c.kind for c in both] == [PRICE_CUT, NEW_IMAGE, INDEX_JUMPED]


def test_the_digest_and_the_page_show_the_index_jump_and_the_indices(tmp_path, manager, client, users):
    watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "s.csv", SYCM))
    found = competitors.digest(date(2026, 11, 2))
    assert [(i.item_id, [(c.kind, c.percent) for c in i.changes]) for i in found.items] == [
        ("6001", [(PRICE_CUT, Decimal("10.1")), (INDEX_JUMPED, Decimal("30.0"))])
    ]
    login(client, users["operator"])
    html = client.get(reverse("market:competitors")).content.decode()
    assert 'data-kind="trade_index_jump"' in html and "(30.0%)" in html
    assert html.count('class="index-figure"') == 10  # 6001: all six; 6002: four (search, favourite unknown)
    assert "Trade index <b>10400</b>" in html and "Traffic index <b>12000</b>" in html


def test_the_api_lists_the_indices(tmp_path, users):
    api = client_of(users["operator"])
    imported = api.post(f"{M}/competitors/snapshots/import", {"file": SimpleUploadedFile("jd.csv", JD.encode())})
    assert imported.status_code == 200 and imported.json()["created"] == 1
    latest = api.get(f"{M}/competitors").json()[0]["items"][0]["latest"]
    assert (latest["trade_index"], latest["traffic_index"], latest["search_popularity"]) == (23_456, 8800, None)


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 390])
def test_the_competitors_page_with_indices_fits_the_screen(page, live_server, tmp_path, manager, width):
    watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "s.csv", SYCM), platform="tmall")
    watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "p.csv", PLUGIN))
    watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "jd.csv", JD))
    shots = Path(os.environ.get("ZG_SHOTS", "/tmp/zg/shots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "manager")
    page.goto(live_server.url + "/market/competitors/")
    page.wait_for_selector("#competitor-table td.indices .index-figure")
    page.screenshot(path=str(shots / f"market-competitor-indices-{width}.png"), full_page=True)
    assert page.locator("#competitor-table .index-figure").count() == 12  # 6 + 4 + JD's 2
    assert page.locator('#digest-table tr[data-kind="trade_index_jump"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
