"""Keeping the search index in step with the posts: the only code that writes entries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import transaction

from despatch.core.surrogates import invalidate_surrogate_keys

from .backends import get_backend
from .documents import document_for, indexable_posts, posts_for_indexing
from .models import SearchEntry

BATCH_SIZE = 500

# Surrogate key of every cached search page. A post's own change already refreshes
# them through the posts' keys; work on the index behind the posts' back (bulk
# indexing, a rebuild, the reindexing tasks) refreshes them through this one.
SEARCH_RESULTS = "search"


def search_index_posts(*, post_ids: Iterable[int]) -> None:
    """Bring the index in step with the posts ``post_ids``, whatever happened to them.

    Published and scheduled posts get an entry with their current words; drafts,
    posts in review and deleted posts lose theirs. Runs in the caller's
    transaction, so a post and its entry change together or not at all. The
    caller refreshes the cached search pages (see ``SEARCH_RESULTS``).
    """
    ids = sorted(set(post_ids))
    if not ids:
        return
    backend = get_backend()
    with transaction.atomic(using=backend.alias):
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            documents = [document_for(post) for post in posts_for_indexing(batch)]
            backend.replace(post_ids=batch, documents=documents)


def search_index_in_bulk(
    *,
    post_ids: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
    recount_vocabulary: bool = False,
) -> int:
    """Index many posts, batch by batch; return how many were asked for.

    For imports and seeding, which write posts without sending signals. Each
    batch commits on its own, so the site keeps answering searches while a
    large network is indexed; ``progress`` is called with the posts done and
    the total after every batch. New words join the vocabulary as they come;
    ``recount_vocabulary`` also recounts how many posts have each word, which
    reads the whole index and is worth it only when much of it changed.
    """
    backend = get_backend()
    total = len(post_ids)
    for start in range(0, total, BATCH_SIZE):
        batch = post_ids[start : start + BATCH_SIZE]
        with transaction.atomic(using=backend.alias):
            documents = [document_for(post) for post in posts_for_indexing(batch)]
            backend.replace(post_ids=batch, documents=documents)
            invalidate_surrogate_keys([SEARCH_RESULTS])
        if progress is not None:
            progress(min(start + BATCH_SIZE, total), total)
    if recount_vocabulary:
        with transaction.atomic(using=backend.alias):
            backend.rebuild_vocabulary()
            # Ranking weighs words by the vocabulary's counts: results kept
            # before the recount would go on ranking by the old ones.
            invalidate_surrogate_keys([SEARCH_RESULTS])
    backend.optimise()
    return total


def search_reindex(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild every entry from the posts; return how many posts are indexed.

    Entries of posts that should no longer be found (unpublished or deleted
    behind the signals' back, by a bulk update or raw SQL) are removed.
    """
    backend = get_backend()
    with transaction.atomic(using=backend.alias):
        stale = list(
            SearchEntry.objects.exclude(post__in=indexable_posts()).values_list(
                "post_id", flat=True
            )
        )
        backend.replace(post_ids=stale, documents=[])
        invalidate_surrogate_keys([SEARCH_RESULTS])
    post_ids = list(indexable_posts().order_by("id").values_list("id", flat=True))
    return search_index_in_bulk(post_ids=post_ids, progress=progress, recount_vocabulary=True)
