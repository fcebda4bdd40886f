"""The promotion calendar in a real headless Chromium, at desktop width and at a phone's 390 px: each bar starts
at its first day's column and ends at its last day's, an event looks different from an ordinary promotion, and
on the phone the timeline scrolls sideways while the promotions' names stay in view (see
core/tests/test_browser.py for the setup)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.promotions.offers import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
SLACK = 3  # px: a bar sits 2 px inside its columns so that two bars never touch


def mj(code: str, starts: str, ends: str, name: str = "") -> dict:
    return {"id": code, "kind": "spend_save", "name": name or f"满减{code}", "tiers": [["300", "30"]],
            "starts_at": f"{starts}T00:00:00+08:00", "ends_at": f"{ends}T00:00:00+08:00"}  # fmt: skip


def box(page, selector: str) -> dict:
    found = page.locator(selector)
    assert found.count() == 1, selector
    result = found.bounding_box()
    assert result is not None, selector
    return result


def assert_spans(page, code: str, first: int, last: int) -> None:
    """The bar of `code` starts at day `first`'s column and ends at day `last`'s (November 2026)."""
    bar = box(page, f"#calendar .timeline-bar[data-code='{code}']")
    start = box(page, f"#calendar .timeline-head[data-day='2026-11-{first:02d}']")
    end = box(page, f"#calendar .timeline-head[data-day='2026-11-{last:02d}']")
    assert abs(bar["x"] - start["x"]) <= SLACK, (code, bar, start)
    assert abs((bar["x"] + bar["width"]) - (end["x"] + end["width"])) <= SLACK, (code, bar, end)


def test_the_calendar_draws_one_bar_per_promotion_at_desktop_and_phone_width(page, live_server, users):
    operator = users["operator"]
    tmall = ShopFactory(code="tm", name="天猫旗舰店")
    services.create_promotion(actor=operator, shop=None, raw_spec=mj("d3-10", "2026-11-03", "2026-11-11"))
    services.create_promotion(actor=operator, shop=None, raw_spec=mj("season", "2026-10-20", "2026-12-05"))
    services.create_promotion(actor=operator, shop=tmall, raw_spec=mj("d11", "2026-11-11", "2026-11-12", "双11满减"))
    for i in range(12):  # enough rows that the page has to scroll
        day = 1 + 2 * i
        raw = mj(f"tm{i:02d}", f"2026-11-{day:02d}", f"2026-11-{day + 6:02d}", f"天猫店铺满减第{i}波")
        services.create_promotion(actor=operator, shop=tmall, raw_spec=raw)
    base = live_server.url
    log_in(page, base, "operator")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{base}/promotions/calendar/?month=2026-11&lang=en")
    page.locator("#calendar .timeline-bar").first.wait_for()
    assert page.locator("#calendar .timeline-bar").count() == 15
    assert_spans(page, "d3-10", 3, 10)
    assert_spans(page, "season", 1, 30)  # clipped at both edges of the month
    assert_spans(page, "d11", 11, 11)
    assert_spans(page, "tm11", 23, 28)

    style = "(el) => { const s = getComputedStyle(el); return [s.outlineStyle, s.fontWeight]; }"
    event = page.locator("#calendar .timeline-bar[data-code='d11']").evaluate(style)
    ordinary = page.locator("#calendar .timeline-bar[data-code='tm00']").evaluate(style)
    assert event == ["solid", "700"] and ordinary == ["none", "400"], (event, ordinary)
    # the event is first in its shop: its row is right under the shop's heading
    heading = box(page, f"#calendar .timeline-group[data-shop='{tmall.pk}']")
    assert abs(box(page, "#calendar .timeline-bar[data-code='d11']")["y"] - (heading["y"] + heading["height"])) < 30
    page.screenshot(path=str(SHOTS / "promotion-timeline.png"), full_page=True)

    # A phone: the timeline scrolls sideways, the page itself does not, and the names stay readable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/promotions/calendar/?month=2026-11&lang=zh-hans")
    page.locator("#calendar .timeline-bar").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    scroller = page.locator(".timeline-scroll")
    assert scroller.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert_spans(page, "d3-10", 3, 10)
    assert_spans(page, "d11", 11, 11)
    label = page.locator("#calendar .timeline-label a", has_text="天猫店铺满减第3波")
    before = label.bounding_box()
    assert before is not None and before["x"] >= 0 and before["x"] + before["width"] <= 390
    page.screenshot(path=str(SHOTS / "promotion-timeline-phone.png"), full_page=True)

    scroller.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    after = label.bounding_box()
    assert after is not None and after["x"] == before["x"]  # the name column stays put
    assert_spans(page, "tm11", 23, 28)
    page.screenshot(path=str(SHOTS / "promotion-timeline-phone-scrolled.png"), full_page=True)
