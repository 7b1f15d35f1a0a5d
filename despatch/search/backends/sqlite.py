"""Search on SQLite: an FTS5 table over the entries, ranked with bm25.

The FTS5 table ``search_entry_fts`` uses ``search_searchentry`` as its external
content and is kept in step by triggers on that table (see the migration), so
whatever writes entries also updates the index, in the same transaction. Its
rowid is the entry key, which sorts by publication time: FTS5 walks matches in
rowid order, so the newest matches come straight off the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..documents import SearchDocument
from ..models import SearchEntry
from ..query import Phrase, SearchQuery
from .base import BaseSearchBackend, Order, SearchFilters, SearchHits, required_facets

CONTENT_COLUMNS = "{title tags author body}"
# A key below every possible entry, for searches without a start date.
NO_LOWER_BOUND = -(2**62)

# The statements are written out whole, with the tables' names in them, so
# that nothing but bound parameters ever varies. bm25 takes one weight per FTS
# column: title, tags, author, body, and none for the filter tokens.
WINDOW_BOUNDARY_SQL = """
    SELECT rowid FROM search_entry_fts
    WHERE search_entry_fts MATCH %s AND rowid >= %s AND rowid < %s
    ORDER BY rowid DESC LIMIT 2 OFFSET %s
"""
BEST_MATCHES_SQL = """
    SELECT entry.post_id FROM search_entry_fts
    JOIN search_searchentry AS entry ON entry.key = search_entry_fts.rowid
    WHERE search_entry_fts MATCH %s
        AND search_entry_fts.rowid >= %s AND search_entry_fts.rowid < %s
    ORDER BY bm25(search_entry_fts, 10.0, 5.0, 2.0, 1.0, 0.0), search_entry_fts.rowid DESC
    LIMIT %s OFFSET %s
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


def _entry(document: SearchDocument) -> SearchEntry:
    return SearchEntry(
        key=document.key,
        post_id=document.post_id,
        published_at=document.published_at,
        title=document.title,
        tags=document.tags,
        author=document.author,
        body=document.body,
        facets=" ".join(document.facets),
    )


def _same_words(stored: SearchEntry, new: SearchEntry) -> bool:
    return all(
        getattr(stored, name) == getattr(new, name)
        for name in ("key", "published_at", "title", "tags", "author", "body", "facets")
    )


class SQLiteSearchBackend(BaseSearchBackend):
    vendor = "sqlite"

    def replace(self, *, post_ids: Sequence[int], documents: Sequence[SearchDocument]) -> None:
        entries = SearchEntry.objects.using(self.alias)
        wanted = {document.post_id: _entry(document) for document in documents}
        for start in range(0, len(post_ids), 500):
            batch = post_ids[start : start + 500]
            stored = {entry.post_id: entry for entry in entries.filter(post_id__in=batch)}
            # Rewriting an entry costs the FTS index a delete and an insert, so
            # entries that would not change (most of them, in a reindex) stay.
            unchanged = {
                post_id
                for post_id, entry in stored.items()
                if post_id in wanted and _same_words(entry, wanted[post_id])
            }
            # Deleting through the ORM fires the FTS triggers row by row, which
            # is what keeps the external-content index exact.
            entries.filter(post_id__in=set(stored) - unchanged).delete()
            entries.bulk_create(
                [wanted[post_id] for post_id in batch if post_id in wanted.keys() - unchanged],
                batch_size=500,
            )
        self.remember_words(documents)

    def optimise(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(OPTIMIZE_SQL)

    def rebuild_vocabulary(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchterm")
            cursor.execute(VOCABULARY_SQL)
            return cursor.rowcount

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
        match = match_expression(query, filters)
        lower, upper = filters.key_range(now=now)
        lower = NO_LOWER_BOUND if lower is None else lower
        if lower >= upper:
            return SearchHits(post_ids=[], has_next=False)
        window_limited = False
        statement = NEWEST_MATCHES_SQL
        with self.connection.cursor() as cursor:
            if order == Order.RELEVANCE and query.has_required:
                # Rank only the newest ``rank_window`` matches: find the key of
                # the last of them, then let bm25 score the matches above it.
                cursor.execute(WINDOW_BOUNDARY_SQL, [match, lower, upper, self.rank_window - 1])
                boundary = cursor.fetchall()
                if boundary:
                    lower, window_limited = boundary[0][0], len(boundary) > 1
                statement = BEST_MATCHES_SQL
                offset = min(offset, self.rank_window)
                limit = max(0, min(limit, self.rank_window - offset))
            cursor.execute(statement, [match, lower, upper, limit + 1, offset])
            post_ids = [row[0] for row in cursor.fetchall()]
        return SearchHits(
            post_ids=post_ids[:limit],
            has_next=len(post_ids) > limit,
            window_limited=window_limited,
        )
