"""Keep derived counts in step when posts change, whichever code path changed them."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Post
from .statistics import refresh_blog_statistics


def _refresh_after_commit(blog_id: int) -> None:
    transaction.on_commit(lambda: refresh_blog_statistics(blog_ids=[blog_id]))


def post_saved_or_deleted(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    _refresh_after_commit(instance.blog_id)


def post_tags_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Post):
        _refresh_after_commit(instance.blog_id)
