"""The reads that pages, feeds and the moderation queue make, each a fixed number of queries."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from .models import Comment

if TYPE_CHECKING:
    from despatch.blogs.models import Blog
    from despatch.posts.models import Post

# What a public page shows of a comment; the e-mail and IP address never leave the database.
PUBLIC_FIELDS = (
    "id",
    "post_id",
    "parent_id",
    "author_name",
    "author_website",
    "body_html",
    "badge",
    "status",
    "submitted_at",
)


@dataclass
class Thread:
    """A top-level comment and its published replies, in the order they were written."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def post_threads(post: Post) -> tuple[list[Thread], int]:
    """The approved conversation under ``post``, in one query, and how many comments show.

    A reply whose parent is no longer published is not shown: it would answer
    nothing the reader can see.
    """
    comments = list(
        Comment.objects.approved()
        .filter(post_id=post.pk)
        .only(*PUBLIC_FIELDS)
        .order_by("submitted_at", "id")
    )
    threads: dict[int, Thread] = {}
    replies: list[Comment] = []
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.pk] = Thread(comment)
        else:
            replies.append(comment)
    shown = len(threads)
    for reply in replies:
        thread = threads.get(reply.parent_id)  # type: ignore[arg-type]
        if thread is not None:
            thread.replies.append(reply)
            shown += 1
    return list(threads.values()), shown


def approved_comments_feed(
    *, blog: Blog | None = None, post: Post | None = None, limit: int = 50
) -> QuerySet[Comment]:
    """The newest published comments, network-wide, on one blog or under one post.

    Ready for comment feeds and "Recent comments": each row carries its post and
    the post's blog (for the permalink) in the same query.
    """
    comments = Comment.objects.approved().on_live_posts()
    if post is not None:
        comments = comments.filter(post_id=post.pk)
    elif blog is not None:
        comments = comments.filter(blog_id=blog.pk)
    return (
        comments.select_related("post__blog")
        .only(
            *PUBLIC_FIELDS,
            "blog_id",
            "body",
            "post__title",
            "post__slug",
            "post__published_at",
            "post__language",
            "post__blog__slug",
            "post__blog__name",
            "post__blog__language",
        )
        .order_by("-submitted_at", "-id")[:limit]
    )


# --- The moderation queue ---------------------------------------------------------------

QUEUE_PAGE_SIZE = 25
# Counting every approved comment on a large network would cost more than the
# whole page; past this many, a tab says "10,000+".
TAB_COUNT_CAP = 10_000


@dataclass(frozen=True)
class QueueCursor:
    """A position in a tab: the submission time and id of a row, encoded for a URL."""

    submitted_at: datetime
    pk: int

    def encode(self) -> str:
        raw = f"{self.submitted_at.isoformat()}|{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str | None) -> QueueCursor | None:
        if not value:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            when, pk = raw.split("|")
            return cls(datetime.fromisoformat(when), int(pk))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None

    @classmethod
    def of(cls, comment: Comment) -> QueueCursor:
        return cls(comment.submitted_at, comment.pk)


@dataclass
class QueuePage:
    comments: list[Comment]
    next_cursor: QueueCursor | None
    previous_cursor: QueueCursor | None
    is_first: bool


def queue_page(
    *,
    status: str,
    after: QueueCursor | None = None,
    before: QueueCursor | None = None,
    size: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """One page of a moderation tab, oldest first, by keyset: the cost of page 4,000
    is the cost of page 1, because the database seeks to the cursor in its index
    instead of counting past every earlier row.
    """
    rows = Comment.objects.filter(status=status).select_related(
        "post__blog", "parent", "decided_by"
    )
    if before is not None:
        window = list(
            rows.filter(
                Q(submitted_at__lt=before.submitted_at)
                | Q(submitted_at=before.submitted_at, pk__lt=before.pk)
            ).order_by("-submitted_at", "-id")[: size + 1]
        )
        has_more_before = len(window) > size
        comments = list(reversed(window[:size]))
        return QueuePage(
            comments=comments,
            next_cursor=QueueCursor.of(comments[-1]) if comments else None,
            previous_cursor=QueueCursor.of(comments[0]) if has_more_before and comments else None,
            is_first=not has_more_before,
        )
    if after is not None:
        rows = rows.filter(
            Q(submitted_at__gt=after.submitted_at)
            | Q(submitted_at=after.submitted_at, pk__gt=after.pk)
        )
    window = list(rows.order_by("submitted_at", "id")[: size + 1])
    comments = window[:size]
    return QueuePage(
        comments=comments,
        next_cursor=QueueCursor.of(comments[-1]) if len(window) > size else None,
        previous_cursor=QueueCursor.of(comments[0]) if after is not None and comments else None,
        is_first=after is None,
    )


def tab_counts() -> dict[str, int]:
    """How many comments each tab holds, each count bounded by ``TAB_COUNT_CAP``."""
    return {
        status: Comment.objects.filter(status=status)[:TAB_COUNT_CAP].values("pk").count()
        for status in Comment.Status.values
    }
