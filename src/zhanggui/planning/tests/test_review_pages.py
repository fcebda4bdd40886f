"""The monthly review page: its figures and sentence, the texts saved (also through htmx), an error that keeps
what was typed, close and reopen, and the roles that may not write or close."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhanggui.core.tests.pages import login
from zhanggui.planning import review
from zhanggui.planning.models import MonthlyReview
from zhanggui.planning.tests.review_fixtures import MONTH, YEAR, build_month

pytestmark = pytest.mark.django_db
URL = reverse("planning:review") + f"?shop=tb01&year={YEAR}&month={MONTH}"
REF = {"shop": "tb01", "year": YEAR, "month": MONTH}


@pytest.fixture
def month(shop):
    return build_month(shop)


def test_the_page_shows_the_figures_in_english_and_chinese(client, month, manager):
    page = login(client, manager).get(URL).content.decode()
    assert 'id="figure-gmv"' in page and "¥390.00" in page and "78.00%" in page
    assert "GMV +¥190.00 against last month: UV +¥40.00, conversion +¥60.00, AOV +¥90.00." in page
    assert "review/xlsx/" in page and "review/pdf/" in page and 'id="review-close"' in page
    zh = login(Client(), manager, language="zh-hans").get(URL).content.decode()
    assert "¥390.00" in zh and "访客数 +¥40.00" in zh and "支付金额" in zh


def test_texts_saved_from_the_page_and_with_htmx(client, shop, operator):
    login(client, operator)
    response = client.post(reverse("planning:review-save"), {**REF, "went_well": "直通车", "problems": "退款"})
    assert response.status_code == 302
    saved = MonthlyReview.objects.get()
    assert (saved.went_well, saved.problems) == ("直通车", "退款")
    fragment = client.post(
        reverse("planning:review-save"),
        {**REF, "went_well": "直通车 ROI 4", "problems": "退款"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert 'id="review-texts"' in body and "直通车 ROI 4" in body and 'id="review-saved"' in body
    assert "<html" not in body


def test_an_error_keeps_what_was_typed(client, shop, manager):
    review.close(actor=manager, shop=shop, year=YEAR, month=MONTH)  # closed in another tab meanwhile
    response = login(client, manager).post(reverse("planning:review-save"), {**REF, "next_budget": "直通车 ¥5,000"})
    assert response.status_code == 422
    assert "直通车 ¥5,000" in response.content.decode() and "reopens it" in response.content.decode()
    assert MonthlyReview.objects.get().next_budget == ""


def test_close_and_reopen_from_the_page(client, month, manager):
    login(client, manager)
    assert client.post(reverse("planning:review-close"), {**REF, "action": "close"}).status_code == 302
    item = MonthlyReview.objects.get()
    assert item.closed_at is not None and review.figure(item.figures, "gmv")["now"] == "390.00"
    page = client.get(URL).content.decode()
    assert 'id="review-reopen"' in page and "review-texts-form" not in page
    client.post(reverse("planning:review-close"), {**REF, "action": "reopen"})
    assert MonthlyReview.objects.get().closed_at is None


def test_roles_that_may_not_write_or_close(client, shop, users):
    login(client, users["service"])
    page = client.get(URL).content.decode()
    assert "review-texts-form" not in page and 'id="review-close"' not in page
    assert client.post(reverse("planning:review-save"), {**REF, "went_well": "x"}).status_code == 403
    login(client, users["operator"])
    assert client.post(reverse("planning:review-close"), {**REF, "action": "close"}).status_code == 403
    assert not MonthlyReview.objects.exists()
