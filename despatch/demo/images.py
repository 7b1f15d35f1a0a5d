"""Pictures for the demo network, drawn with Pillow so the demo ships no image files.

Author photos are initials on a colour, as a site shows before a real photo
is uploaded; blog top images are abstract bands of colour in the blog's
accent. Both are drawn from a seed, so every run draws the same pictures.
"""

from __future__ import annotations

import io
import math
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter, ImageFont

PHOTO_SIZE = 480
TOP_IMAGE_SIZE = (1600, 500)

RGB = tuple[int, int, int]


def _rgb(hex_colour: str) -> RGB:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def _mix(first: RGB, second: RGB, share: float) -> RGB:
    """The colour ``share`` of the way from ``first`` to ``second``."""
    return (
        round(first[0] + (second[0] - first[0]) * share),
        round(first[1] + (second[1] - first[1]) * share),
        round(first[2] + (second[2] - first[2]) * share),
    )


def _encode(image: Image.Image, image_format: str, name: str) -> ContentFile[bytes]:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        image.save(buffer, image_format, optimize=True)
    return ContentFile(buffer.getvalue(), name=name)


def author_photo(*, initials: str, colour: str, name: str) -> ContentFile[bytes]:
    """A square PNG portrait placeholder: white initials centred on ``colour``.

    ``initials`` should be in Latin letters: Pillow's bundled font has no
    Arabic glyphs, and shaping Arabic would need fonts the demo cannot rely on.
    """
    background = _rgb(colour)
    image = Image.new("RGB", (PHOTO_SIZE, PHOTO_SIZE), background)
    draw = ImageDraw.Draw(image)
    # A lighter disc behind the letters gives the flat colour some depth.
    inset = PHOTO_SIZE // 8
    draw.ellipse(
        (inset, inset, PHOTO_SIZE - inset, PHOTO_SIZE - inset),
        fill=_mix(background, (255, 255, 255), 0.12),
    )
    font = ImageFont.load_default(size=PHOTO_SIZE // 3)
    draw.text(
        (PHOTO_SIZE / 2, PHOTO_SIZE / 2), initials, font=font, fill=(255, 255, 255), anchor="mm"
    )
    return _encode(image, "PNG", name)


def blog_top_image(*, colour: str, seed: str, name: str) -> ContentFile[bytes]:
    """A wide JPEG of soft, overlapping waves in shades of ``colour`` over a pale sky."""
    rng = random.Random(seed)  # noqa: S311 - the same picture on every run, not a secret
    width, height = TOP_IMAGE_SIZE
    accent = _rgb(colour)
    white = (255, 255, 255)
    sky_top, sky_bottom = _mix(accent, white, 0.88), _mix(accent, white, 0.55)

    image = Image.new("RGB", TOP_IMAGE_SIZE, sky_top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=_mix(sky_top, sky_bottom, y / height))

    # A low sun, or moon, somewhere in the upper half.
    sun_x, sun_y, radius = rng.randint(200, width - 200), rng.randint(70, 200), rng.randint(50, 90)
    glow = Image.new("L", TOP_IMAGE_SIZE, 0)
    ImageDraw.Draw(glow).ellipse(
        (sun_x - radius * 2, sun_y - radius * 2, sun_x + radius * 2, sun_y + radius * 2), fill=90
    )
    image.paste(white, mask=glow.filter(ImageFilter.GaussianBlur(radius)))
    draw.ellipse(
        (sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius),
        fill=_mix(white, accent, 0.08),
    )

    bands = 6
    for band in range(bands):
        depth = (band + 1) / bands
        baseline = height * (0.42 + 0.5 * depth)
        amplitude = rng.uniform(12, 40) * (1.2 - depth / 2)
        wavelength = rng.uniform(500, 1100)
        phase = rng.uniform(0, 2 * math.pi)
        outline = [
            (x, baseline + amplitude * math.sin(2 * math.pi * x / wavelength + phase))
            for x in range(0, width + 20, 20)
        ]
        draw.polygon(
            [*outline, (width, height), (0, height)],
            fill=_mix(sky_bottom, _mix(accent, (0, 0, 0), 0.25), 0.25 + 0.75 * depth),
        )
    return _encode(image.filter(ImageFilter.SMOOTH), "JPEG", name)
