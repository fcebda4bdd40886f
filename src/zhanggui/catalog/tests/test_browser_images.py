"""The designer (美工) uploads a product's main image in a real Chromium and sees it: big on the product page,
as a thumbnail in the catalog list, both served by the desk to a logged-in person."""

from __future__ import annotations

import pytest

from zhanggui.catalog.models import Channel, ImageKind, ProductImage
from zhanggui.catalog.tests.factories import ProductFactory
from zhanggui.catalog.tests.images import picture, use_tmp_media
from zhanggui.core.tests.browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


SETTLED = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-added')"
LOADED = "img => img.complete && img.naturalWidth > 0"


def test_designer_uploads_a_main_image_and_sees_the_thumbnail(page, live_server, users, media, tmp_path):
    product = ProductFactory(code="TX-IMG", title="纯棉圆领T恤 白", shop__channel=Channel.TAOBAO)
    too_small = tmp_path / "small.jpg"
    too_small.write_bytes(picture(600, 600).read())
    front = tmp_path / "front.jpg"
    front.write_bytes(picture(1000, 1000).read())
    base = live_server.url
    log_in(page, base, "designer")
    page.goto(f"{base}/catalog/products/{product.pk}/")
    assert page.locator("#no-main-image").is_visible()

    # A picture under the platform's minimum: refused with the file and the rule named; "main" stays chosen.
    page.check("#image-upload input[name=kind][value=main]")
    page.set_input_files("#image-upload input[name=files]", str(too_small))
    page.click("#image-upload button.primary")
    error = page.locator("#image-upload small.error")
    error.wait_for()
    assert "small.jpg" in error.inner_text() and "800×800" in error.inner_text()
    assert page.locator("#image-upload input[name=kind][value=main]").is_checked()
    assert not ProductImage.objects.exists()

    # The right one: back on the product page, the main image shown big.
    page.set_input_files("#image-upload input[name=files]", str(front))
    page.click("#image-upload button.primary")
    page.wait_for_url(f"{base}/catalog/products/{product.pk}/#images")
    main = page.locator("#main-image")
    main.wait_for()
    page.wait_for_function(SETTLED)
    page.wait_for_function(LOADED, arg=main.element_handle())  # served by the desk: the session's cookie
    image = ProductImage.objects.get()
    assert image.kind == ImageKind.MAIN and image.uploaded_by.username == "designer"
    assert main.get_attribute("src") == f"/media/{image.thumb_large}"

    # The catalog list shows its thumbnail in the first column.
    page.goto(f"{base}/catalog/?q=TX-IMG")
    thumb = page.locator("#product-table tbody tr td.thumb img")
    thumb.wait_for()
    assert thumb.get_attribute("src") == f"/media/{image.thumb_small}"
    page.wait_for_function("img => img.complete && img.naturalWidth === 160", arg=thumb.element_handle())
