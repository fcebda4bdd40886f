"""A copywriter (文案) in a real Chromium: finds a product in the title studio, sees its suggestions, takes the
best one, saves it and sees the change in the history with the item's visitors before it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhanggui.analytics.models import ItemDayTraffic
from zhanggui.core.tests.browser import log_in
from zhanggui.market.models import TitleChange
from zhanggui.market.tests.factories import dress_shop

pytestmark = pytest.mark.browser


def test_copywriter_takes_a_suggestion_and_sees_the_history(page, live_server, users):
    shop, product = dress_shop()
    ItemDayTraffic.objects.create(
        shop=shop,
        product=product,
        day=timezone.localdate() - timedelta(days=2),
        item_id="601",
        visitors=120,
        paying_buyers=6,
        report="sycm_items",
    )
    base = live_server.url
    log_in(page, base, "copywriter")
    page.goto(f"{base}/market/titles/")
    page.fill("#product-q", "DRESS")
    page.click("#product-search-submit")
    page.click("#found-products a[data-code='DRESS']")
    page.wait_for_selector("#title-reading")
    assert page.locator("#title-bytes").inner_text() == "23 / 60"

    best = page.locator("#suggestion-table tr.suggestion").first
    suggested = best.locator("button.use-suggestion").get_attribute("data-title")
    assert "碎花" in suggested
    best.locator("button.use-suggestion").click()
    assert page.input_value("#title-form input[name=title]") == suggested
    page.fill("#title-form input[name=reason]", "加碎花")
    page.click("#title-save")
    page.wait_for_selector("#history-table tr.history-row")

    row = page.locator("#history-table tr.history-row").first
    assert suggested in row.inner_text() and "加碎花" in row.inner_text()
    assert "120" in row.inner_text() and "5.00 %" in row.inner_text()  # 6 ÷ 120 in the 7 days before
    assert page.locator("#current-title").inner_text() == suggested
    assert TitleChange.objects.get().new_title == suggested
