"""Fixtures for search tests: a small network whose posts the engines can tell apart."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from django.utils.text import slugify

from despatch.search.backends import Order, SearchFilters, get_backend
from despatch.search.query import parse
from tests.factories import make_author, make_blog, make_post


def search_ids(text: str = "", *, order: Order = Order.RELEVANCE, **filters) -> list[int]:
    """Ids of the posts a search finds, in the order the engine gives them."""
    now = filters.pop("now", None) or datetime.now(tz=UTC)
    hits = get_backend().search(
        parse(text),
        filters=SearchFilters(**filters),
        order=order,
        offset=filters.pop("offset", 0) if "offset" in filters else 0,
        limit=50,
        now=now,
    )
    return hits.post_ids


@pytest.fixture
def network(db):
    """Two blogs, two authors and a handful of posts about treaties and weather."""
    london = make_blog(name="London calling", slug="london", language="en")
    paris = make_blog(name="Vue de Paris", slug="paris", language="fr")
    jane = make_author(display_name="Jane Marlow", slug="jane")
    pierre = make_author(display_name="Pierre Évrard", slug="pierre")
    return {"london": london, "paris": paris, "jane": jane, "pierre": pierre}


@pytest.fixture
def post_about(network):
    """Make a post with sensible defaults; keywords override any field."""

    numbers = itertools.count(1)

    def make(title: str, body: str = "A paragraph.", **fields):
        fields.setdefault("slug", f"{slugify(title)}-{next(numbers)}")
        fields.setdefault("blog", network["london"])
        fields.setdefault("author", network["jane"])
        return make_post(title=title, body_source=body, **fields)

    return make
