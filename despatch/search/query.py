"""The search box's little language, parsed into a tree that engines compile safely.

Readers may write:

- plain words, all of which must appear: ``arms treaty``;
- ``"quoted phrases"``, whose words must appear together and in order;
- ``-word`` or ``-"a phrase"`` to leave out posts that contain it;
- ``OR`` (in capitals) between two words or phrases, either of which will do;
- ``word*`` for any word that begins with ``word``.

Whatever else they type is read as words: punctuation separates words, and
operators that make no sense where they stand (a lone ``-``, ``OR`` at either
end, an unclosed quote) are read in the most forgiving way or dropped. The tree
holds only folded words (letters and digits), never the reader's raw text, so
no engine ever receives a string it could misread as its own syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .text import clean_query_text, terms

# Longer queries are cut: nobody types more, and the engines' work grows with
# every term. A query that was cut says so on the results page.
MAX_QUERY_LENGTH = 500
MAX_TERMS = 24
MAX_ALTERNATIVES = 8
# Prefixes of a single letter match most of the vocabulary.
MIN_PREFIX_LENGTH = 2

_TOKENS = re.compile(
    r'(?P<minus>-)?(?:"(?P<phrase>[^"]*)(?:"|$)(?P<phrase_star>\*)?|(?P<word>[^\s"]+))'
)


@dataclass(frozen=True)
class Phrase:
    """One or more words that must appear together, in order; a single word is a phrase too.

    With ``prefix`` the last word may be the beginning of a longer word.
    """

    words: tuple[str, ...]
    prefix: bool = False

    def as_text(self) -> str:
        star = "*" if self.prefix else ""
        if len(self.words) == 1:
            return f"{self.words[0]}{star}"
        return f'"{" ".join(self.words)}"{star}'


@dataclass(frozen=True)
class Alternatives:
    """Phrases of which at least one must appear (``a OR b``); often just one phrase."""

    phrases: tuple[Phrase, ...]

    def as_text(self) -> str:
        return " OR ".join(phrase.as_text() for phrase in self.phrases)


@dataclass(frozen=True)
class SearchQuery:
    """What a reader asked for: every group in ``required``, none of ``excluded``."""

    required: tuple[Alternatives, ...] = ()
    excluded: tuple[Phrase, ...] = ()
    # Set when the reader's text was longer than the engines are asked to handle.
    shortened: bool = field(default=False, compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.required and not self.excluded

    @property
    def has_required(self) -> bool:
        return bool(self.required)

    def as_text(self) -> str:
        """The query written back in the search box's syntax, as the engines read it."""
        parts = [group.as_text() for group in self.required]
        parts += [f"-{phrase.as_text()}" for phrase in self.excluded]
        return " ".join(parts)

    def positive_phrases(self) -> list[Phrase]:
        return [phrase for group in self.required for phrase in group.phrases]

    def replace_word(self, old: str, new: str) -> SearchQuery:
        """A copy with every required occurrence of the word ``old`` written ``new``."""

        def swap(phrase: Phrase) -> Phrase:
            return replace(phrase, words=tuple(new if w == old else w for w in phrase.words))

        return replace(
            self,
            required=tuple(
                Alternatives(tuple(swap(phrase) for phrase in group.phrases))
                for group in self.required
            ),
        )


def _phrase_from(text: str, *, prefix: bool) -> Phrase | None:
    words = terms(text)
    if not words:
        return None
    if prefix and len(words[-1]) < MIN_PREFIX_LENGTH:
        prefix = False
    return Phrase(tuple(words), prefix=prefix)


def parse(raw: str) -> SearchQuery:
    """Read a reader's query. Never fails: the worst input gives an empty query."""
    text = clean_query_text(raw, limit=MAX_QUERY_LENGTH)
    shortened = len(raw) > MAX_QUERY_LENGTH

    # Each item is (excluded, phrase) or the OR marker (None).
    items: list[tuple[bool, Phrase] | None] = []
    for match in _TOKENS.finditer(text):
        minus = bool(match["minus"])
        if match["phrase"] is not None:
            phrase = _phrase_from(match["phrase"], prefix=bool(match["phrase_star"]))
        else:
            word = match["word"]
            if word == "OR" and not minus:
                items.append(None)
                continue
            phrase = _phrase_from(word.rstrip("*"), prefix=word.endswith("*"))
        if phrase is not None:
            items.append((minus, phrase))

    required: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    joining = False
    budget = MAX_TERMS
    for position, item in enumerate(items):
        if item is None:
            # OR joins the required phrases either side of it; anywhere else it
            # is ignored rather than treated as the word "or".
            previous = items[position - 1] if position else None
            if previous is not None:
                joining = not previous[0]
            continue
        is_excluded, phrase = item
        words = phrase.words[:budget]
        if not words:
            shortened = True
            break
        if len(words) < len(phrase.words):
            phrase, shortened = Phrase(words), True
        budget -= len(words)
        if is_excluded:
            excluded.append(phrase)
        elif joining and required and len(required[-1]) < MAX_ALTERNATIVES:
            required[-1].append(phrase)
        else:
            required.append([phrase])
        joining = False

    return SearchQuery(
        required=tuple(dict.fromkeys(Alternatives(tuple(dict.fromkeys(g))) for g in required)),
        excluded=tuple(dict.fromkeys(excluded)),
        shortened=shortened,
    )
