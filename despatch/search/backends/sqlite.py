"""Search on SQLite: an FTS5 table over the entries, ranked with bm25.

The FTS5 table ``search_entry_fts`` uses ``search_searchentry`` as its external
content and is kept in step by triggers on that table (see the migration), so
whatever writes entries also updates the index, in the same transaction. Its
rowid is the entry key, which sorts by publication time: FTS5 walks matches in
rowid order, so the newest matches come straight off the index.

bm25 is computed here, over the newest matches, rather than by FTS5's own
``bm25()``: that function first counts every post in the index containing each
phrase, to weigh rare words, which for a common phrase ("the rule of law")
means reading its whole posting list, some 60 ms at 100,000 posts, whatever
the LIMIT. The words' counts come from the vocabulary instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..documents import SearchDocument
from ..models import SearchEntry
from ..query import Alternatives, Phrase, SearchQuery
from .base import BaseSearchBackend, Order, SearchFilters, SearchHits, required_facets

CONTENT_COLUMNS = "{title tags author body}"
# A key below every possible entry, for searches without a start date.
NO_LOWER_BOUND = -(2**62)

# bm25 as FTS5 defines it (its k1 and b), with one weight per column: title,
# tags, author, body; the filter tokens count only towards a post's length.
BM25_K1 = 1.2
BM25_B = 0.75
COLUMN_WEIGHTS = (10.0, 5.0, 2.0, 1.0)
MIN_IDF = 1e-6
# A prefix that begins at most this many indexed words is searched as those
# words; FTS5 merges the posting lists of every word a prefix begins before it
# returns the first row, while alternatives are walked newest first and stop
# once enough are found (15 ms against 0.2 ms for "trade*" at 100,000 posts).
MAX_PREFIX_WORDS = 16

# The statements are written out whole, with the tables' names in them, so
# that nothing but bound parameters ever varies.
# The newest matches, with the words that bm25 weighs.
RANKED_WINDOW_SQL = """
    SELECT entry.key, entry.post_id, entry.title, entry.tags, entry.author, entry.body,
        entry.facets
    FROM (
        SELECT rowid FROM search_entry_fts
        WHERE search_entry_fts MATCH %s AND rowid >= %s AND rowid < %s
        ORDER BY rowid DESC LIMIT %s
    ) AS newest
    JOIN search_searchentry AS entry ON entry.key = newest.rowid
"""
# SQLite counts a table's rows from its pages, without reading them.
ENTRY_COUNT_SQL = "SELECT count(*) FROM search_searchentry"
PREFIX_WORDS_SQL = """
    SELECT term FROM search_searchterm WHERE term >= %s AND term < %s ORDER BY term LIMIT %s
"""
NEWEST_MATCHES_SQL = """
    SELECT entry.post_id FROM search_entry_fts
    JOIN search_searchentry AS entry ON entry.key = search_entry_fts.rowid
    WHERE search_entry_fts MATCH %s
        AND search_entry_fts.rowid >= %s AND search_entry_fts.rowid < %s
    ORDER BY search_entry_fts.rowid DESC
    LIMIT %s OFFSET %s
"""
OPTIMIZE_SQL = "INSERT INTO search_entry_fts(search_entry_fts) VALUES ('optimize')"
# New entries, as plain rows: ``bulk_create`` would spend as long preparing each
# value as SQLite spends indexing it.
INSERT_ENTRY_SQL = """
    INSERT INTO search_searchentry (key, post_id, published_at, title, tags, author, body, facets)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
"""
# The per-column vocabulary lets filter tokens stay out; a word's count is the
# most posts it appears in within any one column.
VOCABULARY_SQL = """
    INSERT INTO search_searchterm (term, length, document_count)
    SELECT term, length(term), max(doc) FROM search_entry_vocabulary
    WHERE col != 'facets' AND length(term) <= 60 AND term GLOB '*[^0-9]*'
    GROUP BY term
"""


def _phrase(phrase: Phrase) -> str:
    # Words hold only letters and digits; doubling quotes is FTS5's own escape
    # and keeps that true even if the tokenizer ever changes.
    quoted = '"' + " ".join(phrase.words).replace('"', '""') + '"'
    return quoted + ("*" if phrase.prefix else "")


def match_expression(query: SearchQuery, filters: SearchFilters) -> str:
    """The FTS5 MATCH expression for ``query`` within ``filters``.

    Built only from the query tree's folded words and our own filter tokens,
    never from the reader's text.
    """
    parts = []
    facets = required_facets(query, filters)
    if facets:
        parts.append("{facets}: (" + " AND ".join(f'"{token}"' for token in facets) + ")")
    if query.required:
        groups = (
            "(" + " OR ".join(_phrase(p) for p in group.phrases) + ")" for group in query.required
        )
        parts.append(f"{CONTENT_COLUMNS}: (" + " AND ".join(groups) + ")")
    expression = "(" + " AND ".join(parts) + ")"
    if query.excluded:
        excluded = " OR ".join(_phrase(phrase) for phrase in query.excluded)
        expression += f" NOT {CONTENT_COLUMNS}: ({excluded})"
    return expression


@dataclass(frozen=True)
class _Needle:
    """A phrase as it appears in an entry's words with a space added at each end.

    A whole phrase ends with a space, a prefix does not. Two occurrences of a
    whole phrase back to back share the space between them, so the look-up for
    the next occurrence starts on the last space of the one found (``str.count``
    would find only one of the pair); overlapping occurrences count once.
    """

    text: str
    # How far past the start of an occurrence the next one may start.
    step: int

    @classmethod
    def for_phrase(cls, phrase: Phrase) -> _Needle:
        words = " " + " ".join(phrase.words)
        if phrase.prefix:
            return cls(text=words, step=len(words))
        return cls(text=words + " ", step=len(words))

    def count(self, padded: str) -> int:
        # One pass over the text, where ``str.count`` and a look for a pair back to
        # back would take two; a post holds a phrase a few times at most.
        found = 0
        at = padded.find(self.text)
        while at >= 0:
            found += 1
            at = padded.find(self.text, at + self.step)
        return found


def rank_by_bm25(
    entries: Sequence[tuple[Any, ...]],
    phrases: Sequence[Phrase],
    idfs: Sequence[float],
) -> list[int]:
    """The posts of ``entries`` best first by bm25, the newest first among equals.

    Each entry is (key, post, title, tags, author, body, facets) and ``idfs``
    weigh the ``phrases``. A post's length is measured in characters and
    compared with the average of the posts ranked (FTS5 counts words and takes
    the whole index's average): the proportions are all bm25 uses, and
    counting words would cost more than the rest of the ranking.
    """
    needles = [_Needle.for_phrase(phrase) for phrase in phrases]
    title_weight, tags_weight, author_weight, body_weight = COLUMN_WEIGHTS
    measured = []
    # This loop runs for every entry of the rank window: written out rather than
    # zipping columns with weights, it costs a fifth less.
    for key, post_id, title, tags, author, body, facets in entries:
        length = len(title) + len(tags) + len(author) + len(body) + len(facets)
        title, tags, author, body = f" {title} ", f" {tags} ", f" {author} ", f" {body} "
        frequencies = [
            title_weight * needle.count(title)
            + tags_weight * needle.count(tags)
            + author_weight * needle.count(author)
            + body_weight * needle.count(body)
            for needle in needles
        ]
        measured.append((key, post_id, length, frequencies))
    average = max(1.0, sum(length for _key, _post, length, _f in measured) / max(1, len(measured)))

    def score(length: int, frequencies: list[float]) -> float:
        saturation = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
        return sum(
            idf * frequency * (BM25_K1 + 1) / (frequency + saturation)
            for idf, frequency in zip(idfs, frequencies, strict=True)
        )

    measured.sort(key=lambda entry: (-score(entry[2], entry[3]), -entry[0]))
    return [post_id for _key, post_id, _length, _frequencies in measured]


def _prefix_end(prefix: str) -> str:
    """The first string after every word that begins with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# The columns that make an entry what it is, in the order ``_row`` lists them.
ENTRY_COLUMNS = ("key", "published_at", "title", "tags", "author", "body", "facets")


def _row(document: SearchDocument) -> tuple[object, ...]:
    return (
        document.key,
        document.published_at,
        document.title,
        document.tags,
        document.author,
        document.body,
        " ".join(document.facets),
    )


class SQLiteSearchBackend(BaseSearchBackend):
    vendor = "sqlite"
    vocabulary_sql = VOCABULARY_SQL

    def replace(self, *, post_ids: Sequence[int], documents: Sequence[SearchDocument]) -> None:
        entries = SearchEntry.objects.using(self.alias)
        wanted = {document.post_id: document for document in documents}
        for start in range(0, len(post_ids), 500):
            batch = post_ids[start : start + 500]
            # Compared as plain rows, not model instances: in a reindex this
            # reads every entry, and building objects would cost more than
            # the comparison.
            stored = {
                post_id: tuple(row)
                for post_id, *row in entries.filter(post_id__in=batch).values_list(
                    "post_id", *ENTRY_COLUMNS
                )
            }
            # Rewriting an entry costs the FTS index a delete and an insert, so
            # entries that would not change (most of them, in a reindex) stay.
            unchanged = {
                post_id
                for post_id, row in stored.items()
                if post_id in wanted and row == _row(wanted[post_id])
            }
            # Deleting through the ORM fires the FTS triggers row by row, which
            # is what keeps the external-content index exact.
            entries.filter(post_id__in=set(stored) - unchanged).delete()
            self._insert_entries(
                [
                    wanted[post_id]
                    for post_id in batch
                    if post_id in wanted and post_id not in unchanged
                ]
            )
        self.remember_words(documents)

    def _insert_entries(self, documents: Sequence[SearchDocument]) -> None:
        """Insert an entry for each of ``documents``; the FTS triggers index them."""
        if not documents:
            return
        published_at = SearchEntry._meta.get_field("published_at")
        rows = [
            (
                document.key,
                document.post_id,
                published_at.get_db_prep_value(document.published_at, self.connection),
                document.title,
                document.tags,
                document.author,
                document.body,
                " ".join(document.facets),
            )
            for document in documents
        ]
        with self.connection.cursor() as cursor:
            cursor.executemany(INSERT_ENTRY_SQL, rows)

    def optimise(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(OPTIMIZE_SQL)

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
        lower, upper = filters.key_range(now=now)
        lower = NO_LOWER_BOUND if lower is None else lower
        if lower >= upper:
            return SearchHits(post_ids=[], has_next=False)
        with self.connection.cursor() as cursor:
            query = self._prefixes_written_out(cursor, query)
            match = match_expression(query, filters)
            if not (order == Order.RELEVANCE and query.has_required):
                cursor.execute(NEWEST_MATCHES_SQL, [match, lower, upper, limit + 1, offset])
                post_ids = [row[0] for row in cursor.fetchall()]
                return SearchHits(post_ids=post_ids[:limit], has_next=len(post_ids) > limit)
            # Rank only the newest ``rank_window`` matches.
            cursor.execute(RANKED_WINDOW_SQL, [match, lower, upper, self.rank_window + 1])
            window = sorted(cursor.fetchall(), reverse=True)
            phrases = query.positive_phrases()
            ranked = rank_by_bm25(window[: self.rank_window], phrases, self._idfs(cursor, phrases))
        offset = min(offset, self.rank_window)
        limit = max(0, min(limit, self.rank_window - offset))
        post_ids = ranked[offset : offset + limit + 1]
        return SearchHits(
            post_ids=post_ids[:limit],
            has_next=len(post_ids) > limit,
            window_limited=len(window) > self.rank_window,
        )

    def _idfs(self, cursor: Any, phrases: Sequence[Phrase]) -> list[float]:
        """bm25's weight for each phrase: the rarer in the index, the more it counts.

        A lone phrase weighs every post alike, so its weight is left at one.
        Otherwise a phrase is taken to be in as many posts as its rarest whole
        word, as the vocabulary counts them.
        """
        if len(phrases) < 2:
            return [1.0] * len(phrases)
        counts = self.word_document_counts({word for phrase in phrases for word in phrase.words})
        cursor.execute(ENTRY_COUNT_SQL)
        total = cursor.fetchone()[0]
        idfs = []
        for phrase in phrases:
            whole = phrase.words[:-1] if phrase.prefix else phrase.words
            posts = min((counts.get(word, 0) for word in whole), default=total)
            idfs.append(max(MIN_IDF, math.log((total - posts + 0.5) / (posts + 0.5))))
        return idfs

    def _prefixes_written_out(self, cursor: Any, query: SearchQuery) -> SearchQuery:
        """``query`` with each prefix replaced by the indexed words it begins, when few.

        The vocabulary holds every indexed word but numbers (``remember_words``
        adds a post's new words in the transaction that indexes it), so a
        prefix of letters loses nothing; a prefix of digits only, or one that
        begins more than MAX_PREFIX_WORDS words, is left to FTS5.
        """

        def written_out(phrase: Phrase) -> tuple[Phrase, ...]:
            prefix = phrase.words[-1]
            if not phrase.prefix or prefix.isdigit():
                return (phrase,)
            cursor.execute(PREFIX_WORDS_SQL, [prefix, _prefix_end(prefix), MAX_PREFIX_WORDS + 1])
            words = [row[0] for row in cursor.fetchall()]
            if not 0 < len(words) <= MAX_PREFIX_WORDS:
                return (phrase,)
            return tuple(Phrase((*phrase.words[:-1], word)) for word in words)

        if not any(phrase.prefix for phrase in (*query.positive_phrases(), *query.excluded)):
            return query
        return replace(
            query,
            required=tuple(
                Alternatives(
                    tuple(dict.fromkeys(p for phrase in group.phrases for p in written_out(phrase)))
                )
                for group in query.required
            ),
            excluded=tuple(
                dict.fromkeys(p for phrase in query.excluded for p in written_out(phrase))
            ),
        )
