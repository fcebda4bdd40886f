"""The pictures on the catalog pages: the upload form, the card's buttons (htmx and plain), the list's thumbnail
column, and the media files served to logged-in people only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from zhanggui.catalog import images
from zhanggui.catalog.models import Channel, ImageKind, ProductImage
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.catalog.tests.images import picture, stored_files, use_tmp_media
from zhanggui.core.tests.pages import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def product(db):
    return ProductFactory(code="TX-1", title="纯棉T恤", shop__channel=Channel.TMALL)


def upload_url(product) -> str:
    return reverse("catalog:product-images", args=[product.pk])


def add(user, product, upload, kind=ImageKind.GALLERY, sku=None):
    return images.add_image(actor=user, product=product, upload=upload, kind=kind, sku=sku)


def test_the_designer_uploads_a_main_image_and_sees_it_on_the_page(client, users, media, product):
    login(client, users["designer"])
    response = client.post(upload_url(product), {"kind": "main", "files": [picture(name="front.jpg")]})
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:product-detail", args=[product.pk]) + "#images"
    image = ProductImage.objects.get()
    assert (image.kind, image.original_name) == (ImageKind.MAIN, "front.jpg")
    page = client.get(reverse("catalog:product-detail", args=[product.pk]))
    body = page.content.decode()
    assert f'src="/media/{image.thumb_large}"' in body
    assert "1 picture added." in body


def test_several_gallery_pictures_of_one_sku_at_once(client, users, media, product):
    red = SkuFactory(product=product, code="TX-1-RED")
    login(client, users["copywriter"])
    files = [picture(name="a.jpg"), picture(1200, 900, name="b.png", fmt="PNG")]
    response = client.post(upload_url(product), {"kind": "gallery", "sku": red.pk, "files": files})
    assert response.status_code == 302
    assert [(i.original_name, i.sku_id) for i in images.gallery_for(product).gallery] == [
        ("a.jpg", red.pk),
        ("b.png", red.pk),
    ]
    body = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    first = images.gallery_for(product).gallery[0]
    assert re.search(rf'<span id="sku-thumb-{red.pk}"[^>]*><img src="/media/{first.thumb_small}"', body)


def test_a_refused_file_is_named_and_the_form_keeps_its_choices(client, users, media, product):
    red = SkuFactory(product=product, code="TX-1-RED")
    login(client, users["designer"])
    response = client.post(
        upload_url(product), {"kind": "main", "sku": red.pk, "files": [picture(1200, 900, name="wide.jpg")]}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "wide.jpg is 1200×900 px; Tmall needs a square (1:1) main image." in body
    form = response.context["upload_form"]
    assert form["kind"].value() == "main"
    assert str(form["sku"].value()) == str(red.pk)
    assert 'value="main" id="id_kind_0" required checked' in body
    assert f'<option value="{red.pk}" selected>' in body
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []


def test_good_files_are_kept_when_another_is_refused(client, users, media, product):
    login(client, users["designer"])
    files = [picture(name="good.jpg"), picture(300, 300, name="tiny.jpg")]
    response = client.post(upload_url(product), {"kind": "gallery", "files": files})
    assert response.status_code == 422
    body = response.content.decode()
    assert "1 picture added." in body
    assert "tiny.jpg is 300×300 px; Tmall needs at least 800×800 px." in body
    assert [i.original_name for i in ProductImage.objects.all()] == ["good.jpg"]


def test_a_main_image_is_one_file(client, users, media, product):
    login(client, users["designer"])
    response = client.post(upload_url(product), {"kind": "main", "files": [picture(), picture()]})
    assert response.status_code == 422
    assert "A product has one main image" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_customer_service_may_not_upload_and_sees_no_form(client, users, media, product):
    login(client, users["service"])
    response = client.post(upload_url(product), {"kind": "main", "files": [picture()]})
    assert response.status_code == 403
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []
    page = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    assert 'id="image-upload"' not in page
    assert 'id="images"' in page  # the pictures are shown to everyone


def test_the_card_buttons_answer_the_card_with_htmx(client, users, media, product):
    designer = users["designer"]
    a, b = add(designer, product, picture(name="a.jpg")), add(designer, product, picture(name="b.jpg"))
    login(client, designer)
    response = client.post(reverse("catalog:image-move", args=[b.pk]), {"direction": "up"}, **HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "catalog/_product_images.html"
    assert [i.pk for i in images.gallery_for(product).gallery] == [b.pk, a.pk]
    response = client.post(reverse("catalog:image-main", args=[a.pk]), **HTMX)
    assert response.status_code == 200
    assert images.gallery_for(product).main.pk == a.pk
    assert 'id="main-image"' in response.content.decode()


def test_a_wide_picture_made_main_is_refused_on_the_card(client, users, media, product):
    wide = add(users["designer"], product, picture(1200, 900, name="wide.jpg"))
    login(client, users["designer"])
    response = client.post(reverse("catalog:image-main", args=[wide.pk]), **HTMX)
    assert response.status_code == 422
    assert "wide.jpg is 1200×900 px; Tmall needs a square (1:1) main image." in response.content.decode()
    assert images.gallery_for(product).main is None


def test_the_sku_select_and_the_sku_rows_follow_out_of_band(client, users, media, product):
    red = SkuFactory(product=product, code="TX-1-RED")
    image = add(users["designer"], product, picture(name="red.jpg"))
    login(client, users["designer"])
    response = client.post(reverse("catalog:image-sku", args=[image.pk]), {"sku": red.pk}, **HTMX)
    assert response.status_code == 200
    image.refresh_from_db()
    assert image.sku == red
    oob = rf'<span id="sku-thumb-{red.pk}" hx-swap-oob="true"[^>]*><img src="/media/{image.thumb_small}"'
    assert re.search(oob, response.content.decode())


def test_delete_without_javascript_goes_back_to_the_page(
    client, users, media, product, django_capture_on_commit_callbacks
):
    image = add(users["designer"], product, picture())
    login(client, users["designer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:image-delete", args=[image.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith("#images")
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []


def test_customer_service_may_not_press_the_card_buttons(client, users, media, product):
    image = add(users["designer"], product, picture())
    login(client, users["service"])
    for name in ("image-main", "image-move", "image-sku", "image-delete"):
        assert client.post(reverse(f"catalog:{name}", args=[image.pk])).status_code == 403, name
    assert ProductImage.objects.get().kind == ImageKind.GALLERY


def test_the_product_list_shows_the_main_images_thumbnail_first(client, users, media, product):
    with_url = ProductFactory(code="TX-2", main_image_url="https://img.example.com/tx2.jpg")
    ProductFactory(code="TX-3")
    main = add(users["designer"], product, picture(), kind=ImageKind.MAIN)
    login(client, users["service"])
    response = client.get(reverse("catalog:product-list"))
    body = response.content.decode()
    assert f'src="/media/{main.thumb_small}"' in body
    assert 'src="https://img.example.com/tx2.jpg"' in body  # no upload: the main image URL
    listing = response.context["listing"]
    with translation.override("en"):
        assert str(listing.headers[0].column.label) == "Image"
    assert listing.headers[0].url in ("", None)  # not sortable
    assert {p.code: p.thumb_url for p in response.context["page"]} == {
        "TX-1": f"/media/{main.thumb_small}",
        "TX-2": "",
        "TX-3": "",
    }
    assert with_url.pk


def test_the_export_has_no_image_column(client, users, media, product):
    add(users["designer"], product, picture(), kind=ImageKind.MAIN)
    login(client, users["service"])
    response = client.get(reverse("catalog:product-list"), {"export": "csv"})
    header = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    assert header.splitlines()[0].startswith("Product code,")


# --------------------------------------------------------------------------------------------------------
# Media files
# --------------------------------------------------------------------------------------------------------


def test_media_files_need_a_login(client, users, media, product):
    image = add(users["designer"], product, picture())
    url = f"/media/{image.thumb_small}"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    login(client, users["service"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (media / image.thumb_small).read_bytes()
    assert response["Content-Type"] in ("image/webp", "image/jpeg")
    assert response["Cache-Control"] == "private, max-age=86400"


def test_media_outside_the_folder_or_missing_is_not_found(client, users, media):
    (media.parent / "secret.txt").write_text("no")
    media.mkdir(parents=True, exist_ok=True)
    login(client, users["service"])
    assert client.get("/media/../secret.txt").status_code == 404
    assert client.get("/media/%2E%2E/secret.txt").status_code == 404
    assert client.get("/media/catalog/none.jpg").status_code == 404
