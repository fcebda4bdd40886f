"""Product images: the platforms' rules, the upload with its thumbnails, the order of the gallery, and the reads
the catalog pages show them with (docs/images.md).

Every file is checked by its content (Pillow), never by its name: the format, the pixels and the bytes against
the rules of the product's channel (`IMAGE_RULES`). Files go through STORAGES["default"], so a deployment can
keep them on object storage by configuration. The original is stored as uploaded (a platform wants it unchanged)
with two thumbnails next to it. Files are removed only once the transaction that forgets them has committed.
"""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError, features

from zhanggui.catalog.models import Channel, ImageKind, Product, ProductImage, Sku
from zhanggui.core import roles
from zhanggui.core.errors import DomainError
from zhanggui.core.services import record_audit
from zhanggui.core.text import clean_line

MB = 1024 * 1024


@dataclass(frozen=True)
class ImageRules:
    """What a channel accepts for a product's pictures. Gallery images need the size but not the square."""

    min_width: int = 800
    min_height: int = 800
    main_square: bool = True
    max_bytes: int = 3 * MB
    formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")


# The common rules of the platforms' product pictures (主图): 800×800 px or more (the buyer's zoom needs it),
# a square main image, 3 MB a file, JPEG/PNG/WebP. Change a channel's row to follow a stricter rule.
IMAGE_RULES: dict[str, ImageRules] = {
    Channel.TAOBAO: ImageRules(),
    Channel.TMALL: ImageRules(),
    Channel.JD: ImageRules(),
    Channel.PDD: ImageRules(),
    Channel.WEB: ImageRules(),
}
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Cameras write JPEG files with a second picture inside (MPO): a JPEG for every platform.
SAME_FORMAT = {"MPO": "JPEG"}
# No product picture needs more (6000×6000 = 36 million); a file claiming more is refused before it is decoded,
# so a small file cannot unpack into gigabytes (a decompression bomb).
MAX_PIXELS = 40_000_000
THUMB_SIDES = {"small": 160, "large": 480}
THUMB_FORMAT = "WEBP" if features.check("webp") else "JPEG"


class ImageRejected(DomainError):
    """A file that breaks a rule: `details` names the file and the rules it breaks."""

    code = "image_rejected"
    http_status = 422


def rules_for(channel: str) -> ImageRules:
    return IMAGE_RULES.get(channel, ImageRules())


def _channel_name(channel: str) -> str:
    return str(Channel(channel).label) if channel in Channel.values else channel


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB"


def _formats(rules: ImageRules) -> str:
    return ", ".join(FORMAT_NAMES.get(f, f) for f in rules.formats)


# --------------------------------------------------------------------------------------------------------
# Checking a file
# --------------------------------------------------------------------------------------------------------


@dataclass
class Checked:
    """A file that passed: its real format, its pixels, and the decoded picture (for the thumbnails)."""

    format: str
    width: int
    height: int
    bytes: int
    picture: Image.Image


def _problems_of_size(
    *, name: str, width: int, height: int, size: int, kind: str, rules: ImageRules, channel: str
) -> list[tuple[str, str]]:
    """The rules a picture of these dimensions and bytes breaks, as (rule code, message naming the file)."""
    where = {"file": name, "channel": _channel_name(channel), "width": width, "height": height}
    problems = []
    if size > rules.max_bytes:
        problems.append(
            (
                "too_big",
                _("%(file)s is %(size)s; %(channel)s takes at most %(limit)s a picture.")
                % {**where, "size": _megabytes(size), "limit": _megabytes(rules.max_bytes)},
            )
        )
    if width < rules.min_width or height < rules.min_height:
        problems.append(
            (
                "too_small",
                _("%(file)s is %(width)s×%(height)s px; %(channel)s needs at least %(min_width)s×%(min_height)s px.")
                % {**where, "min_width": rules.min_width, "min_height": rules.min_height},
            )
        )
    if kind == ImageKind.MAIN and rules.main_square and width != height:
        problems.append(
            (
                "not_square",
                _("%(file)s is %(width)s×%(height)s px; %(channel)s needs a square (1:1) main image.") % where,
            )
        )
    return problems


def check_upload(upload: Any, *, kind: str, channel: str) -> Checked:
    """Open the file with Pillow and hold it against the channel's rules; ImageRejected names every rule it
    breaks. A file Pillow cannot read, in another format, or with more pixels than MAX_PIXELS is refused first."""
    rules = rules_for(channel)
    name = display_name(upload)
    size = int(upload.size)
    not_an_image = ImageRejected(
        _("%(file)s is not a picture that can be read: upload a JPEG, PNG or WebP file.") % {"file": name},
        file=name,
        rules=["not_an_image"],
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(upload)
            real = SAME_FORMAT.get(picture.format or "", picture.format or "")
            if real not in rules.formats:
                raise ImageRejected(
                    _("%(file)s is a %(format)s file; %(channel)s takes %(formats)s.")
                    % {
                        "file": name,
                        "format": real or "?",
                        "channel": _channel_name(channel),
                        "formats": _formats(rules),
                    },
                    file=name,
                    rules=["format"],
                )
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise ImageRejected(
                    _("%(file)s is %(width)s×%(height)s px: too many pixels to open safely.")
                    % {"file": name, "width": width, "height": height},
                    file=name,
                    rules=["too_many_pixels"],
                )
            problems = _problems_of_size(
                name=name, width=width, height=height, size=size, kind=kind, rules=rules, channel=channel
            )
            if problems:
                raise ImageRejected(" ".join(m for _c, m in problems), file=name, rules=[c for c, _m in problems])
            picture.load()  # a truncated or broken file fails here, not later in a thumbnail
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(
            _("%(file)s has too many pixels to open safely.") % {"file": name}, file=name, rules=["too_many_pixels"]
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise not_an_image from exc
    return Checked(format=real, width=width, height=height, bytes=size, picture=picture)


def display_name(upload: Any) -> str:
    """The uploaded file's own name, as the person knows it (no folders, no control characters)."""
    return clean_line(PurePath(str(getattr(upload, "name", "") or "").replace("\\", "/")).name)[:200] or "?"


# --------------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------------


def _encode(thumb: Image.Image) -> bytes:
    has_alpha = thumb.mode in ("RGBA", "LA", "PA") or (thumb.mode == "P" and "transparency" in thumb.info)
    out = io.BytesIO()
    if THUMB_FORMAT == "WEBP":
        thumb.convert("RGBA" if has_alpha else "RGB").save(out, "WEBP", quality=82, method=4)
    else:
        flat = Image.new("RGB", thumb.size, "white")  # JPEG has no transparency: on white, as a shop shows it
        rgba = thumb.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        flat.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def _thumbnails(picture: Image.Image) -> dict[str, bytes]:
    """The picture fitted in each THUMB_SIDES square, turned upright as the camera meant it; each smaller one is
    made from the one before (one full-size copy in memory, not one per thumbnail)."""
    thumb = ImageOps.exif_transpose(picture)
    made = {}
    for size, side in sorted(THUMB_SIDES.items(), key=lambda item: -item[1]):
        thumb.thumbnail((side, side), Image.Resampling.LANCZOS)
        made[size] = _encode(thumb)
    return made


def _store(image: ProductImage, upload: Any, checked: Checked, written: list[str]) -> None:
    """Write the original (as uploaded) and its thumbnails next to it, adding each name to `written` so that
    the caller can remove them when the row is not saved."""
    stem = uuid.uuid4().hex[:16]
    upload.seek(0)
    image.file.save(f"{stem}.{EXTENSIONS[checked.format]}", upload, save=False)
    written.append(image.file.name)
    folder = PurePath(image.file.name).parent
    suffix = "webp" if THUMB_FORMAT == "WEBP" else "jpg"
    for size, data in _thumbnails(checked.picture).items():
        name = default_storage.save(str(folder / f"{stem}_{THUMB_SIDES[size]}.{suffix}"), ContentFile(data))
        written.append(name)
        setattr(image, f"thumb_{size}", name)


def _files_of(image: ProductImage) -> list[str]:
    return [name for name in (image.file.name, image.thumb_small, image.thumb_large) if name]


def _remove_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def stored_files() -> list[str]:
    """Every file the product images keep (originals and thumbnails): what a reset of the database leaves
    behind unless it removes them too (demo --reset)."""
    return [name for image in ProductImage.objects.all() for name in _files_of(image)]


def remove_files(names: Iterable[str]) -> None:
    """Remove stored files, for a caller that already deleted their rows (demo --reset)."""
    _remove_files(names)


def _remove_after_commit(names: list[str]) -> None:
    # robust: a file that cannot be removed (already gone, a storage hiccup) must not fail the request.
    transaction.on_commit(lambda: _remove_files(names), robust=True)


# --------------------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------------------


def _lock(product: Product) -> Product:
    """The product's row, locked: two people reordering the same gallery wait for each other."""
    return Product.objects.select_for_update().select_related("shop").get(pk=product.pk)


def _gallery(product: Product) -> list[ProductImage]:
    return list(product.images.filter(kind=ImageKind.GALLERY).order_by("position", "id"))


def _renumber(gallery: list[ProductImage]) -> None:
    """Gallery positions 1, 2, 3… in the list's order (the main image is 0)."""
    changed = []
    for index, image in enumerate(gallery, start=1):
        if image.position != index:
            image.position = index
            changed.append(image)
    if changed:
        ProductImage.objects.bulk_update(changed, ["position"])


def _check_sku(product: Product, sku: Sku | None) -> None:
    if sku is not None and sku.product_id != product.pk:
        raise ImageRejected(
            _("SKU %(sku)s belongs to another product.") % {"sku": sku.code}, rules=["sku_of_other_product"]
        )


def _demote_main(product: Product, gallery: list[ProductImage]) -> ProductImage | None:
    """The current main image becomes the gallery's first picture (nothing uploaded is lost)."""
    old = product.images.filter(kind=ImageKind.MAIN).first()
    if old is not None:
        old.kind = ImageKind.GALLERY
        old.save(update_fields=["kind"])
        gallery.insert(0, old)
    return old


def _describe(image: ProductImage) -> dict[str, Any]:
    described: dict[str, Any] = {"image": f"{image} ({image.width}×{image.height} px)"}
    if image.sku_id:
        described["sku"] = image.sku.code if image.sku else image.sku_id
    return described


def add_image(*, actor: Any, product: Product, upload: Any, kind: str, sku: Sku | None = None) -> ProductImage:
    """Check one uploaded file and keep it as the product's main image (the old one moves to the front of the
    gallery) or as the last gallery image. ImageRejected names the file and each rule it breaks."""
    roles.require(actor, roles.EDIT_CATALOG)
    _check_sku(product, sku)
    if kind not in ImageKind.values:
        raise ImageRejected(_("Choose the main image or the gallery."), rules=["kind"])
    checked = check_upload(upload, kind=kind, channel=product.shop.channel)
    image = ProductImage(
        product=product,
        sku=sku,
        kind=kind,
        original_name=display_name(upload),
        format=checked.format,
        width=checked.width,
        height=checked.height,
        bytes=checked.bytes,
        uploaded_by=actor,
    )
    written: list[str] = []
    try:
        _store(image, upload, checked, written)
        with transaction.atomic():
            product = _lock(product)
            gallery = _gallery(product)
            if kind == ImageKind.MAIN:
                _demote_main(product, gallery)
                image.position = 0
            image.full_clean(exclude=["file", "uploaded_by", "product", "sku"])
            image.save()
            if kind == ImageKind.GALLERY:
                gallery.append(image)
            _renumber(gallery)
            record_audit(actor=actor, action="product.image_add", obj=product, after={**_describe(image), "kind": kind})
    except BaseException:
        _remove_files(written)
        raise
    return image


@dataclass
class UploadResult:
    added: list[ProductImage] = field(default_factory=list)
    refused: list[ImageRejected] = field(default_factory=list)


def upload_images(
    *, actor: Any, product: Product, uploads: Iterable[Any], kind: str, sku: Sku | None = None
) -> UploadResult:
    """Several files at once, each on its own: a refused file is reported by name and the others are kept."""
    roles.require(actor, roles.EDIT_CATALOG)
    uploads = list(uploads)
    if kind == ImageKind.MAIN and len(uploads) > 1:
        raise ImageRejected(_("A product has one main image: choose one file (or upload to the gallery)."))
    result = UploadResult()
    for upload in uploads:
        try:
            result.added.append(add_image(actor=actor, product=product, upload=upload, kind=kind, sku=sku))
        except ImageRejected as exc:
            result.refused.append(exc)
    return result


@transaction.atomic
def set_main_image(*, actor: Any, image: ProductImage) -> ProductImage:
    """Make a gallery image the main one (the old main image takes its place at the front of the gallery); the
    channel's main-image rules are checked again, a gallery image need not have been square."""
    roles.require(actor, roles.EDIT_CATALOG)
    product = _lock(image.product)
    image = ProductImage.objects.select_related("sku").get(pk=image.pk)
    if image.kind == ImageKind.MAIN:
        return image
    rules = rules_for(product.shop.channel)
    problems = _problems_of_size(
        name=str(image),
        width=image.width,
        height=image.height,
        size=image.bytes,
        kind=ImageKind.MAIN,
        rules=rules,
        channel=product.shop.channel,
    )
    if problems:
        raise ImageRejected(" ".join(m for _c, m in problems), file=str(image), rules=[c for c, _m in problems])
    gallery = [g for g in _gallery(product) if g.pk != image.pk]
    old = _demote_main(product, gallery)
    image.kind, image.position = ImageKind.MAIN, 0
    image.save(update_fields=["kind", "position"])
    _renumber(gallery)
    before = {"image": str(old)} if old is not None else {}
    record_audit(actor=actor, action="product.image_main", obj=product, before=before, after={"image": str(image)})
    return image


@transaction.atomic
def move_image(*, actor: Any, image: ProductImage, step: int) -> ProductImage:
    """Move a gallery image one place earlier (step −1) or later (+1); at either end nothing changes."""
    roles.require(actor, roles.EDIT_CATALOG)
    product = _lock(image.product)
    gallery = _gallery(product)
    index = next((i for i, g in enumerate(gallery) if g.pk == image.pk), None)
    if index is None or step not in (-1, 1) or not 0 <= index + step < len(gallery):
        return image
    gallery[index], gallery[index + step] = gallery[index + step], gallery[index]
    before = {"position": index + 1}
    _renumber(gallery)
    record_audit(
        actor=actor,
        action="product.image_move",
        obj=product,
        before={"image": str(image), **before},
        after={"image": str(image), "position": index + step + 1},
    )
    return gallery[index + step]


@transaction.atomic
def set_image_sku(*, actor: Any, image: ProductImage, sku: Sku | None) -> ProductImage:
    """Say which SKU the picture shows (None: the product as a whole)."""
    roles.require(actor, roles.EDIT_CATALOG)
    product = _lock(image.product)
    _check_sku(product, sku)
    image = ProductImage.objects.select_related("sku").get(pk=image.pk)
    if image.sku_id == (sku.pk if sku else None):
        return image
    before = {"image": str(image), "sku": image.sku.code if image.sku else ""}
    image.sku = sku
    image.save(update_fields=["sku"])
    record_audit(
        actor=actor,
        action="product.image_sku",
        obj=product,
        before=before,
        after={"image": str(image), "sku": sku.code if sku else ""},
    )
    return image


@transaction.atomic
def delete_image(*, actor: Any, image: ProductImage) -> None:
    """Forget the picture and, once that is committed, remove its files (the original and its thumbnails)."""
    roles.require(actor, roles.EDIT_CATALOG)
    product = _lock(image.product)
    image = ProductImage.objects.get(pk=image.pk)
    names = _files_of(image)
    described = _describe(image)
    image.delete()
    _renumber(_gallery(product))
    record_audit(actor=actor, action="product.image_delete", obj=product, before=described)
    _remove_after_commit(names)


# --------------------------------------------------------------------------------------------------------
# Selectors
# --------------------------------------------------------------------------------------------------------


@dataclass
class Gallery:
    """A product's pictures as its page shows them."""

    main: ProductImage | None
    gallery: list[ProductImage]
    by_sku: dict[int, ProductImage]  # SKU id → the first picture that shows it (the main image first)

    @property
    def all(self) -> list[ProductImage]:
        return ([self.main] if self.main else []) + self.gallery


def gallery_for(product: Product) -> Gallery:
    images = list(product.images.select_related("sku").order_by("position", "id"))
    main = next((i for i in images if i.kind == ImageKind.MAIN), None)
    gallery = [i for i in images if i.kind == ImageKind.GALLERY]
    by_sku: dict[int, ProductImage] = {}
    for image in ([main] if main else []) + gallery:
        if image.sku_id is not None:
            by_sku.setdefault(image.sku_id, image)
    return Gallery(main=main, gallery=gallery, by_sku=by_sku)


def main_thumbs(product_ids: Iterable[int]) -> dict[int, str]:
    """Product id → the URL of its main image's small thumbnail, for a list page (one query)."""
    rows = ProductImage.objects.filter(product_id__in=list(product_ids), kind=ImageKind.MAIN).values_list(
        "product_id", "thumb_small", "file"
    )
    return {pk: default_storage.url(thumb or name) for pk, thumb, name in rows}


def image_of(pk: int) -> ProductImage:
    """One image with its product and shop (ProductImage.DoesNotExist when there is none)."""
    return ProductImage.objects.select_related("product__shop", "sku").get(pk=pk)
