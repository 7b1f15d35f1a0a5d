"""Announce changed feeds to the WebSub hub whenever a live post changes.

Connected in ``FeedsConfig.ready()``, so every path that changes a post (the
publishing services, the studio, the admin, an import) is covered without the
posts app knowing about feeds. Nothing here runs unless a hub is configured.
"""

from __future__ import annotations

from typing import Any

from despatch.posts.models import Post

from .websub import announce_post, feed_urls_showing, hub_url


def remember_whether_live(
    sender: type[Post], instance: Post, raw: bool = False, **kwargs: Any
) -> None:
    """Before a save, note whether the stored post was live.

    That tells an unpublish (the feeds lose a post) from an edit of a draft.
    """
    if raw or not hub_url() or instance.pk is None or instance.is_live:
        return
    instance._feeds_was_live = Post.objects.published().filter(pk=instance.pk).exists()  # type: ignore[attr-defined]


def post_saved(sender: type[Post], instance: Post, raw: bool = False, **kwargs: Any) -> None:
    """A live post was published or edited, or a live post was taken down: its feeds changed."""
    if raw or not hub_url():
        return
    was_live = getattr(instance, "_feeds_was_live", False)
    instance._feeds_was_live = False  # type: ignore[attr-defined]
    if instance.is_live or was_live:
        announce_post(instance)


def post_deleting(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    """A live post is about to be deleted: work out its feeds while it still has its tags."""
    if hub_url() and instance.is_live:
        announce_post(instance, feed_urls=feed_urls_showing(instance))


def post_tags_changed(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """A live post gained or lost tags: the feeds of those tags changed too."""
    if not hub_url() or not isinstance(instance, Post) or not instance.is_live:
        return
    removed: set[int] = getattr(instance, "_feeds_removed_tag_ids", set())
    if action == "pre_clear":
        removed |= set(instance.tags.values_list("pk", flat=True))
    elif action == "post_remove":
        removed |= pk_set or set()
    instance._feeds_removed_tag_ids = removed  # type: ignore[attr-defined]
    if action in {"post_add", "post_remove", "post_clear"}:
        announce_post(instance)
