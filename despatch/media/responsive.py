"""``srcset`` for pictures from our own media library, added to rendered HTML.

Rendered bodies are stored, so this runs when a post is saved (and again
when an image's renditions arrive), never when a page is read.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import unquote

from django.conf import settings

# The space an image takes in the text column; the browser picks the file from it.
BODY_IMAGE_SIZES = "(min-width: 45rem) 40rem, 100vw"
_IMG = re.compile(r"<img\b([^>]*)>")
_SRC = re.compile(r'\ssrc="([^"]+)"')


def _storage_name(url: str) -> str | None:
    prefix = settings.MEDIA_URL
    if not url.startswith(prefix):
        return None
    return unquote(url.removeprefix(prefix))


def srcsets_for(names: Iterable[str]) -> dict[str, tuple[str, int, int]]:
    """For each stored image name with renditions: (srcset, width, height) in one query."""
    from .models import Image

    wanted = {name for name in names if name}
    if not wanted:
        return {}
    found: dict[str, tuple[str, int, int]] = {}
    images = Image.objects.filter(file__in=wanted, renditions_made_at__isnull=False)
    for image in images.prefetch_related("renditions"):
        candidates = [f"{r.file.url} {r.width}w" for r in image.renditions.all()]
        if not candidates:
            continue
        candidates.append(f"{image.file.url} {image.width}w")
        found[image.file.name] = (", ".join(candidates), image.width, image.height)
    return found


def srcset_for(name: str) -> str:
    """The ``srcset`` of one stored image, or an empty string when it has no renditions."""
    entry = srcsets_for([name]).get(name)
    return entry[0] if entry else ""


def add_srcset(body_html: str) -> str:
    """Give each of our library's images in ``body_html`` its ``srcset``, ``sizes`` and size."""
    names = {}
    for match in _IMG.finditer(body_html):
        attributes = match.group(1)
        src = _SRC.search(attributes)
        if src and "srcset=" not in attributes:
            name = _storage_name(html.unescape(src.group(1)))
            if name:
                names[match.group(0)] = name
    if not names:
        return body_html
    found = srcsets_for(names.values())

    def enrich(match: re.Match[str]) -> str:
        name = names.get(match.group(0))
        if not name or name not in found:
            return match.group(0)
        srcset, width, height = found[name]
        extra = f' srcset="{html.escape(srcset)}" sizes="{BODY_IMAGE_SIZES}"'
        if "width=" not in match.group(1):
            extra += f' width="{width}" height="{height}"'
        return f"<img{match.group(1)}{extra}>"

    return _IMG.sub(enrich, body_html)
