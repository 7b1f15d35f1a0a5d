"""Comment feeds: a blog's and a post's published comments, newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from despatch.conversations.models import Comment
from despatch.feeds.formats import FeedFormat

from .conftest import Network, feed_path, make_comment, parse, post_comment_kwargs, read_entries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_a_posts_comment_feed_holds_its_published_comments(client, network: Network, feed_format):
    """Only approved comments under that post appear, newest first, with author and text."""
    older = make_comment(
        network.video, author_name="Ahmed", body="First thoughts.",
        submitted_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    newer = make_comment(network.video, author_name="Beatriz", body="A later reply to the post.")
    make_comment(network.video, body="Awaiting moderation.", status=Comment.Status.PENDING)
    make_comment(network.video, body="Buy pills", status=Comment.Status.SPAM)
    make_comment(network.hostile, body="On another post.")

    path = feed_path("post-comments", feed_format, **post_comment_kwargs(network.video))
    entries = read_entries(client, path)
    assert [entry.author for entry in entries] == ["Beatriz", "Ahmed"]
    assert entries[0].title == "Beatriz on “The treaty on video”"
    assert "A later reply to the post." in entries[0].content
    assert entries[0].link == f"http://127.0.0.1:8000{newer.get_absolute_url()}"
    assert entries[1].id.endswith(f":comment/{older.pk}")


@pytest.mark.parametrize("feed_format", list(FeedFormat))
def test_a_blogs_comment_feed_spans_its_posts(client, network: Network, feed_format):
    """A blog's comment feed gathers the comments on all its posts, and no other blog's."""
    make_comment(network.video, author_name="Ahmed")
    make_comment(network.hostile, author_name="Beatriz")
    make_comment(network.arabic, author_name="قارئ")
    path = feed_path("blog-comments", feed_format, blog_slug=network.blog.slug)
    assert sorted(entry.author for entry in read_entries(client, path)) == ["Ahmed", "Beatriz"]


def test_replies_say_so(client, network: Network):
    """A reply's title says it replies, so readers can follow the thread."""
    parent = make_comment(network.video, author_name="Ahmed")
    make_comment(network.video, author_name="Jane Marriott", parent=parent, body="Thank you.")
    entries = read_entries(client, feed_path("blog-comments", "atom", blog_slug="digital"))
    assert entries[0].title == "Jane Marriott replied on “The treaty on video”"


def test_hostile_comments_arrive_as_text(client, network: Network):
    """Commenters write plain text: their markup arrives escaped, never as elements."""
    make_comment(network.video, body='<script>alert(1)</script> <img src=x onerror="alert(2)">')
    path = feed_path("post-comments", "rss", **post_comment_kwargs(network.video))
    entry = parse(client, path).entries[0]
    assert "<script" not in entry.content[0].value
    assert "&lt;script&gt;" in entry.content[0].value


def test_comments_on_unpublished_posts_leave_the_blog_feed(client, network: Network):
    """A post taken down takes its conversation out of the blog's comment feed too."""
    make_comment(network.video, author_name="Ahmed")
    network.video.status = network.video.Status.DRAFT
    network.video.save()
    path = feed_path("blog-comments", "json", blog_slug="digital")
    assert read_entries(client, path) == []


def test_approving_a_comment_changes_the_etag(client, network: Network):
    """A comment approved long after it was written still makes the feed new again."""
    pending = make_comment(
        network.video,
        status=Comment.Status.PENDING,
        submitted_at=timezone.now() - timedelta(days=1),
    )
    path = feed_path("post-comments", "atom", **post_comment_kwargs(network.video))
    first = client.get(path)
    pending.status = Comment.Status.APPROVED
    pending.decided_at = timezone.now()
    pending.save()
    response = client.get(
        path,
        headers={"If-None-Match": first["ETag"], "If-Modified-Since": first["Last-Modified"]},
    )
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]


def test_a_comment_feed_answers_304_when_unchanged(client, network: Network):
    """Comment feeds answer conditional requests like post feeds."""
    make_comment(network.video)
    path = feed_path("blog-comments", "rss", blog_slug="digital")
    etag = client.get(path)["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
