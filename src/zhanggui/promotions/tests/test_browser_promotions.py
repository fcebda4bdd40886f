"""The promotion editor in a real headless Chromium: an operator writes a 满300减30 draft, watches the live
preview of the sample cart change as they type, sets its window in the two date-time fields and saves it (see
core/tests/test_browser.py for the setup)."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhanggui.catalog.tests.factories import CategoryFactory, ProductFactory, ShopFactory, SkuFactory
from zhanggui.core.tests.browser import log_in
from zhanggui.promotions.models import Promotion, PromotionState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ZHANGGUI_SCREENSHOTS", "/tmp/zhanggui-shots"))


def test_operator_writes_a_spend_save_draft_with_a_live_preview(page, live_server, users):
    base = live_server.url
    log_in(page, base, "operator")

    # The editor starts from a 满减 (满300减30) and the fixed sample cart (¥317): the preview loads by itself.
    page.goto(f"{base}/promotions/new/?kind=spend_save&lang=zh-hans")
    payable = page.locator("#payable-with")
    payable.wait_for()
    assert payable.inner_text() == "¥287.00"
    assert page.locator("#payable-without").inner_text() == "¥317.00"

    # Change the tier to 满300减50 by typing: the preview follows after a short pause, and so does the JSON.
    page.fill("#id_code", "d11-mj300")
    page.fill("#id_name", "双11满300减30")
    page.locator("[name=tiers-benefit]").first.fill("50")
    page.wait_for_function("document.querySelector('#payable-with').innerText === '¥267.00'")
    assert json.loads(page.locator("#id_spec").input_value())["tiers"] == [["300.00", "50.00"]]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "promotion-editor.png"), full_page=True)

    # Back to 满300减30; the window is in its own fields (Beijing time), prefilled; save the draft.
    page.locator("[name=tiers-benefit]").first.fill("30")
    page.wait_for_function("document.querySelector('#payable-with').innerText === '¥287.00'")
    assert page.locator("#id_starts_at").input_value()  # prefilled: tomorrow 00:00
    page.locator("#id_starts_at").fill("2026-12-12T20:00")
    page.locator("#id_ends_at").fill("2026-12-13T02:00")
    page.click("#save-promotion")
    page.wait_for_url(re.compile(r"/promotions/\d+/#editor$"))
    promotion = Promotion.objects.get()
    assert (promotion.code, promotion.state, promotion.spec["tiers"]) == (
        "d11-mj300",
        PromotionState.DRAFT,
        [["300.00", "30.00"]],
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


# --------------------------------------------------------------------------------------------------------
# The editor as forms (issue #15): typed and clicked as a person would, saved, reopened, previewed
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def towels():
    """A Tmall shop: two towels (¥199, ¥159) in the category 毛巾 and a cup (¥49)."""
    shop = ShopFactory(code="tm", name="天猫旗舰店")
    towel = ProductFactory(shop=shop, code="P-TW", title="纯棉毛巾", category=CategoryFactory(name="毛巾"))
    cup = ProductFactory(shop=shop, code="P-CUP", title="马克杯", category=CategoryFactory(name="杯子"))
    SkuFactory(product=towel, code="TW-1", price=Decimal("199.00"))
    SkuFactory(product=towel, code="TW-2", price=Decimal("159.00"))
    SkuFactory(product=cup, code="CUP-1", price=Decimal("49.00"))
    return shop


def open_new(page, base: str, shop, lang: str = "en") -> None:
    page.goto(f"{base}/promotions/new/?shop={shop.pk}&lang={lang}")
    page.locator("#payable-with").wait_for()


def pick(page, side: str, query: str, value: str) -> None:
    """Type into a catalog search box and click the result."""
    page.fill(f"#{side}-search", query)
    page.locator(f"#{side}-results [data-value='{value}']").click()
    page.locator(f"#chips-{side} .chip[data-value='{value}']").wait_for()


def pick_sku(field, query: str, code: str) -> None:
    """Pick one SKU into a SKU field (a bundle item, the gift, a line of the sample cart): take away the chip
    there is, search the catalog from the field's own box, click the result."""
    chip = field.locator(".sku-pick .chip [data-remove]")
    if chip.count():
        chip.click()
    field.locator("[data-sku-search]").fill(query)
    field.locator(f".picks [data-value='{code}']").click()
    field.locator(f".sku-pick .chip[data-value='{code}']").wait_for()


def set_cart(page, rows: list[tuple[str, int]]) -> None:
    """The sample cart's rows: remove what is there, pick a SKU into a row each."""
    while page.locator("#rows-lines tr").count() > 1:
        page.locator("#rows-lines tr [data-remove-row]").last.click()
    for i, (sku, quantity) in enumerate(rows):
        if i:
            page.click("#add-lines")
        row = page.locator("#rows-lines tr").nth(i)
        pick_sku(row, sku, sku)
        row.locator("[name=lines-quantity]").fill(str(quantity))


def wait_payable(page, amount: str) -> None:
    try:
        page.wait_for_function(f"document.querySelector('#payable-with')?.innerText === '{amount}'")
    except Exception:
        print("PREVIEW:", page.locator("#preview").inner_text(), page.locator("#id_spec").input_value())
        raise


def save_and_reopen(page, base: str) -> Promotion:
    page.click("#save-promotion")
    page.wait_for_url(re.compile(r"/promotions/\d+/#editor$"))
    promotion = Promotion.objects.get()
    page.goto(f"{base}/promotions/{promotion.pk}/?lang=en")
    page.locator("#payable-with").wait_for()
    return promotion


def test_operator_builds_a_spend_save_with_two_tiers_over_a_category(page, live_server, users, towels):
    base = live_server.url
    log_in(page, base, "operator")
    open_new(page, base, towels)
    page.select_option("#id_shop", str(towels.pk))
    page.fill("#id_code", "mj-towels")
    page.fill("#id_name", "毛巾满减")
    page.locator("[name=tiers-threshold]").first.fill("300")
    page.locator("[name=tiers-benefit]").first.fill("30")
    page.click("#add-tiers")
    page.keyboard.type("500")  # the new row's first field has the focus
    page.locator("[name=tiers-benefit]").nth(1).fill("60")
    page.check("input[name=scope_mode][value=categories]")
    pick(page, "scope", "毛巾", "毛巾")
    page.wait_for_function("document.querySelector('#scope-reach').innerText.includes('2')")
    assert "Reaches 2 SKUs" in page.locator("#scope-reach").inner_text()
    set_cart(page, [("TW-1", 1), ("TW-2", 1)])  # ¥358: 满300减30
    wait_payable(page, "¥328.00")
    set_cart(page, [("TW-1", 2), ("TW-2", 1)])  # ¥557: 满500减60
    wait_payable(page, "¥497.00")

    promotion = save_and_reopen(page, base)
    assert promotion.shop == towels
    assert promotion.spec["tiers"] == [["300.00", "30.00"], ["500.00", "60.00"]]
    assert promotion.spec["scope"] == {"categories": ["毛巾"]}
    assert [page.locator("[name=tiers-threshold]").nth(i).input_value() for i in (0, 1)] == ["300.00", "500.00"]
    assert [page.locator("[name=tiers-benefit]").nth(i).input_value() for i in (0, 1)] == ["30.00", "60.00"]
    assert page.locator("input[name=scope_mode][value=categories]").is_checked()
    assert page.locator("#chips-scope .chip[data-value='毛巾']").count() == 1
    # reopened, the sample cart is the towels the scope reaches, one each: ¥358 → ¥328
    assert page.locator("#payable-with").inner_text() == "¥328.00"


def test_operator_builds_a_rate_coupon_with_a_maximum(page, live_server, users, towels):
    base = live_server.url
    log_in(page, base, "operator")
    open_new(page, base, towels)
    page.select_option("#id_shop", str(towels.pk))
    page.select_option("#id_kind", "coupon")
    page.locator("#kind-fields[data-kind=coupon]").wait_for()
    page.fill("#id_code", "vip9")
    page.fill("#id_name", "会员9折券")
    page.fill("#id_codes", "VIP9")
    page.check("input[name=coupon_mode][value=rate]")
    page.fill("#id_amount", "")
    page.fill("#id_rate", "9")
    page.fill("#id_max_amount", "10")
    page.fill("#id_min_spend", "")
    set_cart(page, [("TW-1", 1)])  # 9折 of ¥199 is ¥19.90 off, at most ¥10
    wait_payable(page, "¥189.00")

    promotion = save_and_reopen(page, base)
    assert {k: promotion.spec.get(k) for k in ("kind", "codes", "rate", "max_amount", "amount")} == {
        "kind": "coupon",
        "codes": ["VIP9"],
        "rate": "9",
        "max_amount": "10.00",
        "amount": None,
    }
    assert page.locator("input[name=coupon_mode][value=rate]").is_checked()
    assert (page.input_value("#id_rate"), page.input_value("#id_max_amount"), page.input_value("#id_codes")) == (
        "9",
        "10.00",
        "VIP9",
    )
    set_cart(page, [("TW-1", 1)])
    wait_payable(page, "¥189.00")


def test_operator_builds_an_any_n_for_on_picked_skus(page, live_server, users, towels):
    base = live_server.url
    log_in(page, base, "operator")
    open_new(page, base, towels)
    page.select_option("#id_shop", str(towels.pk))
    page.select_option("#id_kind", "any_n_for")
    page.locator("#kind-fields[data-kind=any_n_for]").wait_for()
    page.fill("#id_code", "any2-99")
    page.fill("#id_name", "任选2件99元")
    page.fill("#id_n", "2")
    page.fill("#id_price", "99")
    page.check("input[name=scope_mode][value=skus]")
    pick(page, "scope", "TW-1", "TW-1")
    pick(page, "scope", "CUP", "CUP-1")
    page.wait_for_function("document.querySelector('#scope-reach').innerText.includes('2')")
    set_cart(page, [("TW-1", 1), ("CUP-1", 1)])  # ¥248 → any 2 for ¥99
    wait_payable(page, "¥99.00")

    promotion = save_and_reopen(page, base)
    assert (promotion.spec["n"], promotion.spec["price"], promotion.spec["scope"]) == (
        2,
        "99.00",
        {"skus": ["TW-1", "CUP-1"]},
    )
    assert (page.input_value("#id_n"), page.input_value("#id_price")) == ("2", "99.00")
    assert page.locator("#chips-scope .chip").count() == 2
    assert page.locator("#payable-with").inner_text() == "¥99.00"  # the two SKUs it reaches, one each


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_editor_fits_a_phone_without_sideways_scrolling(page, live_server, users, towels, lang):
    base = live_server.url
    log_in(page, base, "operator")
    page.set_viewport_size({"width": 390, "height": 844})
    for kind in ("spend_save", "coupon", "bundle", "member_price"):
        page.goto(f"{base}/promotions/new/?shop={towels.pk}&kind={kind}&lang={lang}")
        page.locator("#payable-with, #preview-error").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, kind
        # the preview is below the form at this width
        form_box, preview_box = page.locator("#editor").bounding_box(), page.locator("#preview-card").bounding_box()
        assert preview_box["y"] > form_box["y"] + form_box["height"] - 1
    page.screenshot(path=str(SHOTS / f"promotion-editor-390-{lang}.png"), full_page=True)


def test_json_typed_in_the_advanced_box_is_not_overwritten_by_the_form_until_loaded(page, live_server, users, towels):
    """The preview keeps the JSON box in step with the form, but never over what the person typed there: the
    box keeps it (with a warning) until "Load into the form" applies it."""
    base = live_server.url
    log_in(page, base, "operator")
    open_new(page, base, towels)
    page.select_option("#id_shop", str(towels.pk))
    page.locator("[name=tiers-threshold]").first.fill("300")
    page.locator("[name=tiers-benefit]").first.fill("30")
    set_cart(page, [("TW-1", 2)])  # ¥398: 满300减30
    wait_payable(page, "¥368.00")
    page.wait_for_function("!document.querySelector('.htmx-request')")  # no preview still on its way
    page.click("#advanced summary")
    typed = json.loads(page.locator("#id_spec").input_value())
    typed["tiers"] = [["300.00", "50.00"]]
    page.fill("#id_spec", json.dumps(typed))
    assert page.locator("#spec-edited").is_visible()
    page.locator("[name=tiers-benefit]").first.fill("40")  # a change of the form: a new preview
    wait_payable(page, "¥358.00")
    assert json.loads(page.locator("#id_spec").input_value())["tiers"] == [["300.00", "50.00"]]
    page.click("#load-json")
    page.locator("[name=tiers-benefit]").first.wait_for()
    page.wait_for_function("document.querySelector('[name=tiers-benefit]').value === '50.00'")
