"""Background work on media, run by ``despatch worker`` (or at once, in tests)."""

from __future__ import annotations

from django_tasks import task

from .services import image_make_renditions


@task()
def make_image_renditions(image_id: int) -> int:
    """Make the smaller WebP sizes of an uploaded image for ``srcset``."""
    return image_make_renditions(image_id=image_id)
