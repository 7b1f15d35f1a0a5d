"""When scheduled posts go live."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min
from django.utils import timezone

from .models import Post


def next_scheduled_publication() -> datetime | None:
    """The time the next scheduled post goes live, if any.

    Cached pages expire no later than this: a scheduled post appears on the first
    read after its time even with no worker running and nothing else changing.
    """
    return Post.objects.filter(
        status=Post.Status.SCHEDULED, published_at__gt=timezone.now()
    ).aggregate(next_at=Min("published_at"))["next_at"]
