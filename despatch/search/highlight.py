"""Snippets: the passage of a post that best matches a query, with the matches marked.

The passage comes from the post's plain text and every piece of it is escaped
before the ``<mark>`` elements are put around the matching words, so whatever a
post or a query contains, the only markup in a snippet is ours.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .query import SearchQuery
from .text import fold, is_mark, word_spans

# About two lines of text, and how much of it comes before the first match.
SNIPPET_CHARACTERS = 240
LEAD_IN_CHARACTERS = 50
# Very long posts are searched for a passage only this far in.
MAX_SNIPPET_SOURCE = 40_000
# Passages are weighed around at most this many matches.
MAX_HITS = 200
ELLIPSIS = "…"
_ASCII_BYTES = bytes(range(128))


@dataclass(frozen=True)
class Highlighter:
    """Finds the words of a query in running text, as the engines would match them."""

    words: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def for_query(cls, query: SearchQuery) -> Highlighter:
        words: set[str] = set()
        prefixes: list[str] = []
        for phrase in query.positive_phrases():
            *whole, last = phrase.words
            words.update(whole)
            if phrase.prefix:
                prefixes.append(last)
            else:
                words.add(last)
        return cls(frozenset(words), tuple(sorted(prefixes)))

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes)

    def matches(self, term: str) -> bool:
        return term in self.words or (bool(self.prefixes) and term.startswith(self.prefixes))

    def hits(self, text: str) -> list[tuple[int, int, str]]:
        """Where the query's words are in ``text``: (start, end, folded word)."""
        folded = _aligned_fold(text)
        if folded is not None:
            pattern = _pattern(self.words, self.prefixes)
            # The pattern checks where a word ends; where it starts is checked
            # here, which lets the regular expression engine skip ahead fast.
            return [
                (match.start(), match.end(), match.group())
                for match in pattern.finditer(folded)
                if match.start() == 0 or not folded[match.start() - 1].isalnum()
            ]
        # Folding changed the text's length (ß, ligatures, vowel marks): read it
        # word by word instead, which is slower but finds the same words.
        return [
            (start, end, term)
            for start, end, terms in word_spans(text)
            for term in terms[:1]
            if any(self.matches(t) for t in terms)
        ]


@lru_cache(maxsize=4096)
def _aligned_character(character: str) -> str:
    """A character outside ASCII as it stands in folded text, or ``""`` if it has no one
    character there."""
    if character.isalnum():
        folded = fold(character)
        return folded if len(folded) == 1 else ""
    if is_mark(character):
        # A vowel mark inside a word vanishes when folded.
        return ""
    # Punctuation and symbols separate words however they fold (… to ...).
    return " "


def _aligned_fold(text: str) -> str | None:
    """``text`` folded character for character, or ``None`` if folding changes its length.

    Most text folds one character to one (é to e, Ж to ж), so a match found in
    the folded text is at the same place in the original.
    """
    if text.isascii():
        return text.lower()
    # The characters outside ASCII, found without a loop in Python: in UTF-8
    # every byte of theirs is outside ASCII too, so deleting the ASCII bytes
    # leaves exactly their encodings.
    outside_ascii = text.encode(errors="surrogatepass").translate(None, _ASCII_BYTES)
    replacements = {}
    for character in set(outside_ascii.decode(errors="surrogatepass")):
        folded = _aligned_character(character)
        if not folded:
            return None
        if folded != character:
            replacements[character] = folded
    if any(folded in replacements for folded in replacements.values()):
        # One replacement would change what another put in (ϲ to ς, ς to σ).
        folded_text = text.translate({ord(old): new for old, new in replacements.items()})
    else:
        # A post holds few different characters outside ASCII, and replacing
        # each in turn costs a tenth of ``str.translate``.
        folded_text = text
        for character, folded in replacements.items():
            folded_text = folded_text.replace(character, folded)
    folded_text = folded_text.lower()
    return folded_text if len(folded_text) == len(text) else None


@lru_cache(maxsize=256)
def _pattern(words: frozenset[str], prefixes: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern for whole words and words beginning with a prefix, word boundaries as indexed."""
    alternatives = [re.escape(word) for word in sorted(words, key=len, reverse=True)]
    alternatives += [re.escape(prefix) + r"[^\W_]*" for prefix in prefixes]
    return re.compile(r"(?:" + "|".join(alternatives) + r")(?![^\W_])")


def _best_passage_start(hits: list[tuple[int, int, str]]) -> int:
    """Where the passage with the most distinct matched words begins; earlier ones win ties.

    A window slides over the hits (which are in text order), counting the words
    inside it, so a common word marked two hundred times in a long post costs
    two hundred steps rather than forty thousand.
    """
    best_start, best_score = 0, -1
    in_window: Counter[str] = Counter()
    last = 0
    for first, (start, _end, _word) in enumerate(hits):
        reach = start + SNIPPET_CHARACTERS - LEAD_IN_CHARACTERS
        while last < len(hits) and hits[last][0] < reach:
            in_window[hits[last][2]] += 1
            last += 1
        if len(in_window) > best_score:
            best_start, best_score = start, len(in_window)
        word = hits[first][2]
        in_window[word] -= 1
        if not in_window[word]:
            del in_window[word]
    return best_start


def snippet(text: str, query: SearchQuery) -> SafeString:
    """The passage of ``text`` with most of the query's words, matches in ``<mark>``.

    Returns an empty string when no word of the query is in ``text`` (the post
    matched on its title, tags or author), so a page never shows an arbitrary
    passage as if it were a match.
    """
    highlighter = Highlighter.for_query(query)
    if not highlighter:
        return mark_safe("")
    source = text[:MAX_SNIPPET_SOURCE]
    hits = highlighter.hits(source)[:MAX_HITS]
    if not hits:
        return mark_safe("")

    best_start = _best_passage_start(hits)

    # Start a little before the first match and end after a whole word.
    start = max(0, best_start - LEAD_IN_CHARACTERS)
    start = 0 if start == 0 else source.find(" ", start, best_start) + 1 or best_start
    end = source.find(" ", start + SNIPPET_CHARACTERS)
    end = len(source) if end == -1 else end

    pieces = [ELLIPSIS + " "] if start > 0 else []
    position = start
    for hit_start, hit_end, _word in hits:
        if start <= hit_start and hit_end <= end:
            pieces.append(escape(source[position:hit_start]))
            pieces.append(f"<mark>{escape(source[hit_start:hit_end])}</mark>")
            position = hit_end
    pieces.append(escape(source[position:end].rstrip()))
    if end < len(text):
        pieces.append(" " + ELLIPSIS)
    # Every piece of the text was escaped above; the marks are our own.
    return mark_safe("".join(pieces))
