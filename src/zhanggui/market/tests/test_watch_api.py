"""The endpoints of ranks, competitors and the board."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory
from zhanggui.market.models import BoardRow, ItemSnapshot
from zhanggui.market.tests.test_api import M, client_of

pytestmark = pytest.mark.django_db


def test_ranks_import_list_typed_and_alerts(users):
    shop = ShopFactory(code="tm01", channel=Channel.TMALL)
    ProductFactory(shop=shop, code="1001")
    api = client_of(users["operator"])
    text = "日期,关键词,商品ID,排名,设备\n2026-11-01,连衣裙,1001,15,无线\n2026-11-02,连衣裙,1001,,无线\n"
    imported = api.post(f"{M}/ranks/import", {"shop": "tm01", "file": SimpleUploadedFile("r.csv", text.encode())})
    assert imported.status_code == 200 and imported.json()["created"] == 2
    bad = SimpleUploadedFile("bad.csv", "日期,关键词,商品ID,排名\n2026-11-01,连衣裙,1001,x\n".encode())
    refused = api.post(f"{M}/ranks/import", {"shop": "tm01", "file": bad})
    assert refused.status_code == 422 and refused.json()["details"]["rejected"][0]["line"] == 2
    typed = api.post(
        f"{M}/ranks",
        {"shop": "tm01", "day": "2026-11-02", "keyword": "长裙", "item_id": "1001", "device": "pc", "position": 3},
        content_type="application/json",
    )
    assert typed.status_code == 200 and typed.json()["position"] == 3
    listed = api.get(f"{M}/ranks", {"shop": "tm01", "from": "2026-11-01", "to": "2026-11-02"}).json()
    assert [(o["keyword"], o["day"], o["position"]) for o in listed] == [
        ("连衣裙", "2026-11-01", 15), ("连衣裙", "2026-11-02", None), ("长裙", "2026-11-02", 3),
    ]  # fmt: skip
    alerts = api.get(f"{M}/ranks/alerts", {"day": "2026-11-02", "shop": "tm01"}).json()
    assert [(a["kind"], a["previous"], a["current"]) for a in alerts] == [("off_first_page", 15, None)]


def test_competitors_snapshots_and_the_digest(users):
    api = client_of(users["manager"])
    text = (
        "日期,店铺,商品ID,价格,促销,月销量\n"
        "2026-11-01,对手旗舰店,6001,199.00,,100\n"
        "2026-11-02,对手旗舰店,6001,199.00,满199减20,150\n"
    )
    imported = api.post(f"{M}/competitors/snapshots/import", {"file": SimpleUploadedFile("s.csv", text.encode())})
    assert imported.status_code == 200 and imported.json()["added"]["competitor_items"] == 1
    assert ItemSnapshot.objects.count() == 2
    listed = api.get(f"{M}/competitors").json()
    assert listed[0]["name"] == "对手旗舰店" and listed[0]["items"][0]["latest"]["promotion"] == "满199减20"
    digest = api.get(f"{M}/competitors/digest", {"day": "2026-11-02"}).json()
    kinds = [(c["kind"], c["percent"]) for c in digest["items"][0]["changes"]]
    assert kinds == [("new_promotion", None), ("sales_jump", "50.0")]
    assert api.get(f"{M}/competitors/digest").json()["day"] == "2026-11-02"


def test_the_board_import_and_list(users):
    ShopFactory(code="tm01", channel=Channel.TMALL)
    api = client_of(users["operator"])
    text = "统计日期,排名,商品ID,商品名称,交易指数\n2026-11-01,1,9001,碎花连衣裙,500\n2026-11-01,2,9002,长裙,400\n"
    imported = api.post(
        f"{M}/board/import", {"shop": "tm01", "category": "连衣裙", "file": SimpleUploadedFile("b.csv", text.encode())}
    )
    assert imported.status_code == 200 and BoardRow.objects.count() == 2
    board = api.get(f"{M}/board", {"shop": "tm01", "category": "连衣裙", "top": 1}).json()
    assert board["day"] == "2026-11-01" and [(i["rank"], i["item_id"], i["ranks"]) for i in board["items"]] == [
        (1, "9001", [1])
    ]
    denied = client_of(users["service"]).post(
        f"{M}/board/import", {"shop": "tm01", "category": "x", "file": SimpleUploadedFile("b.csv", text.encode())}
    )
    assert denied.status_code == 403
