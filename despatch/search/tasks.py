"""Background reindexing, for changes that touch many posts at once."""

from __future__ import annotations

from django_tasks import task

from despatch.core.surrogates import invalidate_surrogate_keys
from despatch.posts.models import Post

from .indexing import SEARCH_RESULTS, search_index_posts

# Which posts a change to a blog, an author or a tag affects.
RELATED_POSTS = {
    "blog": "blog_id",
    "author": "author_id",
    "tag": "tags",
}


@task()
def reindex_related_posts(*, kind: str, object_id: int) -> int:
    """Reindex every post of a blog, an author or a tag; return how many there were.

    Renaming an author or a tag changes the words of all their posts, which on
    a large network is too much work for the request that made the change.
    """
    post_ids = list(
        Post.objects.filter(**{RELATED_POSTS[kind]: object_id}).values_list("id", flat=True)
    )
    search_index_posts(post_ids=post_ids)
    invalidate_surrogate_keys([SEARCH_RESULTS])
    return len(post_ids)


@task()
def reindex_posts(*, post_ids: list[int]) -> int:
    """Reindex the posts ``post_ids``; return how many were asked for."""
    search_index_posts(post_ids=post_ids)
    invalidate_surrogate_keys([SEARCH_RESULTS])
    return len(post_ids)
