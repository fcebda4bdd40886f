"""The editor's kind select fills the offer's fields from that kind's starter (its template): in a real headless
Chromium it asks before replacing what the person typed, and says nothing on fields left as they were drawn
(see core/tests/browser.py for the setup)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhanggui.catalog.tests.factories import ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.promotions.tests.test_browser_promotions import open_new

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"
QUESTION = "Replace what you typed with the template?"


@pytest.fixture
def shop():
    shop = ShopFactory(code="tm", name="天猫旗舰店")
    SkuFactory(product=ProductFactory(shop=shop, code="P-TW", title="纯棉毛巾"), code="TW-1", price=Decimal("199.00"))
    return shop


def kind_shown(page) -> str:
    return page.locator("#kind-fields").get_attribute("data-kind")


def test_switching_the_kind_asks_before_replacing_typed_offer_fields(page, live_server, users, shop):
    asked: list[str] = []
    answer = {"accept": False}

    def on_dialog(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", on_dialog)
    log_in(page, live_server.url, "operator")
    open_new(page, live_server.url, shop)
    page.wait_for_function(SETTLED)

    # an untouched form: the starter's fields are replaced without a question
    page.fill("#id_name", "店庆")  # the name stays whatever the kind: not a reason to ask
    page.select_option("#id_kind", "discount")
    page.locator("#kind-fields[data-kind=discount]").wait_for()
    page.wait_for_function(SETTLED)
    assert asked == []

    # a rate typed into the offer: asked; "Cancel" keeps the kind, its fields and what was typed
    page.fill("#id_rate", "7.5")
    page.select_option("#id_kind", "spend_save")
    page.wait_for_timeout(600)
    assert asked == [QUESTION]
    assert kind_shown(page) == "discount"
    assert page.locator("#id_kind").input_value() == "discount"
    assert page.locator("#id_rate").input_value() == "7.5"

    # asked again; "OK" replaces the fields with the 满减 starter
    answer["accept"] = True
    page.select_option("#id_kind", "spend_save")
    page.locator("#kind-fields[data-kind=spend_save]").wait_for()
    page.wait_for_function(SETTLED)
    assert asked == [QUESTION, QUESTION]
    assert page.locator("#id_name").input_value() == "店庆"

    # the starter's fields as drawn are untouched again: no question
    page.select_option("#id_kind", "coupon")
    page.locator("#kind-fields[data-kind=coupon]").wait_for()
    assert asked == [QUESTION, QUESTION]
