"""The monthly review in a real headless Chromium: the 运营 types a text section, saves (htmx), reloads and sees it
kept; the page fits 1440 px and 390 px without sideways scrolling (screenshots in ZHANGGUI_SCREENSHOTS)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.planning.tests.review_fixtures import MONTH, YEAR, build_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_a_text_section_typed_saved_and_kept_after_a_reload(page, live_server, users):
    build_month(ShopFactory(code="tb01", name="淘宝店"))
    base = live_server.url
    log_in(page, base, "operator")
    url = f"{base}/planning/review/?shop=tb01&year={YEAR}&month={MONTH}"
    page.goto(url)
    assert page.locator("#figure-gmv .now").inner_text() == "¥390.00"
    page.fill("#id_went_well", "直通车投产比 4.00，618 预热顺利")
    page.fill("#id_next_budget", "直通车 ¥5,000")
    page.click("#review-save")
    page.wait_for_selector("#review-saved")
    page.reload()
    assert page.locator("#id_went_well").input_value() == "直通车投产比 4.00，618 预热顺利"
    assert page.locator("#id_next_budget").input_value() == "直通车 ¥5,000"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"planning-review-{width}.png"), full_page=True)
