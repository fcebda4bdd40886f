"""Product pictures (catalog.images): the platforms' rules checked by content, thumbnails, the gallery's order,
who may change pictures, and that deleting one removes its files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from zhanggui.catalog import images
from zhanggui.catalog.images import ImageRejected
from zhanggui.catalog.models import Channel, ImageKind, ProductImage
from zhanggui.catalog.tests.factories import ProductFactory, SkuFactory
from zhanggui.catalog.tests.images import picture, stored_files, use_tmp_media
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_tmp_media(settings, tmp_path)


@pytest.fixture
def designer(users):
    return users["designer"]


@pytest.fixture
def product(db):
    return ProductFactory(code="TX-1", shop__channel=Channel.TAOBAO)


def add(actor, product, upload, kind=ImageKind.GALLERY, sku=None):
    with translation.override("en"):
        return images.add_image(actor=actor, product=product, upload=upload, kind=kind, sku=sku)


def refusal(actor, product, upload, kind=ImageKind.MAIN) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        add(actor, product, upload, kind)
    return caught.value


# --------------------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------------------


def test_a_picture_under_800_px_is_refused_naming_the_file_and_the_rule(media, designer, product):
    error = refusal(designer, product, picture(640, 640, name="front.jpg"))
    assert error.message == "front.jpg is 640×640 px; Taobao needs at least 800×800 px."
    assert error.details == {"file": "front.jpg", "rules": ["too_small"]}
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []


def test_a_gallery_picture_also_needs_800_px(media, designer, product):
    error = refusal(designer, product, picture(1200, 700, name="wide.jpg"), kind=ImageKind.GALLERY)
    assert error.details["rules"] == ["too_small"]


def test_a_main_image_must_be_square_but_a_gallery_picture_need_not(media, designer, product):
    error = refusal(designer, product, picture(1200, 900, name="wide.jpg"))
    assert error.message == "wide.jpg is 1200×900 px; Taobao needs a square (1:1) main image."
    assert error.details["rules"] == ["not_square"]
    image = add(designer, product, picture(1200, 900, name="wide.jpg"), kind=ImageKind.GALLERY)
    assert (image.kind, image.width, image.height) == (ImageKind.GALLERY, 1200, 900)


def test_a_file_over_3_mb_is_refused(media, designer, product):
    big = picture(1100, 1100, "PNG", name="big.png", noise=True)
    assert big.size > 3 * 1024 * 1024
    error = refusal(designer, product, big)
    assert error.details["rules"] == ["too_big"]
    assert error.message.startswith("big.png is 3.") and error.message.endswith(
        "Taobao takes at most 3.0 MB a picture."
    )
    assert stored_files(media) == []


def test_every_broken_rule_is_named_at_once(media, designer, product):
    error = refusal(designer, product, picture(700, 500, name="small.jpg"))
    assert error.details["rules"] == ["too_small", "not_square"]
    assert "800×800" in error.message and "square (1:1)" in error.message


def test_a_file_that_is_not_a_picture_is_refused(media, designer, product):
    text = SimpleUploadedFile("front.jpg", b"not a picture at all", content_type="image/jpeg")
    error = refusal(designer, product, text)
    assert error.message == "front.jpg is not a picture that can be read: upload a JPEG, PNG or WebP file."
    assert error.details["rules"] == ["not_an_image"]


def test_a_broken_picture_is_refused(media, designer, product):
    whole = picture(1000, 1000, "PNG", noise=True).read()
    error = refusal(designer, product, SimpleUploadedFile("cut.png", whole[: len(whole) // 2]))
    assert error.details["rules"] == ["not_an_image"]


def test_a_gif_is_refused_by_its_content_whatever_its_name(media, designer, product):
    error = refusal(designer, product, picture(1000, 1000, "GIF", name="front.jpg"))
    assert error.message == "front.jpg is a GIF file; Taobao takes JPEG, PNG, WebP."
    assert error.details["rules"] == ["format"]


def test_a_png_named_jpg_is_accepted_by_its_content_and_stored_as_png(media, designer, product):
    image = add(designer, product, picture(1000, 1000, "PNG", name="front.jpg"), kind=ImageKind.MAIN)
    assert image.format == "PNG"
    assert image.original_name == "front.jpg"
    assert image.file.name.endswith(".png")
    with Image.open(media / image.file.name) as stored:
        assert stored.format == "PNG"


def test_a_decompression_bomb_is_refused_before_it_is_decoded(media, designer, product):
    buffer = io.BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, "PNG")  # 49 million pixels in a few kB
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue())
    assert bomb.size < 100_000
    error = refusal(designer, product, bomb)
    assert error.details["rules"] == ["too_many_pixels"]
    assert stored_files(media) == []


def test_the_rules_come_from_the_channel_table(media, designer, product, monkeypatch):
    monkeypatch.setitem(images.IMAGE_RULES, Channel.TAOBAO, images.ImageRules(min_width=1200, min_height=1200))
    error = refusal(designer, product, picture(1000, 1000, name="front.jpg"))
    assert error.message == "front.jpg is 1000×1000 px; Taobao needs at least 1200×1200 px."


# --------------------------------------------------------------------------------------------------------
# Files and thumbnails
# --------------------------------------------------------------------------------------------------------


def test_an_upload_keeps_the_original_and_makes_two_thumbnails_next_to_it(media, designer, product):
    upload = picture(1600, 1200, name="side.jpg")
    original = upload.read()
    image = add(designer, product, upload)
    assert (image.width, image.height, image.bytes, image.format) == (1600, 1200, len(original), "JPEG")
    assert image.uploaded_by == designer
    folder = f"catalog/products/{product.pk}"
    assert image.file.name.startswith(folder + "/") and image.file.name.endswith(".jpg")
    assert (media / image.file.name).read_bytes() == original
    for name, side in ((image.thumb_small, 160), (image.thumb_large, 480)):
        assert name.startswith(folder + "/")
        with Image.open(media / name) as thumb:
            assert max(thumb.size) == side
            assert thumb.size == (side, side * 3 // 4)  # the picture's shape kept
    assert len(stored_files(media)) == 3
    assert image.thumb_small_url == f"/media/{image.thumb_small}"


def test_a_new_main_image_moves_the_old_one_to_the_front_of_the_gallery(media, designer, product):
    gallery = add(designer, product, picture(1000, 800, name="g1.jpg"))
    first = add(designer, product, picture(name="main1.jpg"), kind=ImageKind.MAIN)
    second = add(designer, product, picture(name="main2.jpg"), kind=ImageKind.MAIN)
    found = images.gallery_for(product)
    assert found.main == second
    assert [i.original_name for i in found.gallery] == ["main1.jpg", "g1.jpg"]
    assert [i.position for i in found.gallery] == [1, 2]
    first.refresh_from_db()
    gallery.refresh_from_db()
    assert first.kind == ImageKind.GALLERY


def test_upload_images_keeps_the_good_files_and_names_the_refused_ones(media, designer, product):
    with translation.override("en"):
        result = images.upload_images(
            actor=designer,
            product=product,
            uploads=[picture(name="a.jpg"), picture(500, 500, name="tiny.jpg"), picture(name="b.jpg")],
            kind=ImageKind.GALLERY,
        )
    assert [i.original_name for i in result.added] == ["a.jpg", "b.jpg"]
    assert [e.details["file"] for e in result.refused] == ["tiny.jpg"]
    assert [i.original_name for i in images.gallery_for(product).gallery] == ["a.jpg", "b.jpg"]


# --------------------------------------------------------------------------------------------------------
# Main image, order, SKU
# --------------------------------------------------------------------------------------------------------


def test_a_square_gallery_picture_can_become_the_main_image(media, designer, product):
    old_main = add(designer, product, picture(name="old.jpg"), kind=ImageKind.MAIN)
    square = add(designer, product, picture(name="square.jpg"))
    images.set_main_image(actor=designer, image=square)
    found = images.gallery_for(product)
    assert found.main.pk == square.pk
    assert [i.pk for i in found.gallery] == [old_main.pk]
    assert AuditEntry.objects.filter(action="product.image_main", object_id=str(product.pk)).count() == 1


def test_a_wide_gallery_picture_cannot_become_the_main_image(media, designer, product):
    main = add(designer, product, picture(name="main.jpg"), kind=ImageKind.MAIN)
    wide = add(designer, product, picture(1200, 900, name="wide.jpg"))
    with translation.override("en"), pytest.raises(ImageRejected) as caught:
        images.set_main_image(actor=designer, image=wide)
    assert caught.value.message == "wide.jpg is 1200×900 px; Taobao needs a square (1:1) main image."
    assert images.gallery_for(product).main == main


def test_gallery_pictures_move_up_and_down(media, designer, product):
    a, _b, c = (add(designer, product, picture(name=f"{n}.jpg")) for n in "abc")

    def order():
        return [i.original_name for i in images.gallery_for(product).gallery]

    images.move_image(actor=designer, image=c, step=-1)
    assert order() == ["a.jpg", "c.jpg", "b.jpg"]
    images.move_image(actor=designer, image=a, step=-1)  # already first: nothing changes
    images.move_image(actor=designer, image=a, step=1)
    assert order() == ["c.jpg", "a.jpg", "b.jpg"]
    assert [i.position for i in images.gallery_for(product).gallery] == [1, 2, 3]
    assert AuditEntry.objects.filter(action="product.image_move").count() == 2


def test_a_picture_shows_one_of_the_products_skus(media, designer, product):
    red = SkuFactory(product=product, code="TX-1-RED")
    image = add(designer, product, picture(name="red.jpg"), sku=red)
    assert images.gallery_for(product).by_sku == {red.pk: image}
    images.set_image_sku(actor=designer, image=image, sku=None)
    assert images.gallery_for(product).by_sku == {}
    other = SkuFactory(code="OTHER-1")
    with pytest.raises(ImageRejected):
        images.set_image_sku(actor=designer, image=image, sku=other)
    with pytest.raises(ImageRejected):
        add(designer, product, picture(), sku=other)


def test_main_thumbs_answers_a_list_page_in_one_query(media, designer, product, django_assert_num_queries):
    main = add(designer, product, picture(), kind=ImageKind.MAIN)
    other = ProductFactory()
    add(designer, other, picture())  # a gallery picture only: no thumbnail in the list
    with django_assert_num_queries(1):
        thumbs = images.main_thumbs([product.pk, other.pk])
    assert thumbs == {product.pk: f"/media/{main.thumb_small}"}


# --------------------------------------------------------------------------------------------------------
# Who, history, delete
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["designer", "copywriter", "operator", "manager"])
def test_the_catalog_roles_may_upload(media, users, product, role):
    assert add(users[role], product, picture()).pk


@pytest.mark.parametrize("role", ["service", "warehouse"])
def test_customer_service_and_warehouse_may_not_upload(media, users, product, role):
    with pytest.raises(PermissionDeniedError):
        add(users[role], product, picture())
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []
    assert not AuditEntry.objects.filter(object_type="catalog.product").exists()


def test_customer_service_may_not_reorder_or_delete(media, users, product):
    a = add(users["designer"], product, picture(name="a.jpg"))
    add(users["designer"], product, picture(name="b.jpg"))
    before = stored_files(media)
    for change in (
        lambda: images.move_image(actor=users["service"], image=a, step=1),
        lambda: images.set_main_image(actor=users["service"], image=a),
        lambda: images.delete_image(actor=users["service"], image=a),
    ):
        with pytest.raises(PermissionDeniedError):
            change()
    assert [i.original_name for i in images.gallery_for(product).gallery] == ["a.jpg", "b.jpg"]
    assert stored_files(media) == before


def test_every_change_is_in_the_products_history(media, designer, product, django_capture_on_commit_callbacks):
    image = add(designer, product, picture(name="front.jpg"), kind=ImageKind.MAIN)
    with django_capture_on_commit_callbacks(execute=True):
        images.delete_image(actor=designer, image=image)
    entries = AuditEntry.objects.filter(object_type="catalog.product", object_id=str(product.pk)).order_by("id")
    assert [(e.action, e.actor) for e in entries] == [
        ("product.image_add", designer),
        ("product.image_delete", designer),
    ]
    assert entries[0].after == {"image": "front.jpg (1000×1000 px)", "kind": "main"}
    assert entries[1].before == {"image": "front.jpg (1000×1000 px)"}


def test_deleting_a_picture_removes_its_files_once_committed(
    media, designer, product, django_capture_on_commit_callbacks
):
    keep = add(designer, product, picture(name="keep.jpg"))
    gone = add(designer, product, picture(name="gone.jpg"))
    gone_files = [gone.file.name, gone.thumb_small, gone.thumb_large]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        images.delete_image(actor=designer, image=gone)
    assert all((media / name).exists() for name in gone_files)  # not before the commit
    for callback in callbacks:
        callback()
    assert not any((media / name).exists() for name in gone_files)
    assert stored_files(media) == sorted([keep.file.name, keep.thumb_small, keep.thumb_large])
    assert not ProductImage.objects.filter(pk=gone.pk).exists()
    assert [i.position for i in images.gallery_for(product).gallery] == [1]
