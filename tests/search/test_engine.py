"""The results contract both engines keep (this module runs on SQLite and on PostgreSQL).

Every test here goes through ``get_backend()``, so CI runs it once per database
and the two engines are held to the same answers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from despatch.search.backends import Order, SearchFilters, get_backend
from despatch.search.backends.database import ENGINES
from despatch.search.models import SearchTerm
from despatch.search.query import parse
from tests.factories import days_ago

from .conftest import search_ids

pytestmark = pytest.mark.django_db


def test_the_engine_matches_the_database():
    assert get_backend().vendor == connection.vendor
    assert type(get_backend()) is ENGINES[connection.vendor]


def test_all_words_must_match_anywhere(post_about):
    both = post_about("Arms and the treaty", body="Signed in 2009.")
    post_about("Arms only")
    assert search_ids("arms treaty") == [both.pk]
    assert search_ids("ARMS Treaty 2009") == [both.pk]


def test_title_outranks_tags_which_outrank_body(post_about):
    """A word in the title counts for more than in a tag, and a tag more than the body."""
    in_body = post_about("Weekly notes", body="We discussed the treaty at length.")
    in_tag = post_about("Weekly notes again", tags=["Treaty"])
    in_title = post_about("The treaty explained")
    assert search_ids("treaty") == [in_title.pk, in_tag.pk, in_body.pk]


def test_author_names_are_searchable(post_about, network):
    post = post_about("Notes", author=network["pierre"])
    assert search_ids("evrard") == [post.pk]
    assert search_ids("pierre évrard") == [post.pk]


def test_phrases_need_their_words_together_and_in_order(post_about):
    phrase = post_about("On the arms trade treaty")
    post_about("Trade in arms and a treaty")
    post_about("Treaty trade arms")
    assert search_ids('"arms trade treaty"') == [phrase.pk]


def test_phrases_do_not_run_from_title_into_tags(post_about):
    post_about("About arms", tags=["Trade"])
    assert search_ids('"arms trade"') == []


def test_excluded_words_remove_posts(post_about):
    kept = post_about("Treaty on climate")
    post_about("Treaty on nuclear arms")
    assert search_ids("treaty -nuclear") == [kept.pk]
    assert search_ids('treaty -"nuclear arms"') == [kept.pk]


def test_or_accepts_either_word(post_about):
    climate = post_about("Climate policy")
    weather = post_about("Weather policy")
    post_about("Trade policy")
    assert set(search_ids("climate OR weather")) == {climate.pk, weather.pk}
    assert set(search_ids("policy climate OR weather")) == {climate.pk, weather.pk}


def test_prefixes_match_longer_words(post_about):
    post = post_about("Negotiations resume")
    assert search_ids("negot*") == [post.pk]
    assert search_ids('"negotiations res"*') == [post.pk]
    assert search_ids("negot") == []


def test_accents_do_not_matter_either_way(post_about, network):
    post = post_about("La sécurité maritime", blog=network["paris"])
    assert search_ids("securite") == [post.pk]
    assert search_ids("SÉCURITÉ") == [post.pk]


def test_filters_by_blog_author_tag_and_language(post_about, network):
    london = post_about("Treaty news", tags=["Arms control"])
    paris = post_about("Treaty news", blog=network["paris"], author=network["pierre"])
    spanish = post_about("Treaty news", language="es")
    tag = london.tags.get()
    assert search_ids("treaty", blog_id=network["paris"].pk) == [paris.pk]
    assert search_ids("treaty", author_id=network["pierre"].pk) == [paris.pk]
    assert search_ids("treaty", tag_id=tag.pk) == [london.pk]
    assert search_ids("treaty", language="fr") == [paris.pk]
    assert search_ids("treaty", language="es") == [spanish.pk]
    assert set(search_ids("treaty", language="en")) == {london.pk}


def test_date_range_includes_its_ends(post_about):
    post_about("Treaty", published_at=datetime(2008, 12, 31, 23, 0, tzinfo=UTC))
    first = post_about("Treaty", published_at=datetime(2009, 1, 1, 0, 0, tzinfo=UTC))
    last = post_about("Treaty", published_at=datetime(2009, 12, 31, 23, 59, tzinfo=UTC))
    post_about("Treaty", published_at=datetime(2010, 1, 1, 0, 0, tzinfo=UTC))
    found = search_ids(
        "treaty",
        published_from=datetime(2009, 1, 1, tzinfo=UTC),
        published_before=datetime(2010, 1, 1, tzinfo=UTC),
    )
    assert set(found) == {first.pk, last.pk}


def test_newest_first_orders_by_publication(post_about):
    old = post_about("The treaty explained", published_at=days_ago(30))
    new = post_about("Weekly notes", body="treaty", published_at=days_ago(1))
    assert search_ids("treaty") == [old.pk, new.pk]
    assert search_ids("treaty", order=Order.NEWEST) == [new.pk, old.pk]


def test_filters_alone_list_the_newest_posts(post_about, network):
    old = post_about("One", published_at=days_ago(3))
    new = post_about("Two", published_at=days_ago(2))
    post_about("Three", blog=network["paris"])
    assert search_ids("", blog_id=network["london"].pk) == [new.pk, old.pk]


def test_exclusions_alone_leave_out_matching_posts(post_about):
    kept = post_about("Climate")
    post_about("Nuclear")
    assert search_ids("-nuclear") == [kept.pk]


def test_scheduled_posts_are_found_once_their_time_comes(post_about):
    """Posts scheduled for later are indexed now and appear without any job running."""
    post = post_about(
        "Treaty", status="scheduled", published_at=datetime.now(tz=UTC) + timedelta(hours=2)
    )
    assert search_ids("treaty") == []
    assert search_ids("treaty", now=datetime.now(tz=UTC) + timedelta(hours=3)) == [post.pk]


def test_drafts_are_never_found(post_about):
    post_about("Treaty draft", status="draft")
    assert search_ids("treaty") == []


def test_pages_follow_on(post_about):
    posts = [post_about(f"Treaty {n}", published_at=days_ago(n)) for n in range(1, 6)]
    hits = get_backend().search(
        parse("treaty"),
        filters=SearchFilters(),
        order=Order.NEWEST,
        offset=2,
        limit=2,
        now=datetime.now(tz=UTC),
    )
    assert hits.post_ids == [posts[2].pk, posts[3].pk]
    assert hits.has_next
    last = get_backend().search(
        parse("treaty"), filters=SearchFilters(), order=Order.NEWEST, offset=4, limit=2,
        now=datetime.now(tz=UTC),
    )  # fmt: skip
    assert last.post_ids == [posts[4].pk] and not last.has_next


def test_relevance_is_judged_among_the_newest_matches(post_about, settings):
    """A broad query ranks its newest RANK_WINDOW matches and says it was limited."""
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": "despatch.search.backends.database", "RANK_WINDOW": 2}
    }
    old_title_match = post_about("Treaty", published_at=days_ago(10))
    newer = [post_about("Notes", body="treaty", published_at=days_ago(n)) for n in (3, 2, 1)]
    hits = get_backend().search(
        parse("treaty"),
        filters=SearchFilters(),
        order=Order.RELEVANCE,
        offset=0,
        limit=10,
        now=datetime.now(tz=UTC),
    )
    assert old_title_match.pk not in hits.post_ids
    assert set(hits.post_ids) == {newer[1].pk, newer[2].pk}
    assert hits.window_limited and not hits.has_next


def test_both_engines_read_queries_the_same_way():
    """The compiled forms are built from the same tree: same words, same structure."""
    from despatch.search.backends.postgres import match_tsquery
    from despatch.search.backends.sqlite import match_expression

    query = parse('"arms trade" treaty* climate OR weather -nuclear')
    filters = SearchFilters(blog_id=3, tag_id=5)
    assert match_expression(query, filters) == (
        '({facets}: ("blog3" AND "tag5") AND {title tags author body}: '
        '(("arms trade") AND ("treaty"*) AND ("climate" OR "weather")))'
        ' NOT {title tags author body}: ("nuclear")'
    )
    assert match_tsquery(query, filters) == (
        "'_blog3' & '_tag5' & (('arms' <-> 'trade')) & ('treaty':*) & ('climate' | 'weather')"
        " & !('nuclear')"
    )


@pytest.mark.parametrize("believed_common", [False, True])
def test_old_matches_behind_many_newer_posts_are_found(post_about, settings, believed_common):
    """The newest posts are looked at first; sparse older matches are still all found.

    Run twice: with the vocabulary counting the word as rare (the engine may go
    straight to its index) and as common (it walks the newest posts first).
    """
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": "despatch.search.backends.database", "RANK_WINDOW": 2}
    }
    old = [post_about("Treaty", published_at=days_ago(100 + n)) for n in range(3)]
    for n in range(20):
        post_about(f"Weekly notes {n}", published_at=days_ago(n + 1))
    if believed_common:
        SearchTerm.objects.filter(term="treaty").update(document_count=100_000)
    assert search_ids("treaty", order=Order.NEWEST) == [post.pk for post in old]
    assert set(search_ids("treaty")) == {old[0].pk, old[1].pk}
    assert set(search_ids("treaty -weekly", blog_id=old[0].blog_id, order=Order.NEWEST)) == {
        post.pk for post in old
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner settings")
def test_planner_settings_are_put_back_after_a_search(post_about):
    """Steering one statement to the GIN index leaves the transaction's settings as they were."""
    post_about("Treaty")
    assert search_ids("treaty") != []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_seqscan')"
        )
        assert cursor.fetchone() == ("on", "on")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL search plans")
def test_postgres_searches_a_stretch_first_only_for_common_queries(post_about):
    """Common words are looked for among the newest posts first; rare words, narrow
    filters and words made rare by exclusions go straight to the whole index."""
    tag = post_about("Treaty", tags=["Arms control"]).tags.get()
    for term, count in [("common", 90_000), ("_post", 100_000), ("almostall", 95_000)]:
        SearchTerm.objects.update_or_create(
            term=term, defaults={"length": len(term), "document_count": count}
        )
    SearchTerm.objects.update_or_create(
        term=f"_tag{tag.pk}", defaults={"length": 6, "document_count": 300}
    )
    backend = get_backend()
    with connection.cursor() as cursor:

        def stretch(text: str, **filters: int) -> int:
            plan = backend._plan(cursor, parse(text), SearchFilters(**filters), wanted=11)
            return plan.next_stretch(found=0, searched=0, stretches=0)

        assert stretch("common") > 0
        assert stretch("unheardof") == 0
        assert stretch("common", tag_id=tag.pk) == 0
        assert stretch("common -almostall") == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL search plans")
def test_postgres_reads_only_the_newest_stretch_for_a_common_word(post_about, settings):
    """A common word is looked for in the periods around the newest posts, and that is
    all the engine asks of the index when they hold enough matches."""
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": "despatch.search.backends.database", "RANK_WINDOW": 2}
    }
    posts = [post_about("Treaty", published_at=days_ago(n)) for n in range(1, 31)]
    SearchTerm.objects.filter(term="treaty").update(document_count=100_000)
    index_queries = []

    def record(execute, sql, params, many, context):
        if "search_entry_periods" in sql:
            index_queries.append(params[2])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        newest = get_backend().search(
            parse("treaty"), filters=SearchFilters(), order=Order.NEWEST, offset=0, limit=2,
            now=datetime.now(tz=UTC),
        )  # fmt: skip
        ranked = search_ids("treaty")
    assert newest.post_ids == [posts[0].pk, posts[1].pk] and newest.has_next
    assert set(ranked) <= {post.pk for post in posts[:3]} and len(ranked) == 2
    assert len(index_queries) == 2
    assert all("'_p" in index_query for index_query in index_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL search index")
def test_postgres_periods_in_the_index_are_those_searches_ask_for(db):
    """Every key, before 1970 too, is in the periods a search for it would name,
    and a stretch of up to decades is named by a handful of periods."""
    from despatch.search.backends.postgres import MAX_PERIODS, period_tsquery
    from despatch.search.models import entry_key

    moments = [datetime(1969, 7, 20, 20, 17, tzinfo=UTC), datetime(2024, 2, 29, 12, tzinfo=UTC)]
    keys = [entry_key(published_at=moment, post_id=7) for moment in moments]

    def in_periods(key: int, periods: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_entry_periods(%s) @@ %s::tsquery", [key, periods])
            return cursor.fetchone()[0]

    for key in keys:
        for span in (1, 10**9, 10**13, 10**17):
            assert in_periods(key, period_tsquery(key, key + span))
            assert in_periods(key, period_tsquery(key - span + 1, key + 1))
        assert not in_periods(key + 10**17, period_tsquery(key, key + 1))
    for span in (1, 10**9, 10**13, 10**17):
        assert 1 <= period_tsquery(keys[1] - span, keys[1]).count("'_p") <= MAX_PERIODS
    # Centuries of posts are more than the largest periods name; searched whole.
    assert period_tsquery(keys[0] - 10**18, keys[1]) == ""


@pytest.mark.parametrize("believed_common", [False, True])
def test_phrases_are_found_behind_newer_posts_with_their_words_apart(
    post_about, settings, believed_common
):
    """Posts with a phrase's words apart are not matches, however many and new they
    are; an excluded phrase leaves them in. Run with the words counted as rare and
    as common, which PostgreSQL searches differently."""
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": "despatch.search.backends.database", "RANK_WINDOW": 2}
    }
    phrase = [post_about("The arms trade", published_at=days_ago(50 + n)) for n in range(3)]
    apart = [post_about("Trade in arms", published_at=days_ago(n + 1)) for n in range(12)]
    if believed_common:
        SearchTerm.objects.filter(term__in=["arms", "trade"]).update(document_count=100_000)
    assert search_ids('"arms trade"', order=Order.NEWEST) == [post.pk for post in phrase]
    assert set(search_ids('"arms trade"')) == {phrase[0].pk, phrase[1].pk}
    assert search_ids('arms -"arms trade"', order=Order.NEWEST) == [post.pk for post in apart]


def test_more_mentions_and_shorter_posts_rank_higher(post_about):
    """Among posts matching in the body only, the word counts for more where it is
    said more often, and for more in a short post than in a long one."""
    filler = " ".join(["notes"] * 60)
    once = post_about("Weekly notes", body=f"The treaty. {filler}", published_at=days_ago(1))
    twice = post_about(
        "Weekly notes", body=f"The treaty, the treaty. {filler}", published_at=days_ago(2)
    )
    short = post_about("Weekly notes", body="The treaty.", published_at=days_ago(3))
    found = search_ids("treaty")
    assert found.index(twice.pk) < found.index(once.pk)
    assert found.index(short.pk) < found.index(once.pk)


def test_prefixes_find_every_word_they_begin(post_about, monkeypatch):
    """Prefixes reach numbers, words indexed a moment ago and prefixes of many words,
    however the engine goes about it."""
    from despatch.search.backends import sqlite

    numbered = post_about("Report for 2024")
    words = [post_about(f"Negotiator{n} notes") for n in range(4)]
    for most_words_written_out in (16, 2):
        monkeypatch.setattr(sqlite, "MAX_PREFIX_WORDS", most_words_written_out)
        assert search_ids("202*") == [numbered.pk]
        assert set(search_ids("negotiator*")) == {post.pk for post in words}
        assert set(search_ids("notes -negotiator1*")) == {words[0].pk, words[2].pk, words[3].pk}
