"""Cached pages follow the comment rules however they change, the admin included.

The services refresh the pages themselves when moderators open or end a
closure; these receivers cover every other path that saves or deletes a
closure or a blog's comment policy.
"""

from __future__ import annotations

from typing import Any

from despatch.core.surrogates import invalidate_surrogate_keys
from despatch.posts import cache_keys

from .models import BlogCommentPolicy, CommentClosure
from .moderation import COMMENT_RULES
from .services import refresh_pages_for_closure


def closure_changed(sender: type[CommentClosure], instance: CommentClosure, **kwargs: Any) -> None:
    refresh_pages_for_closure(instance)


def policy_changed(
    sender: type[BlogCommentPolicy], instance: BlogCommentPolicy, **kwargs: Any
) -> None:
    invalidate_surrogate_keys([COMMENT_RULES, cache_keys.blog_comments_key(instance.blog_id)])
