"""Doing once, at the end of a bulk write, what other apps do after every saved post.

Saving a post sets off work in other apps: its blog's statistics are recounted,
the cached pages showing it are invalidated (with a CDN purge queued), and the
search index is updated, twice (once for the post, once for its tags). That is
right for an editor saving one post and ruinous for an import of ten thousand:
the recounts alone are quadratic.

While ``posts_changed_in_bulk`` runs, that work is collected instead of done,
and done once when it ends: each touched blog recounted, each page key
invalidated, the changed posts indexed in batches. The hooks are found by name
in the posts and search apps; if one is renamed, that work simply happens
after every post again (slower, never wrong). The posts app offering such a
context itself would be the lasting home for this.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db.models.signals import m2m_changed, post_save

from despatch.core.surrogates import invalidate_surrogate_keys
from despatch.posts import cache_keys
from despatch.posts import signals as post_signals
from despatch.posts.models import Post
from despatch.posts.statistics import refresh_blog_statistics

# The search app's receivers, as it connects them in ``SearchConfig.ready()``.
SEARCH_RECEIVERS = (
    (post_save, Post, "search.post_saved", "post_saved"),
    (m2m_changed, Post.tags.through, "search.post_tags", "post_tags_changed"),
)


@dataclass
class BulkChanges:
    """What the bulk write touched, to be brought up to date at the end."""

    blog_ids: set[int] = field(default_factory=set)
    post_ids: set[int] = field(default_factory=set)
    commented_post_ids: dict[int, int] = field(default_factory=dict)
    page_keys: set[str] = field(default_factory=set)

    def comments_changed(self, *, post_id: int, blog_id: int) -> None:
        self.commented_post_ids[post_id] = blog_id


@contextmanager
def posts_changed_in_bulk(*, rolled_back: bool = False) -> Iterator[BulkChanges]:
    """Collect the follow-up work of saved posts; do it once on leaving the block.

    With ``rolled_back`` (a dry run) the collected work is dropped instead.
    """
    changes = BulkChanges()
    originals = _defer_post_hooks(changes)
    muted = _mute_search()
    try:
        yield changes
    finally:
        _restore_post_hooks(originals)
        _unmute_search(muted)
        if not rolled_back:
            _catch_up(changes)


def _defer_post_hooks(changes: BulkChanges) -> dict[str, Any]:
    def remember_blogs(*, blog_ids: Iterable[int]) -> None:
        changes.blog_ids.update(blog_ids)

    def remember_keys(keys: Iterable[str]) -> None:
        changes.page_keys.update(keys)

    replacements = {
        "refresh_blog_statistics": remember_blogs,
        "invalidate_surrogate_keys": remember_keys,
    }
    originals = {}
    for name, replacement in replacements.items():
        if hasattr(post_signals, name):
            originals[name] = getattr(post_signals, name)
            setattr(post_signals, name, replacement)
    return originals


def _restore_post_hooks(originals: dict[str, Any]) -> None:
    for name, original in originals.items():
        setattr(post_signals, name, original)


def _mute_search() -> list[tuple[Any, Any, str, Any]]:
    try:
        from despatch.search import signals as search_signals
    except ImportError:
        return []
    muted = []
    for signal, sender, uid, name in SEARCH_RECEIVERS:
        receiver = getattr(search_signals, name, None)
        if receiver is not None and signal.disconnect(sender=sender, dispatch_uid=uid):
            muted.append((signal, sender, uid, receiver))
    return muted


def _unmute_search(muted: list[tuple[Any, Any, str, Any]]) -> None:
    for signal, sender, uid, receiver in muted:
        signal.connect(receiver, sender=sender, dispatch_uid=uid)


def _catch_up(changes: BulkChanges) -> None:
    """Recount, invalidate and index once for everything the block changed."""
    blog_ids = changes.blog_ids | set(changes.commented_post_ids.values())
    if blog_ids:
        refresh_blog_statistics(blog_ids=blog_ids)
    keys = set(changes.page_keys)
    for post_id, blog_id in changes.commented_post_ids.items():
        keys.update({cache_keys.post_comments_key(post_id), cache_keys.blog_comments_key(blog_id)})
    if keys:
        invalidate_surrogate_keys(keys)
    if changes.post_ids:
        try:
            from despatch.search.indexing import search_index_in_bulk
        except ImportError:
            return
        search_index_in_bulk(post_ids=sorted(changes.post_ids))
