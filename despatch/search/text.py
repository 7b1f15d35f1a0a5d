"""How text becomes searchable words, the same way for posts, queries and snippets.

Both engines index text that has already been folded here, and queries are
folded the same way, so SQLite and PostgreSQL see exactly the same words and
cannot disagree about what matches. Folding is what readers expect from a
search box: case does not matter, accents do not matter (``securite`` finds
“sécurité”), Arabic short-vowel marks do not matter, and compatibility forms
(ligatures, full-width letters) are read as the letters they stand for.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator

# Longer "words" are almost always pasted data (hashes, base64); PostgreSQL also
# refuses lexemes above 2 kB. Both engines drop them, so they agree.
MAX_TERM_LENGTH = 60

# A word is a run of letters and digits. The underscore counts as punctuation:
# it never appears inside an indexed word, which leaves it free for the engines'
# own filter tokens.
WORD = re.compile(r"[^\W_]+")

# Letters that carry a stroke rather than a separable accent, so Unicode
# decomposition leaves them alone; readers type the plain letter for them.
_UNDECOMPOSABLE = {
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "ħ": "h",
    "ı": "i",
    "ŧ": "t",
    "ƀ": "b",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
}
_UNDECOMPOSABLE_PATTERN = re.compile("[" + "".join(_UNDECOMPOSABLE) + "]")

_TAG = re.compile(r"<[^>]*>")
# Tags of elements whose edges separate words; inline ones (em, a, mark…) sit
# inside words and are simply dropped.
_BLOCK_TAG = re.compile(
    r"</?(?=(?:address|aside|blockquote|br|dd|details|div|dl|dt|figcaption|figure|footer"
    r"|h[1-6]|header|hr|iframe|img|li|ol|p|pre|section|summary|table|td|th|tr|ul|video)"
    r"[\s/>])[^>]*>"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_marks(match: re.Match[str]) -> str:
    return "".join(char for char in match.group() if not is_mark(char))


def is_mark(char: str) -> bool:
    return unicodedata.category(char) in {"Mn", "Me"}


def fold(text: str) -> str:
    """Return ``text`` case-folded, with accents and other combining marks removed."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    # Only the non-ASCII stretches can hold marks; looking at those alone keeps
    # folding a mostly-English post cheap.
    text = _NON_ASCII.sub(_without_marks, text)
    text = _UNDECOMPOSABLE_PATTERN.sub(lambda match: _UNDECOMPOSABLE[match.group()], text)
    return unicodedata.normalize("NFC", text)


def terms(text: str) -> list[str]:
    """The folded words of ``text``, in order: what both engines index and match."""
    return [word for word in WORD.findall(fold(text)) if len(word) <= MAX_TERM_LENGTH]


def index_text(text: str) -> str:
    """``text`` as the engines store it: its folded words separated by single spaces."""
    return " ".join(terms(text))


def plain_text(markup: str) -> str:
    """The readable text of sanitised post HTML: tags dropped, entities decoded.

    Block elements become spaces, so the last word of one paragraph never runs
    into the first word of the next, while inline ones vanish, so
    ``<em>un</em>likely`` stays one word. The HTML comes from our own
    sanitiser, so a regular expression is enough to take it apart.
    """
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", markup))
    # ``split()`` breaks at the same whitespace as ``\s`` and is several times
    # faster than a regular expression over a whole post.
    return " ".join(html.unescape(text).split())


def clean_query_text(raw: str, *, limit: int) -> str:
    """``raw`` without control characters, cut to ``limit`` characters.

    Browsers and copy-paste bring NUL bytes, form feeds and bidirectional
    controls; none of them is part of a word, and PostgreSQL refuses NUL.
    """
    return _CONTROL.sub(" ", raw)[:limit]


def word_spans(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """Each word of ``text`` with its position and the folded terms it stands for.

    Used to put marks around matches in the original text. Letters joined only by
    combining marks are one word, so a vowelled Arabic word is one word here, as
    it is once folded.
    """
    spans: list[list[int]] = []
    for match in WORD.finditer(text):
        start, end = match.span()
        if spans and all(is_mark(char) for char in text[spans[-1][1] : start]):
            spans[-1][1] = end
        else:
            spans.append([start, end])
        while spans[-1][1] < len(text) and is_mark(text[spans[-1][1]]):
            spans[-1][1] += 1
    for start, end in spans:
        word = text[start:end]
        yield start, end, [word.lower()] if word.isascii() else terms(word)


def edit_distance(first: str, second: str, *, limit: int) -> int:
    """The optimal-string-alignment distance between two words, or ``limit + 1``.

    Insertions, deletions, substitutions and swaps of neighbouring letters each
    cost one. The work stops as soon as the distance must exceed ``limit``: when
    looking for near misses of a word, only near misses matter.
    """
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    if first == second:
        return 0
    previous_previous: list[int] = []
    previous = list(range(len(second) + 1))
    for i, first_char in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        best = current[0]
        for j, second_char in enumerate(second, start=1):
            cost = 0 if first_char == second_char else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and first_char == second[j - 2] and first[i - 2] == second_char:
                value = min(value, previous_previous[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return min(previous[-1], limit + 1)
