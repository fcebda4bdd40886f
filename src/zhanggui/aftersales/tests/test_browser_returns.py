"""A return in a real headless Chromium (see core/tests/browser.py for the setup): 客服 opens a return-and-refund
case on a shipped order, agrees and records the buyer's return tracking number; 仓管, logged in on a browser of
their own, scans that number on the returns page and grades one T-shirt resellable and one defective; 客服 then
refunds the line and the case shows refunded. The stock: one unit back to sale where the order shipped from, one
in the 次品仓."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from zhanggui.aftersales.models import AfterSaleCase, CaseStatus
from zhanggui.aftersales.tests.returns_desk import build_desk, on_hand
from zhanggui.core.tests.browser import log_in
from zhanggui.inventory import selectors as stock_selectors
from zhanggui.inventory import services as stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_service_and_warehouse_take_a_return_back_and_refund_it(page, live_server, users, system):
    desk = build_desk(system)
    tee, tee_line, cap_line = desk["tee"], desk["tee_line"], desk["cap_line"]
    available_before = stock_selectors.available_by_sku([tee.pk])[tee.pk]
    east_before = on_hand(tee, desk["east"])
    base = live_server.url

    # 客服: open the case on the shipped order, agree, record the buyer's return parcel.
    log_in(page, base, "service")
    page.goto(f"{base}/aftersales/open/{desk['order'].pk}/")
    page.select_option("select[name=kind]", "return_refund")
    page.select_option("select[name=reason]", "quality")
    page.fill(f"input[name=qty_{tee_line.pk}]", "2")
    page.fill(f"input[name=qty_{cap_line.pk}]", "")
    page.click("#open-button")
    page.wait_for_selector("#case-status")
    case = AfterSaleCase.objects.get(order=desk["order"])
    assert page.url.endswith(f"/aftersales/{case.pk}/")
    page.click("#agree-step summary")
    page.click("#agree-button")
    page.wait_for_selector("#return-sent-form")
    page.fill("input[name=return-carrier]", "顺丰")
    page.fill("input[name=return-tracking_no]", "SF9001")
    page.click("#return-sent-button")
    page.wait_for_selector("#return-tracking code")
    assert page.locator("#return-tracking").inner_text() == "SF9001"

    # 仓管, in a browser context of their own: scan, grade, receive.
    warehouse_context = page.context.browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    try:
        scan = warehouse_context.new_page()
        log_in(scan, base, "warehouse")
        scan.goto(f"{base}/aftersales/returns/")
        assert scan.evaluate("document.activeElement.name") == "q"  # the scan box has the focus
        scan.keyboard.type("SF9001")
        scan.keyboard.press("Enter")
        block = scan.locator(f"#return-case-{case.pk}")
        block.wait_for()
        line = case.lines.get(order_line=tee_line)
        row = block.locator("tr[data-sku='TEE-M']")
        assert row.locator("[data-expected]").inner_text() == "2"
        block.locator(f"input[name=case-{case.pk}-resellable_{line.pk}]").fill("1")
        block.locator(f"input[name=case-{case.pk}-defective_{line.pk}]").fill("1")
        block.locator(".receive-button").click()
        scan.wait_for_selector("#flash .success")
        assert scan.locator(f"#return-case-{case.pk} [data-all-received]").count() == 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        scan.screenshot(path=str(SHOTS / "returns-receiving.png"), full_page=True)
    finally:
        warehouse_context.close()

    assert stock_selectors.available_by_sku([tee.pk])[tee.pk] == available_before + 1
    assert on_hand(tee, desk["east"]) == east_before + 1  # back where the order shipped from
    assert on_hand(tee, stock.defective_warehouse()) == 1
    assert stock.check_ledger() == []

    # 客服: refund the line on the case page; the case shows refunded, its timeline the parcel's way.
    page.goto(f"{base}/aftersales/{case.pk}/")
    receipts = page.locator("#return-receipts").inner_text()
    assert "TEE-M" in receipts
    page.fill(f"input[name=refund-amount_{tee_line.pk}]", "198.00")
    page.click("#refund-button")
    page.wait_for_selector(".cs-refunded")
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUNDED
    timeline = page.locator("#case-events").inner_text()
    with translation.override("zh-hans"):  # the desk's language: the browser asks for zh-CN
        sent = gettext("return sent: %(carrier)s %(tracking)s") % {"carrier": "顺丰", "tracking": "SF9001"}
        received = gettext("return received: %(good)s resellable, %(bad)s defective") % {"good": 1, "bad": 1}
    reasons = [event.reason for event in case.events.order_by("at", "id")]
    assert reasons[2:4] == [sent, received]
    assert case.events.order_by("at", "id")[3].actor == users["warehouse"]
    assert sent in timeline and received in timeline
    page.screenshot(path=str(SHOTS / "returns-case-refunded.png"), full_page=True)
