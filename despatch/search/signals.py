"""Receivers that keep the index in step with posts, whichever code path changed them.

Connected in ``SearchConfig.ready()``. A post's own changes are indexed at once,
in the same transaction as the change; renaming an author or a tag, which
touches all their posts, is handed to a background task after the commit.
Inside a bulk block of the posts app the posts are only noted: whoever opened
the block indexes ``BulkChanges.post_ids`` in batches when it ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from despatch.blogs.models import AuthorProfile, Blog
from despatch.posts.bulk import bulk_changes
from despatch.posts.models import Post, Tag

from . import tasks
from .indexing import search_index_posts

# Saving only other fields (comment counts, best-bit order, image sizes) leaves
# a post's words and filters as they were. ``body_html`` is absent on purpose:
# ``Post.save`` always adds it, and it only changes when ``body_source`` does.
SEARCHED_POST_FIELDS = frozenset(
    {
        "title",
        "body_source",
        "status",
        "published_at",
        "language",
        "blog",
        "blog_id",
        "author",
        "author_id",
    }
)

# The field of each related model whose change alters its posts' entries.
SEARCHED_RELATED_FIELDS: dict[type[Any], tuple[str, str]] = {
    AuthorProfile: ("author", "display_name"),
    Tag: ("tag", "name"),
    Blog: ("blog", "language"),
}


def _index_posts(post_ids: Iterable[int]) -> None:
    changes = bulk_changes()
    if changes is None:
        search_index_posts(post_ids=post_ids)
    else:
        changes.changed_post_ids.update(post_ids)


def post_saved(
    sender: type[Post],
    instance: Post,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw:
        # Fixtures are loaded row by row; ``despatch search-reindex`` follows.
        return
    if update_fields is not None and not update_fields & SEARCHED_POST_FIELDS:
        return
    _index_posts([instance.pk])


def post_tags_changed(
    sender: Any,
    instance: Post | Tag,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    if reverse and action == "pre_clear":
        # ``tag.posts.clear()`` does not say which posts lost the tag.
        instance._search_cleared_post_ids = list(  # type: ignore[union-attr]
            instance.posts.values_list("id", flat=True)  # type: ignore[union-attr]
        )
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        _index_posts([instance.pk])
    else:
        _index_posts(pk_set or getattr(instance, "_search_cleared_post_ids", []))


def related_saving(sender: type[Any], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Note whether the searched field of an author, tag or blog is about to change."""
    if raw or instance.pk is None:
        return
    _kind, field = SEARCHED_RELATED_FIELDS[sender]
    stored = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()
    instance._search_field_changed = stored is not None and stored != getattr(instance, field)


def related_saved(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    if created or not getattr(instance, "_search_field_changed", False):
        return
    kind, _field = SEARCHED_RELATED_FIELDS[sender]
    object_id = instance.pk
    transaction.on_commit(
        lambda: tasks.reindex_related_posts.enqueue(kind=kind, object_id=object_id)
    )


def tag_deleting(sender: type[Tag], instance: Tag, **kwargs: Any) -> None:
    instance._search_post_ids = list(instance.posts.values_list("id", flat=True))  # type: ignore[attr-defined]


def tag_deleted(sender: type[Tag], instance: Tag, **kwargs: Any) -> None:
    post_ids = getattr(instance, "_search_post_ids", [])
    if post_ids:
        transaction.on_commit(lambda: tasks.reindex_posts.enqueue(post_ids=post_ids))
