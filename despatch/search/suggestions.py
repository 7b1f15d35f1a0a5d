"""Help for searches that found nothing: a corrected query, and tags that look related."""

from __future__ import annotations

from despatch.posts.selectors import CloudTag, tag_cloud

from .backends import BaseSearchBackend
from .models import SearchTerm
from .query import SearchQuery
from .text import edit_distance, terms

# Words this short have too many neighbours for a correction to be a good guess.
MIN_CORRECTED_LENGTH = 3
# Near misses weighed per misspelt word: the most common candidates first.
MAX_CANDIDATES = 5_000


def allowed_distance(word: str) -> int:
    """One typing slip in a short word, two in a longer one."""
    return 1 if len(word) <= 4 else 2


def unknown_words(query: SearchQuery, backend: BaseSearchBackend) -> list[str]:
    """The required words that no indexed post contains."""
    words = [
        word
        for phrase in query.positive_phrases()
        for word in (phrase.words[:-1] if phrase.prefix else phrase.words)
        if len(word) >= MIN_CORRECTED_LENGTH and not word.isdigit()
    ]
    known = backend.word_document_counts(words)
    return [word for word in dict.fromkeys(words) if not known.get(word)]


def closest_word(word: str) -> str | None:
    """The indexed word nearest to ``word``, preferring words in more posts.

    Candidates share the first letter and are of similar length: a first-letter
    slip is rarer than the others, and the restriction keeps the look-up cheap.
    """
    limit = allowed_distance(word)
    first = word[0]
    candidates = (
        SearchTerm.objects.filter(
            length__gte=len(word) - limit,
            length__lte=len(word) + limit,
            term__gte=first,
            term__lt=chr(ord(first) + 1),
        )
        .order_by("-document_count", "term")
        .values_list("term", flat=True)[:MAX_CANDIDATES]
    )
    best: tuple[int, int] | None = None
    best_word = None
    for rank, candidate in enumerate(candidates):
        distance = edit_distance(word, candidate, limit=limit)
        if distance <= limit and (best is None or (distance, rank) < best):
            best, best_word = (distance, rank), candidate
    return best_word


def corrected_query(query: SearchQuery, backend: BaseSearchBackend) -> SearchQuery | None:
    """``query`` with each unknown word replaced by its nearest indexed word, if any."""
    corrected = query
    for word in unknown_words(query, backend):
        replacement = closest_word(word)
        if replacement is not None:
            corrected = corrected.replace_word(word, replacement)
    return corrected if corrected != query else None


def nearby_tags(query: SearchQuery, *, limit: int = 8) -> list[CloudTag]:
    """Tags in use whose words resemble or begin with the query's words, most used first."""
    words = {
        word
        for phrase in query.positive_phrases()
        for word in phrase.words
        if len(word) >= MIN_CORRECTED_LENGTH
    }
    if not words:
        return []

    def resembles(tag: CloudTag) -> bool:
        return any(
            tag_word.startswith(word)
            or edit_distance(word, tag_word, limit=allowed_distance(word)) <= allowed_distance(word)
            for tag_word in terms(tag.name)
            for word in words
        )

    found = [tag for tag in tag_cloud(limit=None) if resembles(tag)]
    return sorted(found, key=lambda tag: -tag.post_count)[:limit]
