"""Pictures made on the spot with Pillow: small, real, and each one a known shape."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def picture(
    name: str = "photo.jpg",
    *,
    size: tuple[int, int] = (1600, 900),
    format: str = "JPEG",
    exif: bool = False,
    frames: int = 1,
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (29, 78, 137))
    options: dict = {}
    if exif:
        metadata = Image.Exif()
        metadata[0x010F] = "PhoneMaker"  # camera make
        metadata[0x0112] = 1  # orientation
        options["exif"] = metadata
    if frames > 1:
        options.update(
            save_all=True,
            append_images=[Image.new("RGB", size, (i * 40, 0, 0)) for i in range(1, frames)],
        )
    image.save(buffer, format=format, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{format.lower()}")
