"""Engines are chosen by settings, Wagtail-style, and keep one interface."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from despatch.search.backends import get_backend
from despatch.search.backends.postgres import PostgresSearchBackend, vector_literal
from despatch.search.backends.sqlite import SQLiteSearchBackend
from despatch.search.documents import SearchDocument


def test_the_database_engine_follows_the_connection():
    expected = SQLiteSearchBackend if connection.vendor == "sqlite" else PostgresSearchBackend
    assert isinstance(get_backend(), expected)


def test_an_engine_class_can_be_named_directly(settings):
    settings.SEARCH_BACKENDS = {
        "default": {
            "BACKEND": "despatch.search.backends.sqlite.SQLiteSearchBackend",
            "RANK_WINDOW": 7,
        }
    }
    backend = get_backend()
    assert isinstance(backend, SQLiteSearchBackend)
    assert backend.rank_window == 7


def test_unknown_aliases_and_paths_are_configuration_errors(settings):
    with pytest.raises(ImproperlyConfigured):
        get_backend("archive")
    settings.SEARCH_BACKENDS = {"default": {"BACKEND": "despatch.search.models.SearchTerm"}}
    with pytest.raises(ImproperlyConfigured):
        get_backend()


def test_vectors_weight_fields_and_keep_them_apart():
    from datetime import UTC, datetime

    document = SearchDocument(
        key=1, post_id=1, published_at=datetime.now(tz=UTC), title="arms treaty",
        tags="arms", author="jane", body="the treaty", facets=("post", "blog1"),
    )  # fmt: skip
    assert vector_literal(document) == (
        "'_blog1' '_post' 'arms':1A,67B 'jane':132C 'the':197 'treaty':2A,198"
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="compares with FTS5's own bm25")
@pytest.mark.django_db
def test_sqlite_ranking_agrees_with_fts5_bm25():
    """bm25 computed over the newest matches orders a one-word search as FTS5's would."""
    from despatch.search.backends.sqlite import rank_by_bm25
    from despatch.search.query import Phrase

    bodies = [
        "treaty",
        "the treaty and the treaty again",
        "a long body that mentions the treaty once among many other words here",
        "treaty treaty",
        "notes",
    ]
    titles = ["notes", "notes", "notes", "notes", "treaty"]
    entries = [
        (key, key, title, "", "jane", body, "post blog1")
        for key, (title, body) in enumerate(zip(titles, bodies, strict=True), start=1)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE temp.ranking USING fts5(title, tags, author, body, facets)"
        )
        cursor.executemany(
            "INSERT INTO temp.ranking (rowid, title, tags, author, body, facets) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [(key, *columns) for key, _post, *columns in entries],
        )
        cursor.execute(
            "SELECT rowid FROM temp.ranking WHERE ranking MATCH 'treaty' "
            "ORDER BY bm25(ranking, 10.0, 5.0, 2.0, 1.0, 0.0), rowid DESC"
        )
        expected = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE temp.ranking")
    assert rank_by_bm25(entries, [Phrase(("treaty",))], [1.0]) == expected


@given(
    words=st.lists(st.sampled_from(["a", "b", "ab"]), max_size=12),
    phrase_words=st.lists(st.sampled_from(["a", "b", "ab"]), min_size=1, max_size=3),
    prefix=st.booleans(),
)
def test_sqlite_ranking_counts_each_occurrence_of_a_phrase_in_an_entry(words, phrase_words, prefix):
    """A phrase counts once for each run of its words, back to back ones included; runs
    that would share a word count once."""
    from despatch.search.backends.sqlite import _Needle
    from despatch.search.query import Phrase

    phrase = Phrase(tuple(phrase_words), prefix=prefix)
    *whole, last = phrase.words
    expected, start = 0, 0
    while start + len(phrase.words) <= len(words):
        run = words[start : start + len(phrase.words)]
        if run[:-1] == whole and (run[-1].startswith(last) if prefix else run[-1] == last):
            expected += 1
            start += len(phrase.words)
        else:
            start += 1
    assert _Needle.for_phrase(phrase).count(" " + " ".join(words) + " ") == expected
