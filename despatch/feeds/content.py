"""What a post's stored HTML needs before it can travel in a feed.

Feed readers show an entry far from the site: every address in it must be
absolute, the text must be legal XML 1.0, and the media it embeds are offered
separately as enclosures so that podcast-style clients can fetch them.
"""

from __future__ import annotations

import html
import mimetypes
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models.fields.files import FieldFile

# XML 1.0 forbids most C0 control characters and the two non-characters; a post
# imported from an old blog may still carry them, and one would break the feed.
NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster|cite)=")([^"]*)(")')
SRCSET_ATTRIBUTE = re.compile(r'(\ssrcset=")([^"]*)(")')


def xml_text(value: str) -> str:
    """Return ``value`` without the characters that XML 1.0 cannot carry."""
    return NOT_XML_TEXT.sub("", value)


def absolute_url(url: str, base: str | None = None) -> str:
    """Resolve a site-relative address against ``base`` (the site's own address by default)."""
    return urljoin(base or settings.SITE_URL + "/", url)


def absolute_html(fragment: str, *, base: str) -> str:
    """Rewrite every link and media address in sanitised HTML to an absolute one.

    ``base`` is the address of the page the fragment belongs to, so footnote
    references (``#fn1``) lead back to the right place on the site. The input
    is the sanitiser's own output, whose attributes are always double-quoted.
    """

    def resolve(value: str) -> str:
        return html.escape(absolute_url(html.unescape(value).strip(), base), quote=True)

    def rewrite_url(match: re.Match[str]) -> str:
        return f"{match.group(1)}{resolve(match.group(2))}{match.group(3)}"

    def rewrite_srcset(match: re.Match[str]) -> str:
        candidates = []
        for candidate in match.group(2).split(","):
            address, _space, descriptor = candidate.strip().partition(" ")
            candidates.append(f"{resolve(address)} {descriptor}".strip())
        return f"{match.group(1)}{', '.join(candidates)}{match.group(3)}"

    return SRCSET_ATTRIBUTE.sub(rewrite_srcset, URL_ATTRIBUTE.sub(rewrite_url, fragment))


@dataclass(frozen=True)
class Media:
    """A file a post embeds, offered as an enclosure or JSON Feed attachment."""

    url: str
    mime_type: str
    size: int | None = None

    @property
    def is_video(self) -> bool:
        return self.mime_type.startswith("video/")


class _MediaCollector(HTMLParser):
    """Collect the self-hosted videos and the images of a sanitised body, in order.

    Video embeds of the big hosts are frames, not files, so they stay in the
    content only.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.videos: list[tuple[str, str]] = []
        self.images: list[str] = []
        self._in_video = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "video":
            self._in_video = True
            if attributes.get("src"):
                self.videos.append((attributes["src"], ""))
        elif tag == "source" and self._in_video and attributes.get("src"):
            self.videos.append((attributes["src"], attributes.get("type", "")))
        elif tag == "img" and attributes.get("src"):
            self.images.append(attributes["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "video":
            self._in_video = False


def _guess_type(url: str, fallback: str) -> str:
    guessed, _encoding = mimetypes.guess_type(urlsplit(url).path)
    return guessed or fallback


def _local_size(url: str) -> int | None:
    """The size of a file in our own media storage, when that costs only a ``stat``.

    Remote storages would need a request per file, so their sizes stay unknown.
    """
    if not isinstance(default_storage, FileSystemStorage):
        return None
    media_prefix = absolute_url(settings.MEDIA_URL)
    if not url.startswith(media_prefix):
        return None
    try:
        return default_storage.size(unquote(url.removeprefix(media_prefix)))
    except (OSError, SuspiciousOperation):
        return None


def _media(url: str, mime_type: str) -> Media | None:
    if urlsplit(url).scheme not in {"http", "https"}:
        return None
    return Media(url=url, mime_type=mime_type, size=_local_size(url))


def post_media(*, body_html: str, top_image: FieldFile | None = None) -> list[Media]:
    """The files a post offers: its videos first, then its top image, then body images.

    ``body_html`` must already have absolute addresses (see ``absolute_html``).
    """
    collector = _MediaCollector()
    collector.feed(body_html)
    collector.close()
    found: list[Media | None] = [
        _media(src, declared or _guess_type(src, "video/mp4")) for src, declared in collector.videos
    ]
    if top_image:
        top = absolute_url(top_image.url)
        found.append(_media(top, _guess_type(top, "image/jpeg")))
    found.extend(_media(src, _guess_type(src, "image/jpeg")) for src in collector.images)
    unique: dict[str, Media] = {}
    for media in found:
        if media is not None and media.url not in unique:
            unique[media.url] = media
    return list(unique.values())
