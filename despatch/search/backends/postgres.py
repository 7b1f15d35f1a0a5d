"""Search on PostgreSQL: a stored ``tsvector`` per entry, a GIN index, ts_rank_cd.

The vector is built here, in Python, from the already folded words, and written
as a ``tsvector`` literal: PostgreSQL's own parser would split words by rules
that depend on the server's locale and differ from SQLite's, and the two engines
must agree on what a word is. Title words carry weight A, tags B, the author's
name C and the body D.

The GIN index holds each vector together with the periods its key falls in
(see the migrations), so a search for the newest matches asks the index for
matches within the newest stretch of posts and reads only those from the table.

The column and its GIN index exist only on PostgreSQL (see the migrations);
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
# Periods: spans of entry keys, named by lexemes the GIN index holds beside
# each vector, ``_p<shift>_<key >> shift>``. The sizes are the migration's:
# 2**39 keys are about an hour and a half, each size sixteen times the last.
PERIOD_SHIFTS = (39, 43, 47, 51, 55)
# A stretch is covered by at most this many periods of one size: the index
# tests every candidate against the whole query, so the list is kept short,
# at the price of covering up to two periods' more posts than the stretch.
MAX_PERIODS = 16
# A stretch is sized to hold this many times the matches still wanted, going
# by the density of matches expected or seen so far.
STRETCH_FACTOR = 2
# Finding where a stretch starts walks as many entries of the primary key's
# index as the stretch holds; each match the GIN index finds is then read from
# the table, which costs about four times as much (some 0.1 µs against 0.4 µs
# at 100,000 posts). A stretch is searched when the two cost less than reading
# every match left; after MAX_STRETCHES, the rest is searched at once.
MATCH_READ_COST = 4
MAX_STRETCHES = 3
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
# The key of the post ``stretch`` places older than the newest before ``upper``.
STRETCH_START_SQL = """
    SELECT key FROM search_searchentry WHERE key >= %s AND key < %s
    ORDER BY key DESC LIMIT 1 OFFSET %s
"""
# The newest matches in a key range, found through the GIN index alone: the
# index query is the match with phrases loosened to their words, which the
# index answers exactly, without reading a vector, and for a stretch its
# periods. The key is written ``key + 0`` so that the planner cannot use the
# primary key's index instead, walking it in key order (or within the range)
# and testing every row's vector, which it does when it overrates the cost of
# a look-up in GIN; ``_no_sequential_scans`` rules out the other way of testing
# every row.
#
# Matches come with their rank when the search is by relevance, computed
# while the row is at hand: ranking them afterwards by key would fetch and
# decompress every vector a second time. The rank is computed outside the
# LIMIT, or every candidate would be ranked. ts_rank_cd's weights are listed
# D, C, B, A: body, author, tags, title. The rank is divided by 1 + the
# logarithm of the post's length (normalisation 1), as bm25 allows for length
# on SQLite. The parameters are: whether to rank, the words to rank by, the
# index query, the key range and how many.
MATCHES_SQL = """
    SELECT key, post_id,
        CASE WHEN %s THEN ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', vector, %s::tsquery, 1) END
    FROM (
        SELECT key, post_id, vector FROM search_searchentry
        WHERE (vector || search_entry_periods(key)) @@ %s::tsquery
            AND key + 0 >= %s AND key + 0 < %s
        ORDER BY key + 0 DESC LIMIT %s
    ) AS newest
    ORDER BY key DESC
"""
# The same for a query with phrases of several words, which only a post's
# vector can confirm: the candidates are put in key order (``OFFSET 0`` keeps
# the check out of the scan) and checked newest first, until enough match.
# The parameters are: as above, with the match before how many.
PHRASE_MATCHES_SQL = """
    SELECT key, post_id,
        CASE WHEN %s THEN ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', vector, %s::tsquery, 1) END
    FROM (
        SELECT key, post_id, vector FROM (
            SELECT key, post_id, vector FROM search_searchentry
            WHERE (vector || search_entry_periods(key)) @@ %s::tsquery
                AND key + 0 >= %s AND key + 0 < %s
            ORDER BY key + 0 DESC OFFSET 0
        ) AS candidates
        WHERE vector @@ %s::tsquery
        LIMIT %s
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


def _phrase(phrase: Phrase, *, adjacent: bool = True) -> str:
    """A phrase as ``tsquery`` text; with ``adjacent`` off, only its words, anywhere."""
    lexemes = [_lexeme(word) for word in phrase.words]
    if phrase.prefix:
        lexemes[-1] += ":*"
    joiner = " <-> " if adjacent else " & "
    return lexemes[0] if len(lexemes) == 1 else "(" + joiner.join(lexemes) + ")"


def _required(query: SearchQuery, *, adjacent: bool = True) -> list[str]:
    return [
        "(" + " | ".join(_phrase(p, adjacent=adjacent) for p in group.phrases) + ")"
        for group in query.required
    ]


def match_tsquery(query: SearchQuery, filters: SearchFilters) -> str:
    """The ``tsquery`` text a matching entry satisfies, built only from the query tree."""
    parts = [facet_lexeme(token) for token in required_facets(query, filters)]
    parts += _required(query)
    text = " & ".join(parts)
    if query.excluded:
        text += " & !(" + " | ".join(_phrase(phrase) for phrase in query.excluded) + ")"
    return text


def has_phrases(query: SearchQuery) -> bool:
    """Whether the query holds a phrase of several words, required or excluded."""
    return any(len(phrase.words) > 1 for phrase in (*query.positive_phrases(), *query.excluded))


def index_tsquery(query: SearchQuery, filters: SearchFilters) -> str:
    """The part of the match the GIN index answers exactly, without reading vectors.

    Every match satisfies it. It differs from the match only for phrases of
    several words: a required one asks here for its words anywhere, and an
    excluded one is left out (leaving out posts with its words anywhere would
    leave out too many); ``has_phrases`` says when candidates need checking.
    """
    parts = [facet_lexeme(token) for token in required_facets(query, filters)]
    parts += _required(query, adjacent=False)
    text = " & ".join(parts)
    excluded = [_phrase(phrase) for phrase in query.excluded if len(phrase.words) == 1]
    if excluded:
        text += " & !(" + " | ".join(excluded) + ")"
    return text


def period_tsquery(lower: int, upper: int) -> str:
    """The fewest periods of one size that cover the keys [lower, upper), as ``tsquery`` text.

    The smallest size that needs no more than MAX_PERIODS is used; "" when
    even the largest would need more.
    """
    for shift in PERIOD_SHIFTS:
        first, last = lower >> shift, (upper - 1) >> shift
        if last - first < MAX_PERIODS:
            periods = (f"'_p{shift}_{number}'" for number in range(first, last + 1))
            return "(" + " | ".join(periods) + ")"
    return ""


def rank_tsquery(query: SearchQuery) -> str:
    """The words relevance is judged by: the required ones, without filters."""
    return " & ".join(_required(query))


# The planner setting for a search: the old value is read (in the CTE, before
# anything changes) and returned, so it can be put back afterwards.
NO_SEQUENTIAL_SCANS_SQL = """
    WITH previous AS MATERIALIZED (SELECT current_setting('enable_seqscan') AS seqscan)
    SELECT seqscan, set_config('enable_seqscan', 'off', true) FROM previous
"""
RESTORE_SEQUENTIAL_SCANS_SQL = "SELECT set_config('enable_seqscan', %s, true)"


@contextmanager
def _no_sequential_scans(cursor: Any, *, using: str) -> Iterator[None]:
    """Make the statements inside find matches through the GIN index, whatever the estimates.

    The planner does not know that testing a row against a query means
    decompressing its vector (and here joining it with its periods); for a
    word it believes common it may read the whole table and test every row.
    With the periods narrowing a common query to the newest stretch of posts,
    the GIN index is always the right way in. The setting is local to the
    transaction, and put back as it was.
    """
    with transaction.atomic(using=using, savepoint=False):
        cursor.execute(NO_SEQUENTIAL_SCANS_SQL)
        seqscan, _set = cursor.fetchone()
        try:
            yield
        finally:
            cursor.execute(RESTORE_SEQUENTIAL_SCANS_SQL, [seqscan])


@dataclass(frozen=True)
class StretchPlan:
    """What is known, before and while searching, of how common the matches are."""

    total: float
    density: float
    wanted: int

    def next_stretch(self, *, found: int, searched: int, stretches: int) -> int:
        """How many more of the newest posts to search; 0 to search all the rest at once.

        ``found`` matches have been found among the ``searched`` newest posts in
        ``stretches`` stretches. The density is the estimate until some posts
        have been searched, then what was found there. Reading every match
        left is the alternative a stretch must beat (see MATCH_READ_COST).
        """
        density = found / searched if searched else self.density
        if density <= 0 or stretches >= MAX_STRETCHES:
            return 0
        stretch = math.ceil(STRETCH_FACTOR * (self.wanted - found) / density)
        stretch_cost = stretch * (1 + MATCH_READ_COST * density)
        rest_cost = MATCH_READ_COST * density * max(self.total - searched, 0)
        return stretch if stretch_cost < rest_cost else 0


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
            cursor.execute("SELECT gin_clean_pending_list('search_entry_vector_periods'::regclass)")
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
                query,
                filters,
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
    ) -> StretchPlan:
        """How common the matches are likely to be, for finding the ``wanted`` newest.

        Estimated from the vocabulary's counts: a phrase matches no more posts
        than its rarest word, alternatives no more than their sum, an excluded
        word leaves the posts without it (excluded phrases and prefixes are left
        out of the estimate), and all of these and the filters are taken as
        independent. A lone prefix could be any number of words, so it
        counts as common; a word the vocabulary does not know, as rare.
        """
        words = {word for phrase in query.positive_phrases() for word in phrase.words}
        excluded = {
            phrase.words[0]
            for phrase in query.excluded
            if len(phrase.words) == 1 and not phrase.prefix
        }
        facets = [f"_{token}" for token in filters.facet_tokens()]
        cursor.execute(COUNTS_SQL, [[*words, *excluded, *facets]])
        counts = dict(cursor.fetchall())
        # The table's size as of its last ANALYZE (-1 before the first), or at
        # least as many posts as the commonest word is in.
        total = float(max(counts.pop("", 0) or 0, *counts.values(), 1))
        shares = [counts.get(facet, 0) / total for facet in facets]
        for group in query.required:
            bound: float = 0
            for phrase in group.phrases:
                whole = phrase.words[:-1] if phrase.prefix else phrase.words
                bound += min((counts.get(word, 0) for word in whole), default=total)
            shares.append(min(bound, total) / total)
        shares += [1 - counts.get(word, 0) / total for word in excluded]
        return StretchPlan(total=total, density=math.prod(shares), wanted=wanted)

    def _newest_matches(
        self,
        cursor: Any,
        query: SearchQuery,
        filters: SearchFilters,
        *,
        lower: int,
        upper: int,
        plan: StretchPlan,
        rank_by: str | None,
    ) -> list[tuple[int, int, float | None]]:
        """The keys, posts and ranks of the wanted newest entries in [lower, upper) matching.

        Ranks are by the words of ``rank_by``, or ``None`` without it.

        When the matches are expected to be many, the newest stretch of posts
        likely to hold enough of them is searched first, through the periods
        that cover it: the index then hands over only the matches within it,
        at a cost that hardly grows with the corpus. A stretch that turns out
        to hold too few is followed by an older one, sized by what it found;
        when matches are few, or a stretch would be much of what is left, all
        the rest is searched at once, which then costs little too.
        """
        match = match_tsquery(query, filters)
        index_query = index_tsquery(query, filters)
        ranking = [rank_by is not None, rank_by or match]
        rows: list[tuple[int, int, float | None]] = []

        def add_matches(in_index: str, *, start: int, end: int) -> None:
            """Add the newest matches with keys in [start, end) that ``in_index`` finds."""
            still_wanted = plan.wanted - len(rows)
            if has_phrases(query):
                cursor.execute(
                    PHRASE_MATCHES_SQL, [*ranking, in_index, start, end, match, still_wanted]
                )
            else:
                cursor.execute(MATCHES_SQL, [*ranking, in_index, start, end, still_wanted])
            rows.extend(cursor.fetchall())

        searched = stretches = 0
        with _no_sequential_scans(cursor, using=self.alias):
            while stretch := plan.next_stretch(
                found=len(rows), searched=searched, stretches=stretches
            ):
                cursor.execute(STRETCH_START_SQL, [lower, upper, stretch])
                start = cursor.fetchone()
                periods = period_tsquery(start[0], upper) if start else ""
                if not periods:
                    break
                add_matches(f"{index_query} & {periods}", start=start[0], end=upper)
                if len(rows) >= plan.wanted:
                    return rows
                searched += stretch
                stretches += 1
                upper = start[0]
            add_matches(index_query, start=lower, end=upper)
        return rows
