"""The checklist in a real headless Chromium: the 店长 opens today's sheet, ticks an item in place (htmx) with a
problem note, and the row is saved with their name and the time (it is still there after a reload)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhanggui.catalog.tests.factories import ShopFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.desk.models import DayCheck, Outcome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))
SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"


def test_the_manager_ticks_an_item_of_todays_checklist(page, live_server, users):
    ShopFactory(code="tm", name="棉语家纺天猫旗舰店")
    base = live_server.url
    log_in(page, base, "manager")
    page.goto(f"{base}/desk/checklist/?shop=tm&lang=en")
    page.locator("#sheet-counts").wait_for()
    row = DayCheck.objects.select_related("item").get(item__title="店铺公告检查")
    page.click(f"#tick-{row.pk}")
    page.locator(f"#tick-form-{row.pk}").wait_for()
    page.locator(f"#tick-form-{row.pk} input[value=problem]").check()
    page.locator(f"#tick-form-{row.pk} input[name=problem_note]").fill("公告还写着双十一")
    page.click(f"#save-{row.pk}")
    page.locator(f"#outcome-{row.pk}").wait_for()
    page.wait_for_function(SETTLED)
    assert page.locator(f"#outcome-{row.pk}").inner_text() == "Problem"
    assert "manager" in page.locator(f"#checker-{row.pk}").inner_text()
    assert "Problem 1" in page.locator("#sheet-counts").inner_text()  # the counts follow the tick
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "desk-checklist-ticked.png"), full_page=True)
    row.refresh_from_db()
    assert (row.outcome, row.problem_note, row.checker.username) == (Outcome.PROBLEM, "公告还写着双十一", "manager")
    page.reload()
    page.locator(f"#outcome-{row.pk}").wait_for()
    assert page.locator(f"#outcome-{row.pk}").inner_text() == "Problem"
    assert "公告还写着双十一" in page.locator(f"#row-{row.pk}").inner_text()
