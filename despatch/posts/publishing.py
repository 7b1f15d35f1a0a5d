"""Publishing a post: the one place that decides what publication changes."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import Post


def freeze_signature(post: Post) -> None:
    """Copy the author's current job title and location onto the post (R10).

    A post keeps the signature it was published under: an ambassador who moves
    on still wrote last year's posts as ambassador to the old posting.
    """
    if not post.author_job_title and not post.author_location:
        post.author_job_title = post.author.job_title
        post.author_location = post.author.location


@transaction.atomic
def post_publish(*, post: Post, at: datetime | None = None) -> Post:
    """Publish ``post`` now, or schedule it for ``at`` if that is in the future."""
    when = at or timezone.now()
    post.published_at = when
    post.status = Post.Status.SCHEDULED if when > timezone.now() else Post.Status.PUBLISHED
    freeze_signature(post)
    post.save()
    return post


@transaction.atomic
def post_unpublish(*, post: Post) -> Post:
    """Take ``post`` off the public site; it becomes a draft again, its date kept."""
    post.status = Post.Status.DRAFT
    post.save()
    return post
