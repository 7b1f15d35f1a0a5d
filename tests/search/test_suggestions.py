"""Help for searches that find nothing: did-you-mean from the vocabulary, nearby tags."""

from __future__ import annotations

import pytest

from despatch.search.backends import get_backend
from despatch.search.query import parse
from despatch.search.suggestions import closest_word, corrected_query, nearby_tags

pytestmark = pytest.mark.django_db


def test_the_closest_indexed_word_is_suggested(post_about):
    post_about("Maritime security", body="Security matters.")
    assert closest_word("secruity") == "security"
    assert closest_word("maritme") == "maritime"
    assert closest_word("zzzzzz") is None


def test_short_words_allow_one_slip_only(post_about):
    post_about("Arms")
    assert closest_word("arm") == "arms"
    assert closest_word("amrs") == "arms"
    assert closest_word("aaaa") is None


def test_known_words_are_left_alone(post_about):
    post_about("Maritime security")
    query = parse('"maritme security" -secruity')
    corrected = corrected_query(query, get_backend())
    assert corrected.as_text() == '"maritime security" -secruity'
    assert corrected_query(parse("maritime"), get_backend()) is None


def test_nearby_tags_resemble_or_begin_with_the_words(post_about):
    post_about("One", tags=["Maritime security", "Climate"])
    post_about("Two", tags=["Maritime security"])
    names = [tag.name for tag in nearby_tags(parse("maritim secruity"))]
    assert names == ["Maritime security"]
    assert nearby_tags(parse("zzz")) == []
