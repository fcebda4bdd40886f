"""Pictures for the demo's products, so that lists and product pages show thumbnails: a plain square in a colour of
the product's own, with its code, uploaded by the designer through the image service (rules, thumbnails, audit)."""

from __future__ import annotations

import colorsys
import io
import random
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from zhanggui.catalog import images
from zhanggui.catalog.models import ImageKind, Product

SIZE = 800  # the platforms' minimum: the picture passes the same rules as an uploaded one


def picture(code: str, rng: random.Random) -> bytes:
    """An 800×800 JPEG: a soft colour, a darker band and the product code."""
    r, g, b = colorsys.hls_to_rgb(rng.random(), 0.82, 0.45)
    image = Image.new("RGB", (SIZE, SIZE), (int(r * 255), int(g * 255), int(b * 255)))
    draw = ImageDraw.Draw(image)
    dark = tuple(int(c * 255 * 0.55) for c in (r, g, b))
    draw.rectangle((0, SIZE * 2 // 3, SIZE, SIZE), fill=dark)
    font = ImageFont.load_default(size=96)
    draw.text((SIZE // 2, SIZE * 5 // 6), code, fill=(255, 255, 255), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def add_demo_pictures(*, designer: Any, products: Iterable[Product], seed: int) -> int:
    """A main picture for each product; returns how many were uploaded."""
    rng = random.Random(f"zhanggui-demo-pictures-{seed}")
    made = 0
    for product in products:
        upload = SimpleUploadedFile(f"{product.code}.jpg", picture(product.code, rng), content_type="image/jpeg")
        images.add_image(actor=designer, product=product, upload=upload, kind=ImageKind.MAIN)
        made += 1
    return made
