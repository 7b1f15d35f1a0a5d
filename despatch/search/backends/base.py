"""The contract every search engine keeps, and the parts they share."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from ..documents import (
    EVERY_POST,
    SearchDocument,
    author_token,
    blog_token,
    language_token,
    tag_token,
)
from ..models import KEY_SPREAD, SearchTerm, key_before
from ..query import SearchQuery
from ..text import MAX_TERM_LENGTH

# Relevance is judged among this many of the newest matching posts. A query
# that matches more is broad ("security", "the"); ranking every one of a
# hundred thousand matches would cost a second, while the newest few hundred
# are what a reader of a broad query wants and cost a few milliseconds. The
# results page says when a query was that broad.
DEFAULT_RANK_WINDOW = 300


class Order(TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    NEWEST = "newest", _("Newest first")


@dataclass(frozen=True)
class SearchFilters:
    """Which posts a search may return, besides matching the words."""

    blog_id: int | None = None
    author_id: int | None = None
    tag_id: int | None = None
    language: str = ""
    published_from: datetime | None = None
    published_before: datetime | None = None

    def facet_tokens(self) -> list[str]:
        tokens = []
        if self.blog_id is not None:
            tokens.append(blog_token(self.blog_id))
        if self.author_id is not None:
            tokens.append(author_token(self.author_id))
        if self.tag_id is not None:
            tokens.append(tag_token(self.tag_id))
        if self.language:
            tokens.append(language_token(self.language))
        return tokens

    def key_range(self, *, now: datetime) -> tuple[int | None, int]:
        """The entry keys to search: from the start date (if any) to now or the end date.

        The upper bound leaves out scheduled posts whose time has not come. Keys
        count whole seconds, so a post due later in the current second can come
        back from the engine; the page loads posts through ``published()``,
        which has the last word.
        """
        upper = key_before(now) + KEY_SPREAD
        if self.published_before is not None:
            upper = min(upper, key_before(self.published_before))
        lower = key_before(self.published_from) if self.published_from is not None else None
        return lower, upper


@dataclass(frozen=True)
class SearchHits:
    """One page of matching posts, best first, and what the engine knows about the rest."""

    post_ids: list[int]
    has_next: bool
    # True when more posts matched than relevance is judged among.
    window_limited: bool = False


class BaseSearchBackend(abc.ABC):
    """A search engine over ``SearchEntry`` rows: it indexes documents and answers queries.

    Engines differ only in how they store and match words; what a query means,
    which posts are findable and how results are paged is the same for all.
    """

    vendor: str = ""
    # The statement that fills ``search_searchterm`` from the index, in the engine's SQL.
    vocabulary_sql: str = ""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.alias: str = params.get("DATABASE", "default")
        self.rank_window: int = int(params.get("RANK_WINDOW", DEFAULT_RANK_WINDOW))

    @property
    def connection(self) -> Any:
        return connections[self.alias]

    # --- Writing -----------------------------------------------------------------

    @abc.abstractmethod
    def replace(self, *, post_ids: Sequence[int], documents: Sequence[SearchDocument]) -> None:
        """Make the index hold ``documents`` and nothing else for the posts ``post_ids``.

        ``post_ids`` covers every post in ``documents`` and any whose entry should go.
        """

    def rebuild_vocabulary(self) -> int:
        """Recount the vocabulary from the index; return how many words it has."""
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchterm")
            cursor.execute(self.vocabulary_sql)
            return cursor.rowcount

    def optimise(self) -> None:  # noqa: B027 - optional for engines
        """Tidy the index after a rebuild, where the engine benefits from it."""

    def remember_words(self, documents: Iterable[SearchDocument]) -> None:
        """Add the documents' new words to the vocabulary, counting each as one post."""
        words = set().union(*(document.words() for document in documents))
        SearchTerm.objects.using(self.alias).bulk_create(
            [
                SearchTerm(term=word, length=len(word))
                for word in sorted(words)
                if len(word) <= MAX_TERM_LENGTH and not word.isdigit()
            ],
            ignore_conflicts=True,
            batch_size=500,
        )

    # --- Reading -----------------------------------------------------------------

    @abc.abstractmethod
    def search(
        self,
        query: SearchQuery,
        *,
        filters: SearchFilters,
        order: Order,
        offset: int,
        limit: int,
        now: datetime,
    ) -> SearchHits:
        """Return up to ``limit`` matching post ids after skipping ``offset``.

        With ``Order.RELEVANCE`` and required words, the best matches come first
        (title over tags over author over body); otherwise the newest. Posts
        whose time has not come are never returned.
        """

    def word_document_counts(self, words: Iterable[str]) -> dict[str, int]:
        """How many posts contain each of ``words``, as far as the vocabulary knows."""
        return dict(
            SearchTerm.objects.using(self.alias)
            .filter(term__in=list(words))
            .values_list("term", "document_count")
        )


def required_facets(query: SearchQuery, filters: SearchFilters) -> list[str]:
    """The filter tokens a match must carry; the every-post token when nothing else narrows.

    Engines cannot answer "every post except …" without something positive to
    start from, so a search with only filters or only exclusions starts from
    the token every post has.
    """
    tokens = filters.facet_tokens()
    if not tokens and not query.has_required:
        tokens = [EVERY_POST]
    return tokens
