"""Storing uploads and making image renditions: the only code that writes media files."""

from __future__ import annotations

import io
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image as PillowImage
from PIL import ImageOps

from .models import Image, Rendition, Video
from .signals import renditions_ready
from .validation import (
    display_name,
    inspect_captions,
    inspect_image,
    inspect_video,
    without_metadata,
)

logger = logging.getLogger(__name__)

RENDITION_QUALITY = 80


def _new_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def _required_text(value: str, message: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise ValidationError(message, code="required")
    return cleaned


@transaction.atomic
def image_upload(
    *, blog: Any, upload: UploadedFile, alt_text: str, caption: str = "", by: Any
) -> Image:
    """Check and store an uploaded picture; renditions follow from a background task.

    Nothing is written unless every check passes. The stored name is ours
    (random), never the browser's.
    """
    alt = _required_text(alt_text, _("Describe the picture for readers who cannot see it."))
    facts = inspect_image(upload)
    stripped = without_metadata(upload, facts)
    content: Any = ContentFile(stripped.getvalue()) if stripped is not None else upload
    image = Image(
        blog=blog,
        alt_text=alt[:250],
        caption=" ".join(caption.split())[:250],
        format=facts.format,
        byte_size=stripped.getbuffer().nbytes if stripped is not None else upload.size or 0,
        original_name=display_name(upload.name),
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    image.file.save(_new_name(facts.extension), content, save=False)
    # Set from what was checked (and turned upright), not read again from storage.
    image.width, image.height = (
        _stored_size(stripped)
        if stripped is not None
        else (
            facts.width,
            facts.height,
        )
    )
    try:
        image.save()
    except Exception:
        image.file.storage.delete(image.file.name)
        raise
    transaction.on_commit(lambda: _enqueue_renditions(image.pk))
    return image


def _stored_size(buffer: io.BytesIO) -> tuple[int, int]:
    buffer.seek(0)
    with PillowImage.open(buffer) as picture:
        return picture.size


def _enqueue_renditions(image_id: int) -> None:
    from .tasks import make_image_renditions

    make_image_renditions.enqueue(image_id=image_id)


def image_make_renditions(*, image_id: int) -> int:
    """Make the WebP renditions of one image that do not exist yet; return how many exist.

    Safe to run twice (a retried task): widths already made are skipped.
    Animated GIFs keep only their original, which is what animates.
    """
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return 0
    made = set(image.renditions.values_list("width", flat=True))
    widths = [w for w in settings.DESPATCH_IMAGE_RENDITION_WIDTHS if w < image.width]
    with image.file.open("rb") as stored, PillowImage.open(stored) as picture:
        animated = getattr(picture, "n_frames", 1) > 1
        if not animated:
            upright = ImageOps.exif_transpose(picture)
            if upright.mode not in {"RGB", "RGBA"}:
                upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
            for width in widths:
                if width in made:
                    continue
                height = max(1, round(image.height * width / image.width))
                resized = upright.resize((width, height), PillowImage.Resampling.LANCZOS)
                buffer = io.BytesIO()
                resized.save(buffer, format="WEBP", quality=RENDITION_QUALITY, method=4)
                rendition = Rendition(image=image, width=width, height=height)
                stem = image.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                rendition.file.save(f"{stem}-{width}w.webp", ContentFile(buffer.getvalue()))
    Image.objects.filter(pk=image.pk).update(renditions_made_at=timezone.now())
    image.refresh_from_db()
    renditions_ready.send(sender=Image, image=image)
    return image.renditions.count()


@transaction.atomic
def image_describe(*, image: Image, alt_text: str, caption: str = "") -> Image:
    """Change what an image is described as; the description can never be emptied."""
    image.alt_text = _required_text(
        alt_text, _("Describe the picture for readers who cannot see it.")
    )[:250]
    image.caption = " ".join(caption.split())[:250]
    image.save(update_fields=["alt_text", "caption"])
    return image


@transaction.atomic
def video_upload(
    *,
    blog: Any,
    upload: UploadedFile,
    title: str,
    transcript: str,
    captions: UploadedFile | None = None,
    captions_language: str = "en",
    by: Any,
) -> Video:
    """Check and store a video, with its captions file and the transcript readers see."""
    clean_title = _required_text(title, _("Give the video a title."))
    clean_transcript = (transcript or "").strip()
    if not clean_transcript:
        raise ValidationError(
            _("Add the transcript: everything said in the video, for people who cannot play it."),
            code="required",
        )
    extension = inspect_video(upload)
    captions_text = inspect_captions(captions) if captions else None
    video = Video(
        blog=blog,
        title=clean_title[:200],
        transcript=clean_transcript,
        captions_language=(captions_language or "en")[:10],
        byte_size=upload.size or 0,
        original_name=display_name(upload.name),
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    video.file.save(_new_name(extension), upload, save=False)
    written = [video.file.name]
    try:
        if captions_text is not None:
            video.captions.save(_new_name("vtt"), ContentFile(captions_text.encode()), save=False)
            written.append(video.captions.name)
        video.save()
    except Exception:
        for name in written:
            video.file.storage.delete(name)
        raise
    return video
