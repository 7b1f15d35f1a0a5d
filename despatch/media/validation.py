"""Deciding whether an upload may be stored, before a single byte of it is written.

Everything a browser sends is doubted: the name (path tricks, hidden files,
double extensions), the declared type (ignored; the bytes are read), the size,
and for images the pixel count, which is what a decompression bomb inflates.
SVG is refused outright: it is a document that can carry scripts.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError

IMAGE_EXTENSIONS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "gif": "GIF",
}
STORED_IMAGE_EXTENSION = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
VIDEO_EXTENSIONS = {"mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm"}
CAPTIONS_EXTENSIONS = {"vtt": "text/vtt"}
MAX_CAPTIONS_BYTES = 512 * 1024
# Bytes that open a drawing or a web page rather than a picture.
MARKUP_OPENINGS = (b"<", b"\xef\xbb\xbf<")


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int
    extension: str
    frames: int
    has_metadata: bool


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def checked_extension(name: str | None, allowed: dict[str, str], what: str) -> str:
    """Return the lower-case extension of a safe file name, or refuse the name.

    Django already drops any directory part a browser sends; what is left is
    still refused if it hides (``.htaccess``), carries control characters or
    separators, or does not end in an extension we accept.
    """
    if not name:
        raise _refuse(_("The file has no name."), "no_name")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise _refuse(_("The file name contains control characters."), "bad_name")
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name:
        raise _refuse(
            _("The file name “%(name)s” is not allowed: rename the file and try again.")
            % {"name": name[:80]},
            "bad_name",
        )
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower()
    if not dot or not stem or extension not in allowed:
        raise _refuse(
            _("%(what)s must be one of these kinds of file: %(kinds)s.")
            % {"what": what, "kinds": ", ".join(sorted({f".{e}" for e in allowed}))},
            "bad_extension",
        )
    return extension


def _check_size(upload: UploadedFile, limit: int) -> None:
    if upload.size is None or upload.size == 0:
        raise _refuse(_("The file is empty."), "empty")
    if upload.size > limit:
        raise _refuse(
            _("The file is %(size)s; the most we accept is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            "too_large",
        )


def _opening(upload: UploadedFile, length: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def inspect_image(upload: UploadedFile) -> ImageFacts:
    """Check an image upload thoroughly and describe it; raise ``ValidationError`` if refused."""
    checked_extension(upload.name, IMAGE_EXTENSIONS, _("An image"))
    _check_size(upload, settings.DESPATCH_MAX_UPLOAD_BYTES)
    if _opening(upload).lstrip().startswith(MARKUP_OPENINGS):
        raise _refuse(
            _(
                "SVG drawings and other documents are not accepted as images: "
                "they can carry scripts."
            ),
            "markup",
        )
    max_pixels = settings.DESPATCH_MAX_IMAGE_PIXELS
    too_many_pixels = _refuse(
        _("The picture is too large in pixels (at most %(megapixels)s megapixels).")
        % {"megapixels": max_pixels // 1_000_000},
        "too_many_pixels",
    )
    not_an_image = _refuse(
        _("This file is not a picture we can read. Upload a JPEG, PNG, WebP or GIF image."),
        "not_an_image",
    )
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; a warning is a refusal here.
            warnings.simplefilter("error", PillowImage.DecompressionBombWarning)
            with PillowImage.open(upload) as picture:
                format_name = picture.format or ""
                width, height = picture.size
                if format_name not in STORED_IMAGE_EXTENSION:
                    raise not_an_image
                # Checked from the header before any pixel is decoded: a bomb is small on disk.
                if width * height > max_pixels:
                    raise too_many_pixels
                picture.verify()
            upload.seek(0)
            with PillowImage.open(upload) as picture:
                frames = getattr(picture, "n_frames", 1)
                if width * height * frames > max_pixels * 4:
                    raise too_many_pixels
                has_metadata = bool(picture.info.get("exif")) or bool(picture.getexif())
    except ValidationError:
        raise
    except (PillowImage.DecompressionBombError, PillowImage.DecompressionBombWarning) as error:
        raise too_many_pixels from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, RuntimeError) as error:
        raise not_an_image from error
    finally:
        upload.seek(0)
    if width < 1 or height < 1:
        raise not_an_image
    return ImageFacts(
        format=format_name,
        width=width,
        height=height,
        extension=STORED_IMAGE_EXTENSION[format_name],
        frames=frames,
        has_metadata=has_metadata,
    )


def without_metadata(upload: UploadedFile, facts: ImageFacts) -> io.BytesIO | None:
    """Re-encode a still photo without its EXIF block (where it was taken, on what phone).

    Returns ``None`` when there is nothing to strip or the image is animated.
    The picture is turned upright first, since the orientation lived in EXIF.
    """
    if not facts.has_metadata or facts.frames > 1:
        return None
    from PIL import ImageOps

    upload.seek(0)
    with PillowImage.open(upload) as picture:
        upright = ImageOps.exif_transpose(picture)
        buffer = io.BytesIO()
        options: dict[str, object] = {}
        if facts.format == "JPEG":
            options = {"quality": 90, "optimize": True}
            upright = upright.convert("RGB") if upright.mode not in {"RGB", "L"} else upright
        elif facts.format == "WEBP":
            options = {"quality": 90}
        upright.save(buffer, format=facts.format, **options)
    upload.seek(0)
    buffer.seek(0)
    return buffer


def inspect_video(upload: UploadedFile) -> str:
    """Check a video upload; return its extension. MP4 and WebM only, by their bytes."""
    extension = checked_extension(upload.name, VIDEO_EXTENSIONS, _("A video"))
    _check_size(upload, settings.DESPATCH_MAX_VIDEO_UPLOAD_BYTES)
    head = _opening(upload, 16)
    is_mp4 = head[4:8] == b"ftyp"
    is_webm = head[:4] == b"\x1a\x45\xdf\xa3"
    if not (is_mp4 or is_webm) or (extension == "webm") != is_webm:
        raise _refuse(_("This file is not an MP4 or WebM video we can serve."), "not_a_video")
    return extension


def inspect_captions(upload: UploadedFile) -> str:
    """Check a captions file: WebVTT, UTF-8, small. Returns its text."""
    checked_extension(upload.name, CAPTIONS_EXTENSIONS, _("Captions"))
    _check_size(upload, MAX_CAPTIONS_BYTES)
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(
            _("The captions file must be saved as UTF-8 text."), "bad_captions"
        ) from error
    if not text.startswith("WEBVTT"):
        raise _refuse(
            _("The captions file must be WebVTT (it starts with “WEBVTT”)."), "bad_captions"
        )
    return text


def display_name(name: str | None) -> str:
    """The uploaded name, tidied, for people to recognise their file by; never used as a path."""
    cleaned = "".join(
        char for char in (name or "") if not unicodedata.category(char).startswith("C")
    )
    return cleaned.replace("/", "_").replace("\\", "_")[:120]
