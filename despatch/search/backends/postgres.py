"""Search on PostgreSQL: a stored ``tsvector`` per entry, a GIN index, ts_rank_cd.

The vector is built here, in Python, from the already folded words, and written
as a ``tsvector`` literal: PostgreSQL's own parser would split words by rules
that depend on the server's locale and differ from SQLite's, and the two engines
must agree on what a word is. Title words carry weight A, tags B, the author's
name C and the body D.

The column and its GIN index exist only on PostgreSQL (see the migration);
the model does not know about them, so the vector is read and written with SQL.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from ..documents import SearchDocument
from ..query import Phrase, SearchQuery
from .base import BaseSearchBackend, Order, SearchFilters, SearchHits, required_facets

# PostgreSQL keeps word positions up to 16,383 and 256 positions per word.
MAX_POSITION = 16_383
MAX_POSITIONS_PER_WORD = 256
# A gap between fields, so a phrase never matches across title and tags.
FIELD_GAP = 64
# Walking the newest posts tests each one's vector, which must be read and
# decompressed: about eight times the cost of a match found through the GIN
# index (measured at 100,000 posts: some 11 µs against 1.5 µs). The walk is
# chosen when it is cheaper, and covers this many times the posts expected to
# hold the matches wanted, never more than MAX_PROBE, before the GIN index
# takes over.
WALK_COST = 8
PROBE_FACTOR = 2
MAX_PROBE = 5_000
NO_LOWER_BOUND = -(2**62)

# The statements are written out whole, with the tables' names in them, so
# that nothing but bound parameters ever varies.
DELETE_SQL = "DELETE FROM search_searchentry WHERE post_id = ANY(%s) AND NOT post_id = ANY(%s)"
# What an entry holds, to leave entries whose words did not change alone: a
# reindex then writes (and leaves for vacuum) only what changed. Printing and
# hashing a stored vector costs the server a fraction of parsing a new one.
STORED_SQL = """
    SELECT post_id, key, published_at, facets, md5(vector::text)
    FROM search_searchentry WHERE post_id = ANY(%s)
"""
# The check in the WHERE clause covers an entry changed since it was read above.
UPSERT_SQL = """
    INSERT INTO search_searchentry
        (key, post_id, published_at, title, tags, author, body, facets, vector)
    VALUES (%s, %s, %s, '', '', '', '', %s, %s::tsvector)
    ON CONFLICT (post_id) DO UPDATE SET
        key = EXCLUDED.key,
        published_at = EXCLUDED.published_at,
        facets = EXCLUDED.facets,
        vector = EXCLUDED.vector
    WHERE (search_searchentry.key, search_searchentry.published_at,
           search_searchentry.facets, search_searchentry.vector)
        IS DISTINCT FROM (EXCLUDED.key, EXCLUDED.published_at, EXCLUDED.facets, EXCLUDED.vector)
"""
# Filter tokens are counted too ("_blog3"): how many posts a filter keeps is
# what tells a narrow search from a broad one. Suggestions never offer them.
VOCABULARY_SQL = """
    INSERT INTO search_searchterm (term, length, document_count)
    SELECT word, length(word), ndoc FROM ts_stat('SELECT vector FROM search_searchentry')
    WHERE word ~ '[^0-9]' AND length(word) <= 60
"""
COUNTS_SQL = """
    SELECT term, document_count FROM search_searchterm WHERE term = ANY(%s)
    UNION ALL
    SELECT '', reltuples::bigint FROM pg_class WHERE oid = 'search_searchentry'::regclass
"""
PROBE_SQL = """
    SELECT key FROM search_searchentry WHERE key >= %s AND key < %s
    ORDER BY key DESC LIMIT 1 OFFSET %s
"""
# Matches come with their rank when the search is by relevance, computed
# while the row is at hand: ranking them afterwards by key would fetch and
# decompress every vector of the window a second time. The rank is computed
# outside the LIMIT, or a scan of the GIN index, which sorts every match by
# key, would rank them all. ts_rank_cd's weights
# are listed D, C, B, A: body, author, tags, title. The rank is divided by 1 +
# the logarithm of the post's length (normalisation 1), as bm25 allows for
# length on SQLite. The parameters are: the match, whether to rank, the words
# to rank by, the key range and how many.
NEWEST_MATCHES_SQL = """
    SELECT key, post_id,
        CASE WHEN %s THEN ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', vector, %s::tsquery, 1) END
    FROM (
        SELECT key, post_id, vector FROM search_searchentry
        WHERE vector @@ %s::tsquery AND key >= %s AND key < %s
        ORDER BY key DESC LIMIT %s
    ) AS newest
    ORDER BY key DESC
"""
# The same through the GIN index only: ``key + 0`` hides the key range from the
# primary key's index, which the planner would otherwise scan (testing every
# row's vector) when it overrates the cost of a prefix look-up in GIN.
GIN_MATCHES_SQL = """
    SELECT key, post_id,
        CASE WHEN %s THEN ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', vector, %s::tsquery, 1) END
    FROM (
        SELECT key, post_id, vector FROM search_searchentry
        WHERE vector @@ %s::tsquery AND key + 0 >= %s AND key + 0 < %s
        ORDER BY key DESC LIMIT %s
    ) AS newest
    ORDER BY key DESC
"""


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def facet_lexeme(token: str) -> str:
    """Filter tokens start with an underscore, which no indexed word contains."""
    return _lexeme(f"_{token}")


def vector_literal(document: SearchDocument) -> str:
    """The ``tsvector`` of ``document``, written out with positions and weights.

    Written exactly as PostgreSQL prints a ``tsvector`` (lexemes in byte order,
    which for UTF-8 is code point order), so a reindex can tell an unchanged
    entry by comparing fingerprints of the text, without the server parsing
    every vector again.
    """
    positions: dict[str, list[str]] = {}
    position = 0
    for words, weight in (
        (document.title, "A"),
        (document.tags, "B"),
        (document.author, "C"),
        (document.body, ""),
    ):
        for word in words.split():
            position += 1
            if position > MAX_POSITION:
                break
            slots = positions.setdefault(word, [])
            if len(slots) < MAX_POSITIONS_PER_WORD:
                slots.append(f"{position}{weight}")
        position += FIELD_GAP
    lexemes = {_lexeme(word): ":" + ",".join(slots) for word, slots in positions.items()}
    lexemes |= {facet_lexeme(token): "" for token in document.facets}
    # The closing quote sorts below every letter, digit and underscore, so the
    # quoted lexemes sort as the words themselves do.
    return " ".join(lexeme + lexemes[lexeme] for lexeme in sorted(lexemes))


def vector_fingerprint(vector: str) -> str:
    """A short digest of a ``tsvector``'s text, matching SQL's ``md5(vector::text)``."""
    return hashlib.md5(vector.encode(), usedforsecurity=False).hexdigest()


def _phrase(phrase: Phrase) -> str:
    lexemes = [_lexeme(word) for word in phrase.words]
    if phrase.prefix:
        lexemes[-1] += ":*"
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def _required(query: SearchQuery) -> list[str]:
    return ["(" + " | ".join(_phrase(p) for p in group.phrases) + ")" for group in query.required]


def match_tsquery(query: SearchQuery, filters: SearchFilters) -> str:
    """The ``tsquery`` text a matching entry satisfies, built only from the query tree."""
    parts = [facet_lexeme(token) for token in required_facets(query, filters)]
    parts += _required(query)
    text = " & ".join(parts)
    if query.excluded:
        text += " & !(" + " | ".join(_phrase(phrase) for phrase in query.excluded) + ")"
    return text


def rank_tsquery(query: SearchQuery) -> str:
    """The words relevance is judged by: the required ones, without filters."""
    return " & ".join(_required(query))


# Planner settings for one statement: the old values are read (in the CTE,
# before anything changes) and returned, so they can be put back afterwards.
BITMAP_SCANS_ONLY_SQL = """
    WITH previous AS MATERIALIZED (
        SELECT current_setting('enable_indexscan') AS indexscan,
               current_setting('enable_seqscan') AS seqscan
    )
    SELECT indexscan, seqscan,
           set_config('enable_indexscan', 'off', true), set_config('enable_seqscan', 'off', true)
    FROM previous
"""
RESTORE_SCANS_SQL = (
    "SELECT set_config('enable_indexscan', %s, true), set_config('enable_seqscan', %s, true)"
)


@contextmanager
def _bitmap_scans_only(cursor: Any, *, using: str) -> Iterator[None]:
    """Make the statements inside use the GIN index, whatever the planner estimates.

    The planner does not know that testing a row against a query means
    decompressing its vector; for a word it believes common it may walk the
    table in key order and test every row, which for a word that is in fact
    rare means reading the whole table. This is only used where matches are
    known to be sparse, where the GIN index is always the right way in. The
    settings are local to the transaction, and put back as they were.
    """
    with transaction.atomic(using=using, savepoint=False):
        cursor.execute(BITMAP_SCANS_ONLY_SQL)
        indexscan, seqscan, _set, _also_set = cursor.fetchone()
        try:
            yield
        finally:
            cursor.execute(RESTORE_SCANS_SQL, [indexscan, seqscan])


@dataclass(frozen=True)
class WalkPlan:
    """What is known, before and while searching, of how common the matches are."""

    total: float
    density: float
    wanted: int

    def next_stretch(self, *, found: int, walked: int) -> int:
        """How many more of the newest posts to walk; 0 to hand over to the GIN index.

        The density is the estimate until some posts have been walked, then what
        the walk found. Walking on pays while the posts still to walk cost less
        than reading the rest of the matches through GIN, and never beyond
        MAX_PROBE posts in all.
        """
        density = found / walked if walked else self.density
        if density <= 0:
            return 0
        rows_to_walk = (self.wanted - found) / density
        remaining_matches = density * max(self.total - walked, 0)
        if rows_to_walk * WALK_COST >= remaining_matches:
            return 0
        return min(MAX_PROBE - walked, math.ceil(PROBE_FACTOR * rows_to_walk))


class PostgresSearchBackend(BaseSearchBackend):
    vendor = "postgresql"
    vocabulary_sql = VOCABULARY_SQL

    def replace(self, *, post_ids: Sequence[int], documents: Sequence[SearchDocument]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                DELETE_SQL, [list(post_ids), [document.post_id for document in documents]]
            )
            cursor.execute(STORED_SQL, [[document.post_id for document in documents]])
            stored = {post_id: tuple(row) for post_id, *row in cursor.fetchall()}
            rows = []
            for document in documents:
                facets = " ".join(document.facets)
                vector = vector_literal(document)
                entry = (document.key, document.published_at, facets, vector_fingerprint(vector))
                if stored.get(document.post_id) != entry:
                    rows.append(
                        (document.key, document.post_id, document.published_at, facets, vector)
                    )
            if rows:
                cursor.executemany(UPSERT_SQL, rows)
        self.remember_words(documents)

    def optimise(self) -> None:
        with self.connection.cursor() as cursor:
            # Entries written since the last merge wait in the GIN index's pending
            # list, which every search reads; merge them, and refresh statistics.
            cursor.execute("SELECT gin_clean_pending_list('search_entry_vector'::regclass)")
            cursor.execute("ANALYZE search_searchentry")

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
        match = match_tsquery(query, filters)
        lower, upper = filters.key_range(now=now)
        lower = NO_LOWER_BOUND if lower is None else lower
        if lower >= upper:
            return SearchHits(post_ids=[], has_next=False)
        ranked = order == Order.RELEVANCE and query.has_required
        wanted = self.rank_window + 1 if ranked else offset + limit + 1
        with self.connection.cursor() as cursor:
            plan = self._plan(cursor, query, filters, wanted=wanted)
            newest = self._newest_matches(
                cursor,
                match,
                lower=lower,
                upper=upper,
                plan=plan,
                rank_by=rank_tsquery(query) if ranked else None,
            )
        if not ranked:
            post_ids = [post_id for _key, post_id, _rank in newest[offset : offset + limit + 1]]
            return SearchHits(post_ids=post_ids[:limit], has_next=len(post_ids) > limit)
        window = sorted(newest[: self.rank_window], key=lambda row: (-(row[2] or 0.0), -row[0]))
        offset = min(offset, self.rank_window)
        limit = max(0, min(limit, self.rank_window - offset))
        post_ids = [post_id for _key, post_id, _rank in window[offset : offset + limit + 1]]
        return SearchHits(
            post_ids=post_ids[:limit],
            has_next=len(post_ids) > limit,
            window_limited=len(newest) > self.rank_window,
        )

    def _plan(
        self, cursor: Any, query: SearchQuery, filters: SearchFilters, *, wanted: int
    ) -> WalkPlan:
        """How to find the ``wanted`` newest matches: walk the newest posts, or use GIN.

        Estimated from the vocabulary's counts: a phrase matches no more posts
        than its rarest word, alternatives no more than their sum, and the
        required groups and filters together are taken as independent. Walking
        pays when matches are dense (a common word, few results wanted);
        otherwise, and for a word the vocabulary does not know, the GIN index is
        cheaper. A lone prefix could be any number of words, so it counts as
        common.
        """
        words = {word for phrase in query.positive_phrases() for word in phrase.words}
        facets = [f"_{token}" for token in filters.facet_tokens()]
        cursor.execute(COUNTS_SQL, [[*words, *facets]])
        counts = dict(cursor.fetchall())
        # The table's size as of its last ANALYZE (-1 before the first), or at
        # least as many posts as the commonest word is in.
        total = float(max(counts.pop("", 0) or 0, *counts.values(), 1))
        groups: list[float] = [float(counts.get(facet, 0)) for facet in facets]
        for group in query.required:
            bound: float = 0
            for phrase in group.phrases:
                whole = phrase.words[:-1] if phrase.prefix else phrase.words
                bound += min((counts.get(word, 0) for word in whole), default=total)
            groups.append(min(bound, total))
        density = math.prod(group / total for group in groups)
        return WalkPlan(total=total, density=density, wanted=wanted)

    def _newest_matches(
        self,
        cursor: Any,
        match: str,
        *,
        lower: int,
        upper: int,
        plan: WalkPlan,
        rank_by: str | None,
    ) -> list[tuple[int, int, float | None]]:
        """The keys, posts and ranks of the wanted newest entries in [lower, upper) matching.

        Ranks are by the words of ``rank_by``, or ``None`` without it.

        While the plan says walking is cheaper, the newest posts are walked in
        key order, a stretch at a time, each stretch sized by the density of
        matches seen so far: when the query is common, that finds enough at
        once, at a cost that does not grow with the corpus. When matches turn
        out sparser than that, the GIN index looks through the older posts,
        which then costs little too.
        """
        ranking = [rank_by is not None, rank_by or match]
        rows: list[tuple[int, int, float | None]] = []
        walked = 0
        while (stretch := plan.next_stretch(found=len(rows), walked=walked)) > 0:
            cursor.execute(PROBE_SQL, [lower, upper, stretch])
            oldest_walked = cursor.fetchone()
            stretch_lower = oldest_walked[0] if oldest_walked else lower
            cursor.execute(
                NEWEST_MATCHES_SQL,
                [*ranking, match, stretch_lower, upper, plan.wanted - len(rows)],
            )
            rows += cursor.fetchall()
            if len(rows) >= plan.wanted or oldest_walked is None:
                return rows
            walked += stretch
            upper = stretch_lower
        with _bitmap_scans_only(cursor, using=self.alias):
            cursor.execute(
                GIN_MATCHES_SQL, [*ranking, match, lower, upper, plan.wanted - len(rows)]
            )
            rows += cursor.fetchall()
        return rows
