"""The reviews and themes pages in both languages: filters, 删评, the rate chart, an upload, renaming, a re-run;
and the review endpoints."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhanggui.catalog.models import Channel
from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory
from zhanggui.core.tests.pages import login
from zhanggui.market.models import Grade, Review, Theme

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def reviewed():
    shop = ShopFactory(code="tm01", name="旗舰店", channel=Channel.TMALL)
    dress = ProductFactory(shop=shop, code="1001", title="碎花连衣裙")
    day = date(2026, 11, 3)
    for n, (grade, text, removed) in enumerate(
        [(Grade.GOOD, "很好看", None), (Grade.BAD, "起球严重", None), (Grade.BAD, "色差太大", date(2026, 11, 5))]
    ):
        Review.objects.create(
            shop=shop, item_id="1001", review_id=f"R{n}", product=dress, day=day, grade=grade, text=text,
            rating=5 if grade == Grade.GOOD else 1, first_seen=day, last_seen=day, removed_on=removed,
            imported_at=NOW,
        )  # fmt: skip
    return shop


def test_the_reviews_page_filters_and_lists_removed_reviews(client, users, reviewed):
    login(client, users["service"])
    url = reverse("market:reviews")
    html = client.get(url, {"shop": "tm01"}).content.decode()
    assert 'id="tab-reviews" class="active"' in html and html.count('class="review-row') == 3
    assert html.count('class="removed-row"') == 1 and "色差太大" in html
    bad = client.get(url, {"shop": "tm01", "grade": "bad", "removed": "no"}).content.decode()
    assert bad.count('class="review-row') == 1 and "起球严重" in bad
    assert "Your role does not import reports" in html  # 客服 reads, does not import


def test_the_reviews_page_in_chinese_and_an_upload(client, users, reviewed):
    login(client, users["operator"], language="zh-hans")
    url = reverse("market:reviews")
    assert 'lang="zh-hans"' in client.get(url, {"shop": "tm01"}).content.decode()
    text = "评价时间,商品ID,评价ID,评价内容,评分\n2026-11-04,1001,R9,尺码偏小,2\n"
    done = client.post(
        url,
        {"shop": reviewed.pk, "kind": "reviews", "snapshot_day": "2026-11-06",
         "file": SimpleUploadedFile("v.csv", text.encode())},
    )  # fmt: skip
    assert done.status_code == 200 and Review.objects.filter(review_id="R9").exists()


def test_themes_page_rename_and_run(client, users, reviewed):
    theme = Theme.objects.create(shop=reviewed, top_words=["起球"], sentences=1, run_at=NOW)
    login(client, users["designer"])
    url = reverse("market:themes")
    html = client.get(url, {"shop": "tm01"}).content.decode()
    assert 'id="tab-themes" class="active"' in html and "Unnamed theme" in html
    client.post(reverse("market:theme-rename", args=[theme.pk]), {"name": "起球"})
    assert Theme.objects.get(pk=theme.pk).name == "起球"
    run = client.post(url, {"shop_code": "tm01", "themes": "2"})
    assert run.status_code == 302 and Theme.objects.filter(shop=reviewed, name="起球").exists()
    login(client, users["service"])
    assert client.post(reverse("market:theme-rename", args=[theme.pk]), {"name": "x"}).status_code == 403


def test_the_review_endpoints(client, users, reviewed):
    from zhanggui.core.services import create_api_token

    token = create_api_token(user=users["service"], name="t")[1]
    headers = {"Authorization": f"Bearer {token}"}
    rows = client.get("/api/v1/market/reviews?shop=tm01&grade=bad", headers=headers).json()
    assert sorted(r["review_id"] for r in rows) == ["R1", "R2"]
    removed = client.get("/api/v1/market/reviews/removed?shop=tm01", headers=headers).json()
    assert [(r["review_id"], r["removed_on"]) for r in removed] == [("R2", "2026-11-05")]
