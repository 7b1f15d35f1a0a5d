"""Keep derived counts and cached pages in step when posts change, whatever changed them.

Inside ``bulk.posts_changed_in_bulk()`` the receivers only note what changed;
the block's end does the work once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

from despatch.core.surrogates import invalidate_surrogate_keys

from . import cache_keys
from .bulk import bulk_changes
from .models import Post, Tag
from .statistics import refresh_blog_statistics

# Sent once per publication, by the worker (within about 30 s of a scheduled
# time), when the post's side effects (feeds, notifications, federation) are due;
# receivers get ``post``.
post_published = Signal()
# Sent when a post readers could see is taken down; receivers get ``post``.
post_unpublished = Signal()


def _refresh_after_commit(blog_id: int) -> None:
    changes = bulk_changes()
    if changes is not None:
        changes.blog_ids.add(blog_id)
        return
    transaction.on_commit(lambda: refresh_blog_statistics(blog_ids=[blog_id]))


def remember_visibility(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    """Note whether a loaded post was public, so a save can tell if readers saw it.

    A post loaded with some fields deferred is assumed to have been public:
    reading those fields here would load the post again, and guessing wrong only
    costs a cache refresh.
    """
    deferred = instance.get_deferred_fields() if instance.pk else set()
    if not instance.pk:
        was_live, blog_id = False, None
    elif deferred & {"status", "published_at", "blog_id"}:
        was_live, blog_id = True, None
    else:
        was_live, blog_id = instance.is_live, instance.blog_id
    instance._was_live = was_live  # type: ignore[attr-defined]
    instance._was_blog_id = blog_id  # type: ignore[attr-defined]


def _touches_readers(post: Post) -> bool:
    # Saving a post readers have never seen (an autosave, say) changes no public
    # page, and must not empty the cache during a news spike. A newly scheduled
    # post does count: cached pages must learn when they will next go stale.
    return post.is_live or getattr(post, "_was_live", False) or post.status == Post.Status.SCHEDULED


def post_saved(sender: type[Post], instance: Post, created: bool = False, **kwargs: Any) -> None:
    previous_blog = getattr(instance, "_was_blog_id", None)
    changes = bulk_changes()
    if changes is not None:
        changes.post_saved(instance, created=created, touches_readers=_touches_readers(instance))
        if previous_blog and previous_blog != instance.blog_id:
            changes.blog_ids.add(previous_blog)
            changes.page_keys.add(cache_keys.blog_posts_key(previous_blog))
        instance._was_live = instance.is_live  # type: ignore[attr-defined]
        return
    _refresh_after_commit(instance.blog_id)
    if previous_blog and previous_blog != instance.blog_id:
        _refresh_after_commit(previous_blog)
    if _touches_readers(instance):
        tag_ids = list(instance.tags.values_list("id", flat=True)) if instance.pk else []
        keys = cache_keys.post_change_keys(instance, tag_ids)
        if previous_blog and previous_blog != instance.blog_id:
            keys.append(cache_keys.blog_posts_key(previous_blog))
        invalidate_surrogate_keys(keys)
        instance._was_live = instance.is_live  # type: ignore[attr-defined]


def post_deleting(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    # The post's tags are gone by the time it is deleted; their pages still count it.
    instance._tag_ids_before_delete = list(instance.tags.values_list("id", flat=True))  # type: ignore[attr-defined]


def post_deleted(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    _refresh_after_commit(instance.blog_id)
    tag_ids = getattr(instance, "_tag_ids_before_delete", [])
    _invalidate(cache_keys.post_change_keys(instance, tag_ids))


def post_tags_changed(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None = None, **kwargs: Any
) -> None:
    if not isinstance(instance, Post):
        return
    if action == "pre_clear":
        instance._cleared_tag_ids = list(instance.tags.values_list("id", flat=True))  # type: ignore[attr-defined]
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    _refresh_after_commit(instance.blog_id)
    if _touches_readers(instance):
        tag_ids = pk_set or getattr(instance, "_cleared_tag_ids", [])
        _invalidate(cache_keys.post_change_keys(instance, tag_ids))


def tag_changed(sender: type[Tag], instance: Tag, **kwargs: Any) -> None:
    _invalidate([cache_keys.TAGS, cache_keys.tag_posts_key(instance.pk)])


def _invalidate(keys: list[str]) -> None:
    changes = bulk_changes()
    if changes is not None:
        changes.page_keys.update(keys)
    else:
        invalidate_surrogate_keys(keys)


def post_announced(sender: type[Post], post: Post, **kwargs: Any) -> None:
    """A scheduled post went live without a save: tell caches and CDNs now."""
    tag_ids = list(post.tags.values_list("id", flat=True))
    invalidate_surrogate_keys(cache_keys.post_change_keys(post, tag_ids))


def image_renditions_ready(sender: Any, image: Any, **kwargs: Any) -> None:
    """Add ``srcset`` to posts that show an image whose renditions have just been made."""
    url = image.file.url
    posts = Post.objects.filter(body_source__contains=url) | Post.objects.filter(
        top_image=image.file.name
    )
    for post in posts.distinct():
        post.save(update_fields=["body_html", "top_image_srcset"])
