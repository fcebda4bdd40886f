"""The desk on a phone (390×844) and on a wide screen (1440), in a real headless Chromium.

On the phone the header folds into a menu behind one button, wide tables scroll inside their own box, and
nothing scrolls the whole page sideways; at 1440 the links stand in the header, no button.
"""

from __future__ import annotations

import pytest

from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.core.tests.browser import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1440, "height": 900}


@pytest.fixture
def product():
    """A product with a long title and SKUs with long codes: the widest content the pages meet."""
    product = ProductFactory(
        code="TX-2024-SUMMER-COTTON-CREW-NECK",
        title="纯棉圆领短袖T恤男女同款宽松百搭夏季新款学生情侣装打底衫 白色黑色灰色 多尺码可选",
        description="100% 新疆长绒棉，" * 20,
    )
    for size in ("S", "M", "L", "XL", "XXL"):
        SkuFactory(product=product, code=f"TX-2024-SUMMER-COTTON-CREW-NECK-WHITE-{size}", barcode="6901234567890")
    return product


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_on_a_phone_nothing_scrolls_the_page_sideways_and_the_menu_opens(page, live_server, users, product):
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, "manager")

    for url in ("/", "/catalog/", f"/catalog/products/{product.pk}/", f"/catalog/skus/{product.skus.first().pk}/"):
        page.goto(base + url)
        assert page_width(page) <= PHONE["width"], url

        # The menu is folded: its button shows, the links do not, until the button is pressed.
        button = page.locator("#menu-toggle")
        links = page.locator("nav.domains")
        assert button.is_visible() and not links.is_visible(), url
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        assert links.is_visible() and button.get_attribute("aria-expanded") == "true", url
        assert page.locator("nav.domains a[data-nav=purchase]").is_visible()
        assert page_width(page) <= PHONE["width"], url  # the open menu fits too
        button.click()
        assert not links.is_visible()

    # The product page's SKU table keeps its columns and scrolls inside its own box.
    page.goto(f"{base}/catalog/products/{product.pk}/")
    table = page.locator("#sku-table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"

    # Escape closes the menu and gives the focus back to its button.
    page.locator("#menu-toggle").click()
    page.keyboard.press("Escape")
    assert not page.locator("nav.domains").is_visible()
    assert page.evaluate("document.activeElement.id") == "menu-toggle"

    # A link in the menu goes where it says.
    page.locator("#menu-toggle").click()
    page.locator("nav.domains a[data-nav=catalog]").click()
    page.wait_for_url(f"{base}/catalog/")
    assert page.locator("nav.domains a[data-nav=catalog]").get_attribute("aria-current") == "page"


def test_on_a_wide_screen_the_links_stand_in_the_header(page, live_server, users, product):
    base = live_server.url
    page.set_viewport_size(WIDE)
    log_in(page, base, "service")
    page.goto(f"{base}/catalog/products/{product.pk}/")
    assert not page.locator("#menu-toggle").is_visible()
    links = page.locator("nav.domains a")
    assert links.first.is_visible()
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    assert len(tops) == 1  # one row, inline
    assert page.locator("nav.domains a[data-nav=purchase]").count() == 0  # 客服: no purchasing
    assert page_width(page) <= WIDE["width"]
