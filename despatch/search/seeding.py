"""The search app's part in ``despatch seed`` (see ``despatch.demo.hooks``)."""

from __future__ import annotations

from django.db.models import QuerySet

from despatch.posts.models import Post

from .documents import indexable_posts
from .indexing import search_index_in_bulk


def index_posts(*, posts: QuerySet[Post]) -> int:
    """Index seeded posts, which bulk inserts wrote without signals; return how many."""
    post_ids = list(
        posts.filter(pk__in=indexable_posts()).order_by("id").values_list("id", flat=True)
    )
    return search_index_in_bulk(post_ids=post_ids, recount_vocabulary=True)
