"""The market's endpoints: the library and its import, a title's reading and suggestions, saving a title."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhanggui.core.services import create_api_token
from zhanggui.market.models import KeywordDay, TitleChange
from zhanggui.market.tests.factories import dress_shop

pytestmark = pytest.mark.django_db
M = "/api/v1/market"


def client_of(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def test_the_library_and_its_import(users):
    dress_shop()
    api = client_of(users["operator"])
    listed = api.get(f"{M}/keywords", {"shop": "tm01"}).json()
    assert [(k["keyword"], k["score"]) for k in listed["keywords"]] == [("碎花连衣裙", "100.0"), ("连衣裙", "15.6")]
    text = "统计日期,搜索词,搜索人气,点击率,支付转化率,在线商品数,类目\n2026-11-01,连衣裙,10000,5%,2%,200,女装\n"
    same = api.post(f"{M}/keywords/import", {"shop": "tm01", "file": SimpleUploadedFile("k.csv", text.encode())})
    assert same.status_code == 200 and same.json()["days_unchanged"] == 1
    bad = SimpleUploadedFile("bad.csv", "统计日期,搜索词,搜索人气\n2026-11-01,长裙,-3\n".encode())
    refused = api.post(f"{M}/keywords/import", {"shop": "tm01", "file": bad})
    assert refused.status_code == 422
    assert refused.json()["details"]["rejected"][0]["line"] == 2
    assert KeywordDay.objects.count() == 2


def test_reading_suggesting_and_saving_a_title(users):
    _shop, product = dress_shop()
    api = client_of(users["designer"])
    reading = api.get(f"{M}/titles/{product.pk}").json()
    assert (reading["bytes"], reading["limit"], reading["wasted_bytes"]) == (23, 60, 3)
    suggestions = api.get(f"{M}/titles/{product.pk}/suggestions", {"required": ["女"]}).json()
    best = suggestions["suggestions"][0]
    assert "女" in best["title"] and "碎花" in best["added"] and best["bytes"] <= 60
    too_long = api.get(f"{M}/titles/{product.pk}/suggestions", {"required": ["连衣裙" * 11]})
    assert too_long.status_code == 422 and too_long.json()["code"] == "no_feasible_title"
    saved = api.post(f"{M}/titles/{product.pk}", {"title": best["title"]}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["changed_by"] == "designer"
    history = api.get(f"{M}/titles/{product.pk}/history").json()
    assert [h["new_title"] for h in history] == [best["title"]]
    assert TitleChange.objects.count() == 1
