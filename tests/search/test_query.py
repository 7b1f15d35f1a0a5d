"""Reading the search box's syntax into a safe tree."""

from __future__ import annotations

import pytest

from despatch.search.query import MAX_QUERY_LENGTH, MAX_TERMS, Alternatives, Phrase, parse


def words(*terms: str) -> Alternatives:
    return Alternatives(tuple(Phrase((term,)) for term in terms))


def test_plain_words_are_all_required():
    query = parse("Arms Trade Treaty")
    assert query.required == (words("arms"), words("trade"), words("treaty"))
    assert query.excluded == ()


def test_quoted_phrases_keep_their_words_together():
    query = parse('"arms trade treaty" 2009')
    assert query.required == (
        Alternatives((Phrase(("arms", "trade", "treaty")),)),
        words("2009"),
    )


def test_minus_excludes_a_word_or_a_phrase():
    query = parse('treaty -nuclear -"small arms"')
    assert query.required == (words("treaty"),)
    assert query.excluded == (Phrase(("nuclear",)), Phrase(("small", "arms")))


def test_or_joins_the_phrases_either_side():
    query = parse('climate OR "global warming" policy')
    assert query.required == (
        Alternatives((Phrase(("climate",)), Phrase(("global", "warming")))),
        words("policy"),
    )


def test_a_star_asks_for_words_beginning_with_the_prefix():
    assert parse("negotiat*").required == (Alternatives((Phrase(("negotiat",), prefix=True),)),)
    assert parse('"arms tra"*').required == (Alternatives((Phrase(("arms", "tra"), prefix=True),)),)


def test_single_letter_prefixes_are_read_as_the_letter():
    """``a*`` would match most of the vocabulary; it is searched as the word "a"."""
    assert parse("a*").required == (words("a"),)


def test_hyphenated_and_dotted_words_are_phrases():
    assert parse("U.K. e-mail").required == (
        Alternatives((Phrase(("u", "k")),)),
        Alternatives((Phrase(("e", "mail")),)),
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"unbalanced quote', '"unbalanced quote"'),
        ("OR", ""),
        ("treaty OR", "treaty"),
        ("OR treaty", "treaty"),
        ("a OR OR b", "a OR b"),
        ("-", ""),
        ("- treaty", "treaty"),
        ("--treaty", "-treaty"),
        ('""', ""),
        ("-x OR y", "y -x"),
        ("x OR -y", "x -y"),
        ("*", ""),
        ("NEAR(a b)", '"near a" b'),
        ("'; DROP TABLE posts_post; --", 'drop table "posts post"'),
        ("title:treaty", '"title treaty"'),
        ("{body}: treaty", "body treaty"),
        ("treaty AND arms", "treaty and arms"),
        ("🙂 ‏مرحبا‎", "مرحبا"),
    ],
)
def test_odd_input_is_read_forgivingly(raw, expected):
    """Operators out of place are dropped; engine syntax is just punctuation between words."""
    assert parse(raw).as_text() == expected


def test_every_word_in_the_tree_is_letters_and_digits():
    """Nothing the reader typed reaches an engine except folded words."""
    query = parse('"\\"" -\'\' :* <-> & | ! ( ) { } ^ ~ NEAR/2 a:b')
    for group in query.required:
        for phrase in group.phrases:
            assert all(word.isalnum() for word in phrase.words)
    assert all(all(word.isalnum() for word in p.words) for p in query.excluded)


def test_long_queries_are_cut_and_say_so():
    query = parse("treaty " * 2000)
    assert query.shortened
    assert len(parse(" ".join(f"w{n}" for n in range(MAX_TERMS * 2))).required) == MAX_TERMS
    assert not parse("x" * MAX_QUERY_LENGTH).shortened


def test_duplicate_words_are_searched_once():
    assert parse("treaty treaty").required == (words("treaty"),)


def test_as_text_round_trips():
    text = '"arms trade" climate OR weather negotiat* -nuclear'
    assert parse(parse(text).as_text()) == parse(text)


def test_replace_word_corrects_required_words_only():
    query = parse("secruity secruity* -secruity")
    corrected = query.replace_word("secruity", "security")
    assert corrected.as_text() == "security security* -secruity"
