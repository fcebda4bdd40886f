"""The title studio and the keyword library pages, in both languages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhanggui.core.tests.pages import login
from zhanggui.market.models import KeywordDay, TitleChange
from zhanggui.market.tests.factories import dress_shop

pytestmark = pytest.mark.django_db


def test_the_studio_finds_a_product_and_reads_its_title(client, users):
    _shop, product = dress_shop()
    login(client, users["designer"])
    found = client.get(reverse("market:titles"), {"q": "DRESS"})
    assert f'href="?product={product.pk}"' in found.content.decode()
    page = client.get(reverse("market:titles"), {"product": product.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="title-bytes">23 / 60<' in html  # 2026新款 8 + 3 spaces + 夏季连衣裙女 12
    assert 'id="title-wasted">3<' in html
    assert 'id="title-covered">1 / 2<' in html
    assert "Suggested titles" in html and 'id="title-form"' in html


def test_the_studio_saves_a_title(client, users):
    _shop, product = dress_shop()
    login(client, users["copywriter"])
    url = reverse("market:titles") + f"?product={product.pk}"
    response = client.post(url, {"title": "碎花连衣裙 夏季", "reason": "试试"})
    assert response.status_code == 302
    assert TitleChange.objects.get().new_title == "碎花连衣裙 夏季"
    refused = client.post(url, {"title": "第一连衣裙", "reason": ""})
    assert refused.status_code == 422 and "banned words" in refused.content.decode()


def test_a_service_agent_reads_but_cannot_save(client, users):
    _shop, product = dress_shop()
    login(client, users["service"])
    page = client.get(reverse("market:titles"), {"product": product.pk})
    assert page.status_code == 200 and 'id="title-form"' not in page.content.decode()
    url = reverse("market:titles") + f"?product={product.pk}"
    assert client.post(url, {"title": "碎花连衣裙"}).status_code == 403
    assert not TitleChange.objects.exists()


def test_the_pages_in_chinese(client, users):
    _shop, product = dress_shop()
    login(client, users["manager"], language="zh-hans")
    titles = client.get(reverse("market:titles"), {"product": product.pk}).content.decode()
    library = client.get(reverse("market:keywords")).content.decode()
    assert 'lang="zh-hans"' in titles
    assert "碎花连衣裙" in library


def test_the_library_lists_filters_and_imports(client, users):
    shop, _product = dress_shop()
    login(client, users["operator"])
    page = client.get(reverse("market:keywords"), {"shop": "tm01", "q": "碎花"}).content.decode()
    assert page.count('class="keyword-row"') == 1 and '<td class="num potential">100.0</td>' in page
    text = "统计日期,搜索词,搜索人气,点击率,支付转化率,在线商品数\n2026-11-02,长裙,300,2%,1%,30\n"
    file = SimpleUploadedFile("w.csv", text.encode("gbk"))
    response = client.post(reverse("market:keywords"), {"shop": shop.pk, "file": file, "kind": ""})
    assert response.status_code == 200 and 'id="report-created">1<' in response.content.decode()
    assert KeywordDay.objects.filter(keyword__text="长裙").exists()
    bad = SimpleUploadedFile("bad.csv", "统计日期,搜索词,搜索人气\n2026-11-02,长裙,x\n".encode())
    refused = client.post(reverse("market:keywords"), {"shop": shop.pk, "file": bad})
    assert refused.status_code == 422 and 'id="rejected-rows"' in refused.content.decode()
