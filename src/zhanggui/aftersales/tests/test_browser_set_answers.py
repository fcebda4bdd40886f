"""The case page's Copy button in a real headless Chromium (core/tests/browser.py): 客服 copies a set answer
filled in for the case and the clipboard holds exactly the text shown, variables replaced; then, on a page where
the asynchronous clipboard is missing, the older execCommand fallback still copies it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from zhanggui.aftersales import services
from zhanggui.aftersales.answers import services as answers
from zhanggui.aftersales.models import SetAnswer
from zhanggui.aftersales.tests.conftest import lines_of, two_line_order
from zhanggui.core.tests.browser import log_in
from zhanggui.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_service_copies_a_set_answer_filled_in_for_the_case(page, live_server, users, shop):
    order = two_line_order(shop, "T7001")
    Order.objects.filter(pk=order.pk).update(buyer_nick="tb_bob")
    tee, _cap = lines_of(order)
    case = services.open_case(
        actor=users["service"], order=order, kind="return_refund", reason="size", lines=[(tee.pk, 1)]
    )
    SetAnswer.objects.all().delete()  # a transactional test starts without the seeded rows anyway
    made = answers.save_answer(
        actor=User.objects.get(username="manager"), reason="size", title="尺码", text="亲 {buyer}，{sku} 可以换码哦"
    )
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    log_in(page, base, "service")
    page.goto(f"{base}/aftersales/{case.pk}/")
    area = page.locator(f"#set-answer-text-{made.pk}")
    assert area.input_value() == "亲 tb_bob，TEE-M 可以换码哦"
    button = page.locator(f"#set-answer-{made.pk} .copy-answer")
    copied = button.get_attribute("data-copied")
    button.click()
    page.wait_for_function("([el, text]) => el.textContent === text", arg=[button.element_handle(), copied])
    assert page.evaluate("navigator.clipboard.readText()") == "亲 tb_bob，TEE-M 可以换码哦"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "aftersales-set-answers.png"), full_page=True)

    # Without the asynchronous clipboard (an http address other than localhost), execCommand copies it.
    label = button.get_attribute("data-label")
    page.wait_for_function("([el, text]) => el.textContent === text", arg=[button.element_handle(), label])
    page.evaluate("navigator.clipboard.writeText('')")
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true})")
    button.click()
    page.wait_for_function("([el, text]) => el.textContent === text", arg=[button.element_handle(), copied])
    page.evaluate("delete navigator.clipboard")  # the real one again, to read what was copied
    assert page.evaluate("navigator.clipboard.readText()") == "亲 tb_bob，TEE-M 可以换码哦"
