"""A feed costs the same number of queries whether its subject has 3 posts or 30."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from despatch.feeds.formats import FeedFormat
from tests.factories import make_author, make_blog, make_post, make_tag

from .conftest import feed_path, make_comment, post_comment_kwargs

pytestmark = pytest.mark.django_db


def build_network(posts: int) -> dict[str, str]:
    """A blog with ``posts`` tagged posts by one author, each with two comments."""
    author = make_author(slug=f"author-of-{posts}")
    blog = make_blog(slug=f"blog-of-{posts}", authors=[author])
    tags = [make_tag(f"Subject {posts}"), make_tag("Shared subject")]
    made = [
        make_post(
            blog=blog,
            author=author,
            tags=tags,
            body_source=f"Post {number} with ![a chart](/media/chart-{number}.png).",
            published_at=timezone.now() - timedelta(hours=number + 1),
        )
        for number in range(posts)
    ]
    for post in made:
        make_comment(post, body="One.")
        make_comment(post, body="Two.")
    return {
        "network": feed_path("network", "rss"),
        "blog": feed_path("blog", "rss", blog_slug=blog.slug),
        "author": feed_path("author", "rss", author_slug=author.slug),
        "tag": feed_path("tag", "rss", tag_slug=tags[0].slug),
        "blog-comments": feed_path("blog-comments", "rss", blog_slug=blog.slug),
        "post-comments": feed_path("post-comments", "rss", **post_comment_kwargs(made[0])),
    }


def queries_for(client, path: str, feed_format: str) -> int:
    """Queries for a full render, once the shared version stamps exist (as they do on a
    running site: they are made by the first request for them)."""
    path = path.replace("/rss/", f"/{feed_format}/")
    client.get(path)
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_feed_query_counts_do_not_grow_with_posts(client, feed_format):
    """Every kind of feed runs the same, small number of queries for 3 posts as for 30."""
    small = build_network(3)
    large = build_network(30)
    for scope in small:
        few = queries_for(client, small[scope], feed_format)
        many = queries_for(client, large[scope], feed_format)
        assert few == many, (scope, few, many)
        assert few <= 6, (scope, few)
