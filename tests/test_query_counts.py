"""Every public page costs the same number of SQL queries however large the network is.

A page whose query count grows with its rows (an N+1 in a template, a missing
``select_related``) is fast on a demo and slow on 100,000 posts; counting the
queries on a small and a larger corpus catches it long before a benchmark does.
"""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.validity.pages import (
    HTML_PAGE_KEYS,
    MACHINE_PAGE_KEYS,
    build_corpus,
    expected_status,
    extend_corpus,
    page_paths,
)

# A page needing more than this many queries is doing per-row work or should cache.
MAX_QUERIES_PER_PAGE = 30


def uncached_queries(client: Client, path: str, status: int) -> list[str]:
    """Return the SQL of one uncached request for ``path``, after a warm-up request.

    The warm-up fills Django's own process-wide caches (content types, URL
    resolvers) so that only the page's own queries are counted.
    """
    for alias in caches:
        caches[alias].clear()
    client.get(path)
    for alias in caches:
        caches[alias].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == status, f"GET {path} answered {response.status_code}"
    return [query["sql"] for query in captured.captured_queries]


def describe(queries: list[str]) -> str:
    return "\n".join(f"  {number}. {sql[:300]}" for number, sql in enumerate(queries, 1))


@pytest.mark.django_db
@pytest.mark.parametrize("key", [*HTML_PAGE_KEYS, *MACHINE_PAGE_KEYS])
def test_page_query_count_does_not_grow_with_the_corpus(client: Client, key: str) -> None:
    """The same page costs the same queries with 6 posts and with 66 (more tags, more authors)."""
    corpus = build_corpus(posts=5, blogs=2, authors=2, tags=3)
    path = page_paths(corpus)[key]
    small = uncached_queries(client, path, expected_status(key))

    extend_corpus(corpus, posts=60, authors=6, tags=7)
    large = uncached_queries(client, path, expected_status(key))

    assert len(small) == len(large), (
        f"{path} made {len(small)} queries with {6} posts but {len(large)} with "
        f"{corpus.post_count}.\nSmall corpus:\n{describe(small)}\nLarger corpus:\n{describe(large)}"
    )
    assert len(large) <= MAX_QUERIES_PER_PAGE, (
        f"{path} made {len(large)} queries (at most {MAX_QUERIES_PER_PAGE} expected):\n"
        f"{describe(large)}"
    )
