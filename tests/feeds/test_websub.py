"""WebSub (F3): feeds name the hub, and changes to live posts ping it from a background task."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.error import URLError
from urllib.parse import parse_qsl
from urllib.request import Request

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from despatch.feeds import websub
from despatch.feeds.formats import FeedFormat
from despatch.posts.models import Post
from despatch.posts.publishing import post_publish, post_unpublish
from tests.factories import make_post

from .conftest import Network, feed_path, make_tag

pytestmark = pytest.mark.django_db

HUB = "https://hub.example/"


@dataclass
class FakeHub:
    """Stands in for the network: records every request the site makes to the hub."""

    requests: list[Request] = field(default_factory=list)
    fail: bool = False

    def __call__(self, request: Request, timeout: float) -> FakeHub:
        self.requests.append(request)
        if self.fail:
            raise URLError("hub unreachable")
        return self

    def __enter__(self) -> FakeHub:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def read(self) -> bytes:
        return b""

    @property
    def pinged_urls(self) -> list[str]:
        urls = []
        for request in self.requests:
            form = dict(parse_qsl(request.data.decode()))  # type: ignore[union-attr]
            assert form["hub.mode"] == "publish"
            urls.append(form["hub.url"])
        return urls


@pytest.fixture
def hub(settings, monkeypatch) -> FakeHub:
    settings.WEBSUB_HUB_URL = HUB
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    fake = FakeHub()
    monkeypatch.setattr(websub, "urlopen", fake)
    return fake


def absolute(path: str) -> str:
    return f"http://127.0.0.1:8000{path}"


def every_format(name: str, **kwargs: str) -> set[str]:
    return {absolute(feed_path(name, feed_format, **kwargs)) for feed_format in FeedFormat}


def test_feeds_advertise_the_hub(client, network: Network, hub: FakeHub):
    """With a hub configured, each format names it, and the response's Link header does too."""
    path = feed_path("network", "rss")
    rss = client.get(path)
    assert f'<atom:link href="{HUB}" rel="hub"/>' in rss.content.decode()
    assert rss["Link"] == f'<{HUB}>; rel="hub", <{absolute(path)}>; rel="self"'
    atom = client.get(feed_path("network", "atom")).content.decode()
    assert f'<link href="{HUB}" rel="hub"/>' in atom
    document = json.loads(client.get(feed_path("network", "json")).content)
    assert document["hubs"] == [{"type": "WebSub", "url": HUB}]


def test_without_a_hub_nothing_is_advertised(client, network: Network, settings):
    """Push is optional: with no hub, feeds name none."""
    settings.WEBSUB_HUB_URL = ""
    response = client.get(feed_path("network", "rss"))
    assert 'rel="hub"' not in response.content.decode()
    assert "Link" not in response
    assert "hubs" not in json.loads(client.get(feed_path("network", "json")).content)


def test_publishing_pings_the_hub_for_every_feed_showing_the_post(
    network: Network, hub: FakeHub, django_capture_on_commit_callbacks
):
    """Network, blog, author and each tag's feeds, in every format, once each, after commit."""
    post = make_post(
        blog=network.blog, author=network.author, status=Post.Status.DRAFT, tags=["Climate"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(post=post)
        assert hub.requests == []  # nothing leaves before the transaction commits
    climate = make_tag("Climate")
    assert sorted(hub.pinged_urls) == sorted(
        every_format("network")
        | every_format("blog", blog_slug=network.blog.slug)
        | every_format("author", author_slug=network.author.slug)
        | every_format("tag", tag_slug=climate.slug)
    )
    request = hub.requests[0]
    assert request.full_url == HUB
    assert request.get_method() == "POST"
    assert request.get_header("Content-type") == "application/x-www-form-urlencoded"


def test_tags_set_after_saving_count_and_one_change_pings_once(
    network: Network, hub: FakeHub, django_capture_on_commit_callbacks
):
    """Saving a post and then setting its tags in one transaction makes one announcement."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        post = make_post(blog=network.blog, author=network.author)
        post.tags.set([make_tag("Sanctions")])
    pinged = hub.pinged_urls
    assert len(pinged) == len(set(pinged))
    assert every_format("tag", tag_slug="sanctions") <= set(pinged)


def test_editing_a_live_post_pings_the_hub(
    network: Network, hub: FakeHub, django_capture_on_commit_callbacks
):
    """A correction to a published post reaches subscribers too."""
    with django_capture_on_commit_callbacks(execute=True):
        network.video.title = "Corrected"
        network.video.save()
    assert every_format("blog", blog_slug=network.blog.slug) <= set(hub.pinged_urls)


def test_unpublishing_pings_the_hub(
    network: Network, hub: FakeHub, django_capture_on_commit_callbacks
):
    """Taking a post down changes the feeds it was in, including its tags' feeds."""
    with django_capture_on_commit_callbacks(execute=True):
        post_unpublish(post=network.video)
    pinged = set(hub.pinged_urls)
    assert every_format("network") <= pinged
    assert every_format("tag", tag_slug="video") <= pinged


def test_removing_a_tag_pings_that_tags_feeds(
    network: Network, hub: FakeHub, django_capture_on_commit_callbacks
):
    """A live post that loses a tag leaves that tag's feed, whose subscribers are told."""
    with django_capture_on_commit_callbacks(execute=True):
        network.video.tags.remove(make_tag("Video"))
    assert every_format("tag", tag_slug="video") <= set(hub.pinged_urls)


def test_deleting_a_live_post_pings_the_hub(
    network: Network, hub: FakeHub, django_capture_on_commit_callbacks
):
    """A deleted post's feeds, worked out before its tags go, are announced after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        network.video.delete()
    assert every_format("tag", tag_slug="video") <= set(hub.pinged_urls)


def test_drafts_and_future_posts_do_not_ping(
    network: Network, hub: FakeHub, django_capture_on_commit_callbacks
):
    """Work in progress and posts scheduled for later change no feed yet."""
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_post(blog=network.blog, status=Post.Status.DRAFT)
        draft.title = "Still a draft"
        draft.save()
        post_publish(post=draft, at=timezone.now() + timedelta(days=2))
    assert hub.requests == []


def test_without_a_hub_publishing_pings_nothing(
    network: Network, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """No hub configured means no background task and no request."""
    settings.WEBSUB_HUB_URL = ""
    fake = FakeHub()
    monkeypatch.setattr(websub, "urlopen", fake)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_publish(post=make_post(status=Post.Status.DRAFT))
    assert fake.requests == []
    assert all("feeds" not in callback.__module__ for callback in callbacks)


def test_a_hub_failure_fails_the_task_but_never_the_publish(
    network: Network, hub: FakeHub, django_capture_on_commit_callbacks
):
    """An unreachable hub is logged and recorded as a failed task; the post is still published."""
    hub.fail = True
    post = make_post(status=Post.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    result = websub.notify_hub.enqueue(feed_urls=[absolute(feed_path("network", "rss"))])
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class is websub.HubNotificationError


def test_the_task_pings_each_feed_and_reports_how_many(hub: FakeHub):
    """The background task sends one form-encoded publish ping per feed."""
    urls = [absolute(feed_path("network", f)) for f in FeedFormat]
    result = websub.notify_hub.enqueue(feed_urls=urls)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 3
    assert hub.pinged_urls == urls
