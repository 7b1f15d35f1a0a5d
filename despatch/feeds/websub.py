"""WebSub (PRODUCT F3): telling the hub that feeds changed, so subscribers hear at once.

Readers who follow through a WebSub-aware service get new posts pushed to them
instead of polling. The hub learns of a change by a "publish" ping naming the
changed feeds; it then fetches them itself and fans the news out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.error import URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.db import transaction
from django_tasks import task

from despatch.posts.models import Post, Tag

from .links import feeds_showing

logger = logging.getLogger(__name__)

HUB_TIMEOUT_SECONDS = 10


class HubNotificationError(Exception):
    """The hub could not be told about some feeds; the task is marked failed."""


def hub_url() -> str:
    """The configured WebSub hub, or an empty string when push is switched off."""
    return getattr(settings, "WEBSUB_HUB_URL", "") or ""


def _ping(hub: str, feed_url: str) -> None:
    """Send one publish ping: a form-encoded POST of ``hub.mode=publish`` and ``hub.url``."""
    if urlsplit(hub).scheme not in {"http", "https"}:
        raise HubNotificationError(f"WEBSUB_HUB_URL must be an http(s) address, not {hub!r}.")
    request = Request(  # noqa: S310 - the scheme is checked above
        hub,
        data=urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": f"Despatch (+{settings.SITE_URL})",
        },
        method="POST",
    )
    with urlopen(request, timeout=HUB_TIMEOUT_SECONDS) as response:  # noqa: S310
        response.read()


@task()
def notify_hub(*, feed_urls: list[str]) -> int:
    """Tell the hub that each of ``feed_urls`` has changed; return how many it accepted.

    One ping per feed: every hub understands that, whereas several ``hub.url``
    values in one request are an extension only some hubs accept. A failure
    for one feed does not stop the others; the task fails at the end so the
    task backend records it.
    """
    hub = hub_url()
    if not hub:
        return 0
    failed: list[str] = []
    for feed_url in feed_urls:
        try:
            _ping(hub, feed_url)
        except (URLError, OSError, ValueError) as error:
            logger.warning("WebSub hub %s refused or missed %s: %s", hub, feed_url, error)
            failed.append(feed_url)
    if failed:
        raise HubNotificationError(f"The hub was not told about {len(failed)} feed(s): {failed}")
    return len(feed_urls)


def feed_urls_showing(post: Post, *, tag_ids: Iterable[int] = ()) -> list[str]:
    """The addresses of every posts feed that shows ``post``, in every format.

    ``tag_ids`` adds tags the post no longer has, whose feeds dropped it.
    """
    tags = list(post.tags.all())
    missing = set(tag_ids) - {tag.pk for tag in tags}
    if missing:
        tags += Tag.objects.filter(pk__in=missing)
    return list(dict.fromkeys(link.url for link in feeds_showing(post, tags)))


def announce_post(post: Post, *, feed_urls: list[str] | None = None) -> None:
    """Once the current transaction commits, ping the hub for every feed showing ``post``.

    The feeds are worked out after the commit, so tags set after the post was
    saved, in the same transaction, count too; a post about to be deleted
    passes ``feed_urls`` because it has no tags left by then. Several changes
    to one post in one transaction make one announcement.
    """
    if not hub_url() or getattr(post, "_feeds_announcement_pending", False):
        return
    post._feeds_announcement_pending = True  # type: ignore[attr-defined]

    def enqueue() -> None:
        post._feeds_announcement_pending = False  # type: ignore[attr-defined]
        removed: set[int] = getattr(post, "_feeds_removed_tag_ids", set())
        post._feeds_removed_tag_ids = set()  # type: ignore[attr-defined]
        urls = feed_urls if feed_urls is not None else feed_urls_showing(post, tag_ids=removed)
        notify_hub.enqueue(feed_urls=urls)

    transaction.on_commit(enqueue)
