"""Snippets: the best passage, with the query's words marked and nothing else unescaped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from despatch.search.highlight import (
    LEAD_IN_CHARACTERS,
    SNIPPET_CHARACTERS,
    _aligned_character,
    _aligned_fold,
    _best_passage_start,
    snippet,
)
from despatch.search.query import parse


def test_matches_are_marked_in_the_text_as_written():
    text = "In 2009 the UK said the Arms Trade Treaty must be robust."
    result = snippet(text, parse("arms treaty"))
    assert "<mark>Arms</mark> Trade <mark>Treaty</mark>" in result


def test_accents_and_case_do_not_stop_a_match_being_marked():
    result = snippet("La Sécurité maritime est essentielle.", parse("securite"))
    assert "<mark>Sécurité</mark>" in result


def test_prefixes_mark_every_word_they_begin():
    result = snippet("Negotiators resumed the negotiation.", parse("negotiat*"))
    assert result.count("<mark>") == 2


def test_the_passage_is_the_one_with_most_of_the_words():
    filler = " ".join(["filler"] * 80)
    text = f"treaty alone. {filler} Here the arms trade treaty is discussed. {filler}"
    result = snippet(text, parse("arms trade treaty"))
    assert "<mark>arms</mark> <mark>trade</mark> <mark>treaty</mark>" in result
    assert result.startswith("… ") and result.endswith(" …")


def test_html_in_the_post_text_is_escaped():
    """Text that looks like markup is shown as text, around our own marks only."""
    text = 'Beware <script>alert("x")</script> and <img src=x onerror=alert(1)> treaty'
    result = snippet(text, parse("treaty script"))
    assert "<script>" not in result and "<img" not in result
    assert "&lt;<mark>script</mark>&gt;" in result
    assert result.count("<mark>") == 3
    assert result.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_html_in_the_query_cannot_reach_the_snippet():
    result = snippet("A treaty on mark elements.", parse('<mark onclick="x">treaty</mark>'))
    assert result == "A <mark>treaty</mark> on <mark>mark</mark> elements."


def test_no_snippet_when_the_body_does_not_contain_the_words():
    """A post that matched on its title or tags shows its excerpt, not a random passage."""
    assert snippet("Nothing relevant here.", parse("treaty")) == ""
    assert snippet("Nothing relevant here.", parse("-treaty")) == ""


def test_excluded_words_are_not_marked():
    result = snippet("The treaty and the nuclear question.", parse("treaty -nuclear"))
    assert "<mark>nuclear</mark>" not in result


def test_right_to_left_text_is_marked_whole():
    result = snippet("قال السفير إن مُعاهَدة تجارة الأسلحة مهمة", parse("معاهدة"))
    assert "<mark>مُعاهَدة</mark>" in result


@given(
    starts=st.lists(st.integers(min_value=0, max_value=3000), max_size=60, unique=True),
    words=st.lists(st.sampled_from(["arms", "trade", "treaty", "un"]), min_size=60, max_size=60),
)
def test_the_best_passage_is_found_as_by_trying_every_start(starts, words):
    """The sliding window picks the passage a look at every possible start would."""
    hits = [(start, start + 4, word) for start, word in zip(sorted(starts), words, strict=False)]
    best_start, best_score = 0, -1
    for first, (start, _end, _word) in enumerate(hits):
        reach = start + SNIPPET_CHARACTERS - LEAD_IN_CHARACTERS
        distinct = {word for hit_start, _e, word in hits[first:] if hit_start < reach}
        if len(distinct) > best_score:
            best_start, best_score = start, len(distinct)
    assert _best_passage_start(hits) == best_start


@given(
    st.text(
        # ASCII, accented letters, letters whose folding folds again (ϲ to ς to σ),
        # letters that fold to two, combining marks, punctuation and symbols.
        alphabet=st.sampled_from(list("aZ9 _.,-'\"éÉøÅϲςσϒΥᴭℇΣßæﬁİ’—…“\u0301\u064e①½ж")),
        max_size=40,
    )
)
def test_text_is_folded_as_character_by_character(text):
    """Folding a whole text gives what folding each of its characters would, or nothing.

    Folded text keeps the places of the original's characters only if each folds
    to exactly one; any other text is read word by word instead.
    """
    characters = [
        character if character.isascii() else _aligned_character(character) for character in text
    ]
    expected = "".join(characters).lower() if all(characters) else None
    if expected is not None and len(expected) != len(text):
        expected = None
    assert _aligned_fold(text) == expected
