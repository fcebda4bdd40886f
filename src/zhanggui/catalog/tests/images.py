"""Pictures made in memory for the image tests, and a media folder of their own."""

from __future__ import annotations

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def picture(
    width: int = 1000, height: int = 1000, fmt: str = "JPEG", *, name: str = "", noise: bool = False
) -> SimpleUploadedFile:
    """An uploaded picture of that size and real format; `name` may lie about it (a PNG called .jpg)."""
    if noise:  # random pixels do not compress: a big file
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (200, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return SimpleUploadedFile(name or f"photo.{EXTENSIONS[fmt]}", buffer.getvalue(), content_type="image/jpeg")


def use_tmp_media(settings, tmp_path):
    """MEDIA_ROOT in a fresh folder (each test module's `media` fixture): what the tests store, and whether it
    is gone again, is seen there."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
