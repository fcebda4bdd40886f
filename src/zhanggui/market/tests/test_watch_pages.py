"""The ranks, competitors and board pages, in both languages: what they show, their forms and uploads."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory
from zhanggui.core.tests.pages import login
from zhanggui.market.models import BoardRow, CompetitorItem, CompetitorShop, MarketSettings, RankObservation
from zhanggui.market.tests.watch_factories import D1, D2, competitor_item, observe, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracked():
    shop = ShopFactory(code="tm01", name="旗舰店", channel=Channel.TMALL)
    dress = ProductFactory(shop=shop, code="1001", title="碎花连衣裙")
    theirs = competitor_item(item_id="6001")
    observe(shop, "连衣裙", "1001", D1, 15, product=dress)
    observe(shop, "连衣裙", "1001", D2, 25, product=dress)
    observe(shop, "连衣裙", "6001", D1, 4, competitor=theirs)
    observe(shop, "连衣裙", "6001", D2, 2, competitor=theirs)
    return shop, dress, theirs


def test_the_ranks_page_shows_the_alerts_the_charts_and_both_items(client, users, tracked):
    login(client, users["operator"])
    html = client.get(reverse("market:ranks"), {"shop": "tm01"}).content.decode()
    assert 'id="tab-ranks" class="active"' in html
    assert html.count('class="alert-row"') == 1 and 'data-kind="off_first_page"' in html
    assert "Off the first page" in html and "plotly.min.js" in html  # our own copy of plotly.js
    assert 'id="rank-chart-0"' in html and html.count('class="rank-row"') == 2
    assert "cdn" not in html.lower()


def test_the_ranks_page_in_chinese(client, users, tracked):
    login(client, users["manager"], language="zh-hans")
    html = client.get(reverse("market:ranks"), {"shop": "tm01"}).content.decode()
    assert 'lang="zh-hans"' in html and "碎花连衣裙" in html


def test_a_position_typed_the_setting_and_an_upload(client, users, tracked):
    login(client, users["operator"])
    url = reverse("market:ranks")
    typed = client.post(
        url,
        {"action": "observe", "shop": tracked[0].pk, "day": "2026-11-03", "keyword": "长裙", "item_id": "1001",
         "device": "pc", "position": "7"},
    )  # fmt: skip
    assert typed.status_code == 302 and RankObservation.objects.get(keyword__text="长裙").position == 7
    setting = client.post(url, {"action": "setting", "shop_code": "tm01", "places": "5"})
    assert setting.status_code == 302 and MarketSettings.objects.get(shop=tracked[0]).rank_drop_alert == 5
    text = "日期,关键词,商品ID,排名,设备\n2026-11-03,连衣裙,1001,abc,无线\n"
    refused = client.post(url, {"action": "import", "shop": tracked[0].pk, "device": "mobile",
                                "file": SimpleUploadedFile("r.csv", text.encode())})  # fmt: skip
    assert refused.status_code == 422 and 'id="rejected-rows"' in refused.content.decode()


def test_a_designer_reads_the_ranks_but_cannot_add(client, users, tracked):
    login(client, users["designer"])
    html = client.get(reverse("market:ranks")).content.decode()
    assert 'id="rank-typed-form"' not in html
    response = client.post(reverse("market:ranks"), {"action": "setting", "shop_code": "tm01", "places": "5"})
    assert response.status_code == 403 and not MarketSettings.objects.exists()


def test_the_competitors_page_adds_shops_and_items_and_shows_the_changes(client, users):
    login(client, users["operator"])
    url = reverse("market:competitors")
    assert client.post(url, {"action": "shop", "name": "对手旗舰店", "platform": "tmall"}).status_code == 302
    again = client.post(url, {"action": "shop", "name": "对手旗舰店", "platform": "tmall"})
    assert again.status_code == 422 and "already watched" in again.content.decode()
    shop = CompetitorShop.objects.get()
    added = client.post(url, {"action": "item", "competitor": shop.pk, "item_id": "6001", "title": "碎花连衣裙"})
    assert added.status_code == 302
    item = CompetitorItem.objects.get()
    snapshot(item, D1, "199.00")
    snapshot(item, D2, "179.00", image="b2")
    html = client.get(url).content.decode()
    assert html.count('class="change-row"') == 2 and 'data-kind="price_cut"' in html and "(10.1%)" in html
    assert 'data-kind="new_image"' in html and "¥179.00" in html
    empty = client.get(url, {"day": "2026-11-01"}).content.decode()
    assert 'class="change-row"' not in empty


def test_the_competitors_page_in_chinese(client, users):
    item = competitor_item()
    snapshot(item, D1, "199.00")
    snapshot(item, D2, "179.00")
    login(client, users["manager"], language="zh-hans")
    html = client.get(reverse("market:competitors")).content.decode()
    assert 'lang="zh-hans"' in html and "对手旗舰店" in html and 'data-kind="price_cut"' in html


def _board(shop):
    for day, order in ((date(2026, 11, 1), ["9001", "9002", "9003"]), (date(2026, 11, 2), ["9002", "9001", "9004"])):
        for rank, item_id in enumerate(order, start=1):
            BoardRow.objects.create(
                shop=shop, category="连衣裙", day=day, rank=rank, item_id=item_id, title=f"裙{item_id}"
            )


def test_the_board_shows_the_top_n_with_their_change_and_a_chart(client, users):
    shop = ShopFactory(code="tm01", channel=Channel.TMALL)
    _board(shop)
    login(client, users["service"])
    html = client.get(reverse("market:board"), {"shop": "tm01", "top": "2"}).content.decode()
    assert html.count('class="board-row"') == 2 and "▲1" in html and "▼1" in html
    assert 'id="board-chart"' in html and 'id="board-import-form"' not in html
    earlier = client.get(reverse("market:board"), {"shop": "tm01", "day": "2026-11-01"}).content.decode()
    assert earlier.count('class="board-row"') == 3 and "new" in earlier


def test_the_board_in_chinese_and_its_upload(client, users):
    shop = ShopFactory(code="tm01", channel=Channel.TMALL)
    login(client, users["manager"], language="zh-hans")
    text = "统计日期,排名,商品ID,商品名称\n2026-11-01,1,9001,碎花连衣裙\n"
    response = client.post(
        reverse("market:board"),
        {"shop": shop.pk, "category": "连衣裙", "file": SimpleUploadedFile("b.csv", text.encode())},
    )
    assert response.status_code == 200 and 'lang="zh-hans"' in response.content.decode()
    assert BoardRow.objects.get().title == "碎花连衣裙"
