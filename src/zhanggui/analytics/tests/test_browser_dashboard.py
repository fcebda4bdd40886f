"""The store dashboard in a real headless Chromium: the 店长 opens it from the header, and plotly (served from our
own address) draws the charts (see core/tests/browser.py for the setup)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhanggui.analytics.tests.metrics_fixtures import FIRST, LAST, build_shop
from zhanggui.core.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_the_manager_sees_the_charts_drawn(page, live_server, users):
    build_shop()
    base = live_server.url
    log_in(page, base, "manager")
    page.click("nav [data-nav='analytics']")
    page.wait_for_selector("#kpis")
    page.goto(f"{base}/analytics/dashboard/?shop=tb01&range=custom&first={FIRST}&last={LAST}")
    page.wait_for_selector("#chart-trend.js-plotly-plot .main-svg")
    assert page.locator(".js-plotly-plot .main-svg").count() >= 4  # trend, waterfall, funnel, SKUs, ads …
    assert "500.00" in page.locator("[data-figure='gmv'] b").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "analytics-dashboard.png"), full_page=True)
