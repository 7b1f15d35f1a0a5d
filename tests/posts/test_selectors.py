"""The reads behind the public pages return the same rows whatever way they find them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from despatch.posts import selectors
from despatch.posts.models import Post
from tests.factories import days_ago, make_blog, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog_with_both_kinds_of_live_post():
    """Published posts and scheduled posts whose time has come, interleaved by date."""
    blog = make_blog(slug="mixed")
    posts = [
        make_post(
            blog=blog,
            title=f"Despatch {day}",
            status=Post.Status.SCHEDULED if day % 3 == 0 else Post.Status.PUBLISHED,
            published_at=days_ago(day),
        )
        for day in range(1, 10)
    ]
    make_post(
        blog=blog,
        title="Not yet",
        status=Post.Status.SCHEDULED,
        published_at=(timezone.now() + timedelta(days=1)),
    )
    make_post(blog=blog, title="A draft", status=Post.Status.DRAFT)
    return blog, posts


def test_a_limited_listing_returns_the_newest_live_posts_of_every_status(
    blog_with_both_kinds_of_live_post,
):
    blog, posts = blog_with_both_kinds_of_live_post
    for limit in (1, 3, 4, 20):
        limited = list(selectors.listing(Post.objects.filter(blog=blog), limit=limit))
        assert limited == posts[:limit], limit


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_postgres_reads_the_newest_live_posts_as_a_union_it_can_take_along_indexes(
    blog_with_both_kinds_of_live_post,
):
    """PostgreSQL answers "id in one or id in the other" by testing every post (a child
    sitemap took three times longer at 100k posts); a union of the two it reads along
    each status's index."""
    blog, posts = blog_with_both_kinds_of_live_post
    newest = selectors.first_live(Post.objects.filter(blog=blog), 4)
    assert "UNION ALL" in str(newest.query)
    assert list(newest[:4]) == posts[:4]


def test_neighbours_step_over_statuses_and_ties(blog_with_both_kinds_of_live_post):
    blog, posts = blog_with_both_kinds_of_live_post
    twin = make_post(blog=blog, title="Same moment", published_at=posts[4].published_at)
    assert selectors.neighbours(posts[2]) == (posts[3], posts[1])
    earlier, later = sorted([posts[4], twin], key=lambda post: post.pk)
    assert selectors.neighbours(later) == (earlier, posts[3])
    assert selectors.neighbours(earlier) == (posts[5], later)
    assert selectors.neighbours(posts[0])[1] is None


def test_related_posts_prefer_more_shared_tags_then_recency():
    make_post(title="Subject", tags=["Trade", "Climate", "Health"], published_at=days_ago(10))
    subject = Post.objects.get(title="Subject")
    one_tag_new = make_post(title="One tag, new", tags=["Trade"], published_at=days_ago(1))
    two_tags_old = make_post(
        title="Two tags, old", tags=["Trade", "Climate"], published_at=days_ago(30)
    )
    one_tag_newer = make_post(title="One tag, newer", tags=["Health"], published_at=days_ago(0))
    make_post(title="Unrelated", tags=["Culture"], published_at=days_ago(0))
    assert selectors.related_posts(subject, selectors.post_tags(subject)) == [
        two_tags_old,
        one_tag_newer,
        one_tag_new,
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner, without statistics")
@pytest.mark.parametrize(
    ("index", "best_bits"),
    [
        ("post_best_bits", lambda blog: Post.objects.best_bits()),
        ("post_blog_best_bits", lambda blog: Post.objects.best_bits().filter(blog=blog)),
        ("post_network_best_bits", lambda blog: Post.objects.network_best_bits()),
    ],
)
def test_best_bits_are_read_along_their_small_index_not_every_live_post(index, best_bits):
    """Without planner statistics (a fresh or imported database), SQLite would walk the
    index of every live post's date and sort them all; the best bits' own partial
    index keeps the page's cost the same at a thousand posts and at a million."""
    blog = make_blog(slug="featured")
    queryset = best_bits(blog)[:11]
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert f"USING INDEX {index}" in plan, plan
