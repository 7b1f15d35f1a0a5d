"""Engines are chosen by settings, Wagtail-style, and keep one interface."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

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
        "'arms':1A,67B 'treaty':2A,198 'jane':132C 'the':197 '_post' '_blog1'"
    )
