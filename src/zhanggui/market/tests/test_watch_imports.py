"""Importing rank observations, competitor snapshots and the category board: bad rows refused with their line
and nothing stored, the same file twice changes nothing, restated rows updated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.market import watch_imports
from zhanggui.market.imports import SourceRejected
from zhanggui.market.models import BoardRow, CompetitorItem, CompetitorShop, ItemSnapshot, RankObservation
from zhanggui.market.tests.watch_factories import competitor_item
from zhanggui.market.watch_imports import SnapshotRow

pytestmark = pytest.mark.django_db

RANKS = (
    "日期,关键词,商品ID,排名,设备\n"
    "2026-11-01,连衣裙,1001,12,无线\n"
    "2026-11-01,连衣裙,6001,3,无线\n"
    "2026-11-01,连衣裙,1001,100+,PC\n"
    "2026-11-01,碎花 连衣裙,7777,,无线\n"
)


def upload(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return [(path, name)]


@pytest.fixture
def shop():
    return ShopFactory(code="tm01", channel=Channel.TMALL)


def test_a_rank_export_is_stored_and_matched_to_our_product_and_the_competitor(tmp_path, shop, manager):
    dress = ProductFactory(shop=shop, code="1001")
    theirs = competitor_item(item_id="6001")
    report = watch_imports.import_ranks(actor=manager, shop=shop, files=upload(tmp_path, "r.csv", RANKS, "gbk"))
    assert report.ok and (report.rows, report.created, report.added["keywords"]) == (4, 4, 2)
    rows = {(o.item_id, o.device): o for o in RankObservation.objects.all()}
    assert rows[("1001", "mobile")].position == 12 and rows[("1001", "mobile")].product_id == dress.pk
    assert rows[("1001", "pc")].position is None  # 100+: not found in the pages searched
    assert rows[("6001", "mobile")].competitor_item_id == theirs.pk and rows[("6001", "mobile")].product_id is None
    assert rows[("7777", "mobile")].keyword.text == "碎花 连衣裙" and rows[("7777", "mobile")].position is None
    assert AuditEntry.objects.filter(action="market.import_ranks").count() == 1


def test_the_same_rank_file_twice_changes_nothing_and_a_restated_position_is_updated(tmp_path, shop, manager):
    watch_imports.import_ranks(actor=manager, shop=shop, files=upload(tmp_path, "r.csv", RANKS))
    again = watch_imports.import_ranks(actor=manager, shop=shop, files=upload(tmp_path, "r.csv", RANKS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert AuditEntry.objects.filter(action="market.import_ranks").count() == 1
    restated = "日期,关键词,商品ID,排名,设备\n2026-11-01,连衣裙,1001,9,无线\n"
    report = watch_imports.import_ranks(actor=manager, shop=shop, files=upload(tmp_path, "r2.csv", restated))
    assert (report.created, report.updated) == (0, 1)
    assert RankObservation.objects.get(item_id="1001", device="mobile").position == 9


def test_bad_rank_rows_refuse_the_file_with_their_lines(tmp_path, shop, manager):
    text = (
        "日期,关键词,商品ID,排名,设备\n"
        "2026-11-01,连衣裙,1001,12,无线\n"
        "2026-11-01,连衣裙,1002,第十,无线\n"  # line 3: not a position
        "2026-11-01,连衣裙,1003,5,平板\n"  # line 4: no such device
        "2026-11-31,连衣裙,1004,5,PC\n"  # line 5: no such day
        "2026-11-01,连衣裙,1001,13,无线\n"  # line 6: line 2's item again, other position
    )
    with translation.override("en"):
        report = watch_imports.import_ranks(actor=manager, shop=shop, files=upload(tmp_path, "bad.csv", text))
    assert not report.ok and report.rejected_rows == 4
    assert [(e.line, e.column) for e in report.rejected] == [(3, "排名"), (4, "设备"), (5, "日期"), (6, "排名")]
    assert "line 2" in report.rejected[3].reason
    assert not RankObservation.objects.exists()


def test_a_file_without_the_device_takes_the_one_chosen(tmp_path, shop, manager):
    text = "统计日期：2026-11-01\n关键词,商品ID,排名\n连衣裙,1001,4\n"
    watch_imports.import_ranks(actor=manager, shop=shop, files=upload(tmp_path, "r.csv", text), device="pc")
    assert RankObservation.objects.get().device == "pc"


def test_only_those_who_import_may(tmp_path, shop, users):
    with pytest.raises(PermissionDeniedError):
        watch_imports.import_ranks(actor=users["designer"], shop=shop, files=upload(tmp_path, "r.csv", RANKS))


SNAPSHOTS = (
    "日期,店铺,商品ID,商品标题,价格,促销,月销量,评价数,主图\n"
    "2026-11-01,对手旗舰店,6001,碎花连衣裙,¥199.00,,1000+,320,https://img.example/a.jpg\n"
    "2026-11-02,对手旗舰店,6001,碎花连衣裙,179.00,满199减20,1.2万,330,https://img.example/a.jpg\n"
    "2026-11-02,另一家,7001,半身裙,89.00,,80,12,https://img.example/b.jpg\n"
)


def test_snapshots_add_the_shops_and_items_and_read_the_plug_ins_figures(tmp_path, manager):
    report = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "s.csv", SNAPSHOTS), platform="tmall")
    assert report.ok and report.created == 3
    assert report.added == {"competitor_shops": 2, "competitor_items": 2}
    assert set(CompetitorShop.objects.values_list("name", "platform")) == {("对手旗舰店", "tmall"), ("另一家", "tmall")}
    first, second = ItemSnapshot.objects.filter(item__item_id="6001").order_by("day")
    assert (first.price, first.monthly_sales, first.review_count, first.promotion) == (Decimal("199.00"), 1000, 320, "")
    assert (second.price, second.monthly_sales, second.promotion) == (Decimal("179.00"), 12_000, "满199减20")
    assert len(first.main_image_hash) == 64 and first.main_image_hash == second.main_image_hash
    again = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "s.csv", SNAPSHOTS))
    assert (again.created, again.updated, again.unchanged, again.added["competitor_items"]) == (0, 0, 3, 0)
    assert AuditEntry.objects.filter(action="market.import_snapshots").count() == 1


def test_bad_snapshot_rows_refuse_the_file(tmp_path, manager):
    text = (
        "日期,店铺,商品ID,价格,月销量\n"
        "2026-11-01,对手旗舰店,6001,199.00,100\n"
        "2026-11-01,对手旗舰店,6002,abc,100\n"  # line 3
        "2026-11-01,对手旗舰店,6003,99.00,很多\n"  # line 4
        "2026-11-01,,6004,99.00,10\n"  # line 5: no shop
    )
    report = watch_imports.import_snapshots(actor=manager, files=upload(tmp_path, "bad.csv", text))
    assert [(e.line, e.column) for e in report.rejected] == [(3, "价格"), (4, "月销量"), (5, "店铺")]
    assert not ItemSnapshot.objects.exists() and not CompetitorShop.objects.exists()


def test_a_collector_plugs_in_as_a_competitor_source(manager):
    class Collector:
        label = "our-crawler"

        def fetch(self, day):
            return [
                SnapshotRow(shop_name="对手旗舰店", item_id="6001", day=day, price=Decimal("59.90"), monthly_sales=5)
            ]

    report = watch_imports.import_snapshots_from(actor=manager, source=Collector(), day=date(2026, 11, 3))
    assert report.ok and ItemSnapshot.objects.get().price == Decimal("59.90")

    class Broken:
        label = "broken"

        def fetch(self, day):
            from zhanggui.channels.records import RowError

            raise SourceRejected([RowError("broken", 7, "价格", "no price")])

    refused = watch_imports.import_snapshots_from(actor=manager, source=Broken(), day=None)
    assert not refused.ok and refused.rejected[0].line == 7
    assert CompetitorItem.objects.count() == 1


BOARD = (
    "统计日期：2026-11-01\n"
    "排名,商品名称,商品ID,店铺名称,价格,交易指数,流量指数\n"
    '1,碎花连衣裙,9001,甲店,199.00,"12,345",8000\n'
    "2,法式长裙,9002,乙店,299.00,11000,7000\n"
    "3,针织开衫,9003,丙店,159.00,9000,6500\n"
)


def test_a_market_ranking_is_stored_under_its_category_and_a_day_again_replaces_it(tmp_path, shop, manager):
    report = watch_imports.import_board(
        actor=manager, shop=shop, files=upload(tmp_path, "b.csv", BOARD), category="连衣裙"
    )
    assert report.ok and report.created == 3
    top = BoardRow.objects.get(rank=1)
    assert (top.category, top.day, top.item_id, top.trade_index, top.price) == (
        "连衣裙", date(2026, 11, 1), "9001", 12_345, Decimal("199.00"),
    )  # fmt: skip
    same = watch_imports.import_board(
        actor=manager, shop=shop, files=upload(tmp_path, "b.csv", BOARD), category="连衣裙"
    )
    assert (same.created, same.updated, same.unchanged) == (0, 0, 3)
    restated = BOARD.replace("3,针织开衫,9003,丙店", "3,新品长裙,9004,丁店")
    report = watch_imports.import_board(
        actor=manager, shop=shop, files=upload(tmp_path, "b2.csv", restated), category="连衣裙"
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 2)  # 9004 in, 9003 gone
    assert sorted(BoardRow.objects.values_list("item_id", flat=True)) == ["9001", "9002", "9004"]


def test_a_market_ranking_without_category_or_with_a_rank_twice_is_refused(tmp_path, shop, manager):
    missing = watch_imports.import_board(actor=manager, shop=shop, files=upload(tmp_path, "b.csv", BOARD))
    assert [e.line for e in missing.rejected] == [3, 4, 5] and missing.rejected[0].column == "类目"
    twice = BOARD.replace("2,法式长裙", "1,法式长裙")
    report = watch_imports.import_board(
        actor=manager, shop=shop, files=upload(tmp_path, "b.csv", twice), category="连衣裙"
    )
    assert [(e.line, e.column) for e in report.rejected] == [(4, "排名")] and not BoardRow.objects.exists()
