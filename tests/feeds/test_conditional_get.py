"""Conditional GET: feed readers that already have the current version get 304 cheaply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from despatch.feeds.formats import FeedFormat
from despatch.posts.models import Post
from despatch.posts.publishing import post_unpublish
from tests.factories import make_post

from .conftest import Network, feed_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_feeds_send_validators_and_cache_headers(client, network: Network, feed_format):
    """Every feed answers with an ETag, a Last-Modified and a public, short Cache-Control."""
    response = client.get(feed_path("network", feed_format))
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    newest = max(max(p.updated_at, p.published_at) for p in Post.objects.all())
    assert parse_http_date(response["Last-Modified"]) == int(newest.timestamp())


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_a_matching_etag_gets_304(client, network: Network, feed_format):
    """A reader sending back the ETag it has gets 304 with no body, and the validators again."""
    path = feed_path("blog", feed_format, blog_slug=network.blog.slug)
    etag = client.get(path)["ETag"]
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "max-age=300" in response["Cache-Control"]


def test_a_matching_last_modified_gets_304(client, network: Network):
    """Readers that only remember Last-Modified get 304 too, and 200 once something is newer."""
    path = feed_path("network", "rss")
    last_modified = client.get(path)["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = http_date(parse_http_date(last_modified) - 60)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200


def test_a_304_costs_one_query(client, network: Network, django_assert_num_queries):
    """Answering an unchanged network feed costs one small query for its rows; the
    versions of the names it shows come from memory once read, until a change."""
    path = feed_path("network", "atom")
    etag = client.get(path)["ETag"]
    with django_assert_num_queries(1):
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_a_new_post_changes_the_etag(client, network: Network):
    """Publishing a post gives the feed a new version."""
    path = feed_path("network", "json")
    etag = client.get(path)["ETag"]
    make_post(blog=network.blog)
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_an_edit_changes_the_etag(client, network: Network):
    """Editing a post in the feed gives the feed a new version."""
    path = feed_path("blog", "rss", blog_slug=network.blog.slug)
    etag = client.get(path)["ETag"]
    network.video.title = "Corrected title"
    network.video.save()
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Corrected title" in response.content.decode()


def test_an_unpublish_changes_the_etag(client, network: Network):
    """Taking down a post that is not the newest still changes the feed's version."""
    path = feed_path("author", "atom", author_slug=network.author.slug)
    etag = client.get(path)["ETag"]
    post_unpublish(post=network.hostile)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_a_scheduled_post_coming_due_changes_the_etag(client, network: Network):
    """A scheduled post goes live on the next read, with no save: the version still changes."""
    path = feed_path("network", "rss")
    scheduled = make_post(
        blog=network.blog,
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=2),
    )
    etag = client.get(path)["ETag"]
    # Time passes: the post's moment arrives without anything saving it.
    Post.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert scheduled.title in response.content.decode()


def test_renaming_a_blog_changes_its_feeds_version(client, network: Network):
    """The blog's own name and description are part of its feed."""
    path = feed_path("blog", "atom", blog_slug=network.blog.slug)
    etag = client.get(path)["ETag"]
    network.blog.name = "Digital diplomacy, renamed"
    network.blog.save()
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Digital diplomacy, renamed" in response.content.decode()


def test_each_format_has_its_own_etag(client, network: Network):
    """The same posts in another format are another representation, with another ETag."""
    etags = {client.get(feed_path("network", f))["ETag"] for f in FeedFormat}
    assert len(etags) == 3


def test_an_unchanged_feed_is_rendered_once(client, network: Network, django_assert_num_queries):
    """A second full request for an unchanged feed comes from the cache after one query
    (the versions of the names it shows come from memory)."""
    path = feed_path("network", "rss")
    first = client.get(path).content
    with django_assert_num_queries(1):
        assert client.get(path).content == first
