"""Changing many posts at once: the follow-up work done once at the end, not after every post.

Saving a post sets off work in this app: its blog's tag and archive counts are
recounted and the cached pages showing it are invalidated (with a CDN purge
queued). That is right for an editor saving one post and ruinous for an import
of ten thousand: the recounts alone are quadratic, and every invalidation is a
write to the shared cache.

Inside ``posts_changed_in_bulk()`` the receivers in ``signals`` only note what
changed, and the work is done once when the block ends: each touched blog
recounted, each page key invalidated once. ``posts_create_in_bulk`` inserts
new posts with their tags in a few statements inside such a block. Other apps
that keep something in step with posts ask ``bulk_changes()`` whether a block
is open, and bring themselves up to date from ``BulkChanges.post_ids`` after it.

The open block is held in a context variable, so a bulk write in one thread
never changes what a save in another thread does. Writes rolled back inside
the block (a savepoint that failed) are still brought up to date at its end:
refreshing what did not change only wastes a little work, never shows a
stale page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from despatch.core.rendering import excerpt_from_html
from despatch.core.rows import insert_rows
from despatch.core.surrogates import invalidate_surrogate_keys
from despatch.media.responsive import srcset_for

from . import cache_keys
from .models import Post, render_body
from .statistics import refresh_blog_statistics

_open_block: ContextVar[BulkChanges | None] = ContextVar("despatch_posts_bulk", default=None)


@dataclass
class BulkChanges:
    """What a bulk write touched, brought up to date when its block ends."""

    blog_ids: set[int] = field(default_factory=set)
    # Posts made inside the block: no page can have shown them yet, so only the
    # pages listing them need refreshing, not pages of their own.
    created_post_ids: set[int] = field(default_factory=set)
    changed_post_ids: set[int] = field(default_factory=set)
    # Posts readers could see before or after the change, whose listings are stale.
    shown_post_ids: set[int] = field(default_factory=set)
    # Post → blog of posts given comments in bulk: their threads and the blog's
    # comment pages are stale.
    commented: dict[int, int] = field(default_factory=dict)
    page_keys: set[str] = field(default_factory=set)

    @property
    def post_ids(self) -> set[int]:
        """Every post made or changed in the block, for apps that index posts."""
        return self.created_post_ids | self.changed_post_ids

    def post_saved(self, post: Post, *, created: bool, touches_readers: bool) -> None:
        self.blog_ids.add(post.blog_id)
        (self.created_post_ids if created else self.changed_post_ids).add(post.pk)
        if touches_readers:
            self.shown_post_ids.add(post.pk)

    def comments_changed(self, *, post_id: int, blog_id: int) -> None:
        """Comments of ``post_id`` were added or changed without ``Comment.save()``."""
        self.commented[post_id] = blog_id

    def page_keys_for_catch_up(self) -> set[str]:
        """The surrogate keys of every page the block's changes made stale."""
        keys = set(self.page_keys)
        shown = sorted(self.shown_post_ids)
        if shown:
            keys.add(cache_keys.LIVE_POSTS)
        for start in range(0, len(shown), 500):
            batch = shown[start : start + 500]
            for post_id, blog_id, author_id in Post.objects.filter(pk__in=batch).values_list(
                "pk", "blog_id", "author_id"
            ):
                keys.add(cache_keys.blog_posts_key(blog_id))
                keys.add(cache_keys.author_posts_key(author_id))
                if post_id not in self.created_post_ids:
                    keys.add(cache_keys.post_key(post_id))
            tag_ids = Post.tags.through.objects.filter(post_id__in=batch).values_list(
                "tag_id", flat=True
            )
            keys.update(cache_keys.tag_posts_key(tag_id) for tag_id in tag_ids)
        if self.commented:
            # Comment counts show in summaries and "recent comments" across the site.
            keys.add(cache_keys.COMMENTS)
        for post_id, blog_id in self.commented.items():
            keys.add(cache_keys.blog_comments_key(blog_id))
            if post_id not in self.created_post_ids:
                keys.add(cache_keys.post_comments_key(post_id))
                keys.add(cache_keys.post_key(post_id))
        return keys


def bulk_changes() -> BulkChanges | None:
    """The changes collected by the open ``posts_changed_in_bulk`` block, if there is one."""
    return _open_block.get()


@contextmanager
def posts_changed_in_bulk(*, rolled_back: bool = False) -> Iterator[BulkChanges]:
    """Collect the follow-up work of changed posts; do it once on leaving the block.

    The work is done however the block ends, since what was committed before an
    error still needs it. With ``rolled_back`` (a dry run) it is dropped
    instead. A block opened inside another adds to the outer one, which does
    the work.
    """
    outer = _open_block.get()
    if outer is not None:
        yield outer
        return
    changes = BulkChanges()
    token = _open_block.set(changes)
    try:
        yield changes
    finally:
        _open_block.reset(token)
        if not rolled_back:
            _catch_up(changes)


def posts_create_in_bulk(*, posts: Sequence[tuple[Post, Iterable[int]]]) -> None:
    """Insert new posts, each with the ids of its tags, in a few statements.

    Each post is rendered as ``Post.save()`` renders it (body, excerpt, top
    image sizes) and gets its key. No signals are sent: this runs only inside
    ``posts_changed_in_bulk()``, whose end does what their receivers would.
    The rows go in through ``insert_rows``: ``bulk_create`` would spend longer
    preparing the values of an import's posts than the database spends storing
    them.
    """
    changes = _open_block.get()
    if changes is None:
        raise RuntimeError("posts_create_in_bulk() needs an open posts_changed_in_bulk() block")
    if not posts:
        return
    now = timezone.now()
    for post, _tag_ids in posts:
        post.body_html = render_body(post.body_source, post.body_format)
        if not post.excerpt.strip():
            post.excerpt = excerpt_from_html(post.body_html)
        image = post.top_image.name
        post.top_image_srcset = srcset_for(image) if image else ""
        # What saving would stamp; the rows are stored with these very times.
        post.created_at = post.updated_at = now
    fields = [field for field in Post._meta.concrete_fields if not field.primary_key]
    with transaction.atomic():
        keys = insert_rows(
            Post,
            [
                {field.attname: getattr(post, field.attname) for field in fields}
                for post, _tag_ids in posts
            ],
        )
        for (post, _tag_ids), key in zip(posts, keys, strict=True):
            post.pk = key
            # As ``bulk_create`` leaves them: stored rows, which a later save() updates.
            post._state.adding = False
            post._state.db = connection.alias
        insert_rows(
            Post.tags.through,
            [
                {"post_id": post.pk, "tag_id": tag_id}
                for post, tag_ids in posts
                for tag_id in tag_ids
            ],
        )
    for post, _tag_ids in posts:
        changes.post_saved(
            post, created=True, touches_readers=post.is_live or post.status == Post.Status.SCHEDULED
        )


def _catch_up(changes: BulkChanges) -> None:
    """Recount and invalidate once for everything the block changed."""
    blog_ids = changes.blog_ids | set(changes.commented.values())
    if blog_ids:
        refresh_blog_statistics(blog_ids=blog_ids)
    keys = changes.page_keys_for_catch_up()
    if keys:
        invalidate_surrogate_keys(keys)
