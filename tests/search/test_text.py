"""Folding text into searchable words: the one rule both engines share."""

from __future__ import annotations

import pytest

from despatch.search.text import (
    MAX_TERM_LENGTH,
    clean_query_text,
    edit_distance,
    fold,
    index_text,
    plain_text,
    terms,
    word_spans,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Arms Trade Treaty", ["arms", "trade", "treaty"]),
        ("Sécurité maritime", ["securite", "maritime"]),
        ("Tromsø, Łódź and Straße", ["tromso", "lodz", "and", "strasse"]),
        ("ﬁsh ＡＢＣ", ["fish", "abc"]),
        ("مُحَمَّدٌ", ["محمد"]),
        ("Москва", ["москва"]),
        ("arms_trade e-mail", ["arms", "trade", "e", "mail"]),
        ("UN-2009/17", ["un", "2009", "17"]),
        ("🙂 <script> !!!", ["script"]),
    ],
)
def test_terms_fold_case_accents_and_compatibility_forms(text, expected):
    """Readers need not type capitals, accents, vowel marks or ligatures to find a word."""
    assert terms(text) == expected


def test_overlong_words_are_not_indexed():
    """Pasted hashes and the like never become words, on either engine."""
    assert terms("a" * (MAX_TERM_LENGTH + 1) + " treaty") == ["treaty"]


def test_index_text_is_the_words_separated_by_spaces():
    assert index_text("  The UK's  position — 2009. ") == "the uk s position 2009"


def test_fold_keeps_ascii_cheap_and_correct():
    assert fold("Geneva") == "geneva"
    assert fold("GENÈVE") == "geneve"


def test_plain_text_drops_markup_and_keeps_words_apart():
    """Paragraphs, list items and entities become plain, separated words."""
    html = "<h2>Aims</h2><p>Arms&nbsp;trade<br>treaty</p><ul><li>one</li><li>two</li></ul>"
    assert plain_text(html) == "Aims Arms trade treaty one two"
    assert terms(plain_text(html)) == ["aims", "arms", "trade", "treaty", "one", "two"]


def test_clean_query_text_removes_control_characters_and_cuts():
    assert clean_query_text("a\x00b\x1fc\x7fd", limit=100) == "a b c d"
    assert clean_query_text("x" * 50, limit=10) == "x" * 10


def test_word_spans_point_into_the_original_text():
    """Highlighting needs each word's place in the text as written."""
    text = "Sécurité — مُحَمَّدٌ!"
    spans = [(text[start:end], words) for start, end, words in word_spans(text)]
    assert spans == [("Sécurité", ["securite"]), ("مُحَمَّدٌ", ["محمد"])]


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ("security", "security", 0),
        ("secruity", "security", 1),
        ("securty", "security", 1),
        ("securityy", "security", 1),
        ("sceurtiy", "security", 2),
        ("treaty", "security", 3),
    ],
)
def test_edit_distance_counts_slips_up_to_a_limit(first, second, distance):
    """Swapped neighbours count as one slip; beyond the limit the answer is limit + 1."""
    assert edit_distance(first, second, limit=2) == min(distance, 3)
