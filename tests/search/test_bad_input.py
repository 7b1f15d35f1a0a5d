"""Any query string gives a results page, never an error, on either engine.

The property tests generate arbitrary text (control characters, quotes and
engine operators, emoji, right-to-left scripts, very long strings) and throw it
at the page and at both engines' query compilers. CI runs this module once on
SQLite and once on PostgreSQL, so the page test covers each engine in turn; the
compiler tests also check the SQLite form against an in-memory FTS5 table and,
on PostgreSQL, the ``tsquery`` form against the server.
"""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from despatch.search.backends import SearchFilters
from despatch.search.backends.postgres import match_tsquery, rank_tsquery, vector_literal
from despatch.search.backends.sqlite import match_expression
from despatch.search.documents import SearchDocument
from despatch.search.query import parse
from despatch.search.text import index_text

NASTY = [
    '"unbalanced',
    'a "b',
    "OR",
    "AND OR NOT",
    "-",
    "- - -",
    "*",
    "a**",
    '"*"',
    "NEAR(a b, 2)",
    "{title}: x",
    "title:x",
    "^a",
    "'; DROP TABLE posts_post; --",
    "a' OR '1'='1",
    "x::tsquery",
    "a & b | !c <-> d",
    "a:*",
    "\\",
    "\x00\x01\x02\x1b[31m",
    "🙂🙃 🇬🇧",
    "مرحبا بالعالم",
    "\u202etreaty\u202c",
    "שלום",
    "Ｔｒｅａｔｙ",
    "%s %% %(x)s {0}",
    "x" * 10_000,
    "treaty " * 2_000,
    '"' * 999,
    "-" * 999,
]

query_text = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from("ab -*\"():^{}|&!<>'\\OR NOT AND NEAR"), max_size=60),
    st.lists(
        st.sampled_from(["OR", "-", '"', "*", "treaty", "NOT", "(", ")", ":"]), max_size=12
    ).map(" ".join),
)

hypothesis_settings = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def some_posts(post_about):
    post_about("Arms trade treaty", tags=["Arms control"])
    post_about("Climate", body="Weather and climate.")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", NASTY)
def test_nasty_queries_give_a_results_page(client, some_posts, raw):
    response = client.get("/search/", {"q": raw})
    assert response.status_code == 200


@pytest.mark.django_db
@hypothesis_settings
@given(raw=query_text, sort=st.sampled_from(["", "relevance", "newest", "\x00"]))
@example(raw="x" * 10_000, sort="")
def test_any_query_gives_a_results_page(client, some_posts, raw, sort):
    """The page answers 200 for any text in the box, on the database under test."""
    response = client.get("/search/", {"q": raw, "sort": sort})
    assert response.status_code == 200


@pytest.mark.django_db
@hypothesis_settings
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            name: st.text(max_size=30)
            for name in ("blog", "author", "tag", "language", "from", "to", "page")
        },
    )
)
def test_any_filter_values_give_a_results_page(client, some_posts, values):
    response = client.get("/search/", {"q": "treaty", **values})
    assert response.status_code == 200


@pytest.fixture(scope="module")
def fts5():
    """An empty FTS5 table shaped like the real one, to compile MATCH expressions against."""
    database = sqlite3.connect(":memory:")
    database.execute(
        "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
        "title, tags, author, body, facets, tokenize='ascii', prefix='2 3')"
    )
    database.execute(
        "INSERT INTO search_entry_fts VALUES ('arms treaty', 'arms control', 'jane', "
        "'the treaty', 'post blog1')"
    )
    yield database
    database.close()


@given(raw=query_text)
@example(raw='"a b"* -"c d" e OR f*')
@settings(max_examples=300, deadline=None)
def test_every_query_compiles_to_valid_fts5(fts5, raw):
    """SQLite never sees a MATCH expression it cannot parse."""
    expression = match_expression(parse(raw), SearchFilters(blog_id=1, language="en"))
    fts5.execute(
        "SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH ?", (expression,)
    ).fetchall()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@given(raw=query_text)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_query_compiles_to_a_valid_tsquery(raw):
    """PostgreSQL never sees a tsquery it cannot parse."""
    query = parse(raw)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsquery", [match_tsquery(query, SearchFilters(tag_id=2))])
        if query.has_required:
            cursor.execute("SELECT %s::tsquery", [rank_tsquery(query)])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@given(text=st.text())
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_post_text_makes_a_valid_tsvector(text):
    """Whatever a post says, its vector is accepted."""
    from datetime import UTC, datetime

    words = index_text(text)
    document = SearchDocument(
        key=1, post_id=1, published_at=datetime.now(tz=UTC), title=words, tags=words,
        author=words, body=words, facets=("post",),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector", [vector_literal(document)])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@given(title=st.text(), body=st.text(), facets=st.lists(st.sampled_from(["post", "blog1", "tag7"])))
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_vectors_are_written_as_postgresql_prints_them(title, body, facets):
    """A reindex knows unchanged entries by their vector's text: it must be PostgreSQL's own."""
    from datetime import UTC, datetime

    document = SearchDocument(
        key=1, post_id=1, published_at=datetime.now(tz=UTC), title=index_text(title),
        tags="", author="", body=index_text(body + " " + body), facets=tuple(facets),
    )  # fmt: skip
    literal = vector_literal(document)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector::text", [literal])
        assert cursor.fetchone()[0] == literal
