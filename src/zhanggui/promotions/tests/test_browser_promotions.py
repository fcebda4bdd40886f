"""The promotion editor in a real headless Chromium: an operator writes a 满300减30 draft, watches the live
preview of the sample cart change as they type, sets its window in the two date-time fields and saves it (see
core/tests/test_browser.py for the setup)."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhanggui.core.tests.browser import log_in
from zhanggui.promotions.models import Promotion, PromotionState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_operator_writes_a_spend_save_draft_with_a_live_preview(page, live_server, users):
    base = live_server.url
    log_in(page, base, "operator")

    # The editor starts from a 满减 spec (满300减30) and the fixed sample cart (¥317): the preview loads by itself.
    page.goto(f"{base}/promotions/new/?kind=spend_save&lang=zh-hans")
    payable = page.locator("#payable-with")
    payable.wait_for()
    assert payable.inner_text() == "¥287.00"
    assert page.locator("#payable-without").inner_text() == "¥317.00"

    # Change the tier to 满300减50 by typing: the preview follows after a short pause.
    spec = json.loads(page.locator("#id_spec").input_value())
    spec.update({"id": "d11-mj300", "name": "双11满300减30", "tiers": [["300", "50"]]})
    page.locator("#id_spec").fill(json.dumps(spec, ensure_ascii=False, indent=2))
    page.locator("#id_spec").press("End")  # a keyup, as a person typing
    page.wait_for_function("document.querySelector('#payable-with').innerText === '¥267.00'")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "promotion-editor.png"), full_page=True)

    # Back to 满300减30; the window is in its own fields (Beijing time), not in the JSON; save the draft.
    spec["tiers"] = [["300", "30"]]
    assert "starts_at" not in spec and page.locator("#id_starts_at").input_value()  # prefilled: tomorrow 00:00
    page.locator("#id_spec").fill(json.dumps(spec, ensure_ascii=False, indent=2))
    page.locator("#id_spec").press("End")
    page.wait_for_function("document.querySelector('#payable-with').innerText === '¥287.00'")
    page.locator("#id_starts_at").fill("2026-12-12T20:00")
    page.locator("#id_ends_at").fill("2026-12-13T02:00")
    page.click("#save-promotion")
    page.wait_for_url(re.compile(r"/promotions/\d+/#editor$"))
    promotion = Promotion.objects.get()
    assert (promotion.code, promotion.state, promotion.spec["tiers"]) == (
        "d11-mj300",
        PromotionState.DRAFT,
        [["300", "30"]],
    )
    beijing = ZoneInfo("Asia/Shanghai")
    assert (promotion.starts_at, promotion.ends_at) == (
        datetime(2026, 12, 12, 20, 0, tzinfo=beijing),
        datetime(2026, 12, 13, 2, 0, tzinfo=beijing),
    )
    assert page.locator("#id_starts_at").input_value() == "2026-12-12T20:00"
    assert page.locator("#promotion-status").inner_text() == "草稿"
    page.locator("#payable-with").wait_for()
    page.screenshot(path=str(SHOTS / "promotion-saved.png"), full_page=True)

    page.goto(f"{base}/promotions/calendar/?month={timezone.localtime(promotion.starts_at):%Y-%m}")
    page.locator(f"#calendar a[href='/promotions/{promotion.pk}/']").first.wait_for()
    page.screenshot(path=str(SHOTS / "promotion-calendar.png"), full_page=True)
