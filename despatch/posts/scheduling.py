"""When scheduled posts go live."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Min
from django.http import HttpRequest
from django.utils import timezone

from despatch.core.fragments import cached_fragment

from .cache_keys import LIVE_POSTS
from .models import Post


def next_scheduled_publication(request: HttpRequest | None = None) -> datetime | None:
    """The time the next scheduled post goes live, if any.

    Cached pages expire no later than this: a scheduled post appears on the first
    read after its time even with no worker running and nothing else changing.
    Scheduling a post changes ``LIVE_POSTS``, so the answer is kept under that key
    until then, sparing every page render the query.
    """
    return cached_fragment(
        request,
        name="next-scheduled-publication",
        keys=[LIVE_POSTS],
        render=_read_next_scheduled_publication,
        shown_by_page=False,
        keep_seconds=_seconds_until_due,
    )


def _read_next_scheduled_publication() -> datetime | None:
    return Post.objects.filter(
        status=Post.Status.SCHEDULED, published_at__gt=timezone.now()
    ).aggregate(next_at=Min("published_at"))["next_at"]


def _seconds_until_due(moment: datetime | None) -> float:
    if moment is None:
        return float(settings.DESPATCH_PAGE_CACHE_SECONDS)
    return max(0.0, (moment - timezone.now()).total_seconds())
