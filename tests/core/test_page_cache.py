"""Whole-page caching serves anonymous readers fast and never serves a stale page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from despatch.core import page_cache, surrogates
from despatch.posts.models import Post
from despatch.posts.publishing import post_publish, post_unpublish
from tests.factories import days_ago, make_author, make_blog, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.DESPATCH_PAGE_CACHE = True


@pytest.fixture
def network():
    author = make_author(display_name="Jane Porter", slug="jane-porter")
    blog = make_blog(name="Digital diplomacy", slug="digital-diplomacy", authors=[author])
    post = make_post(
        blog=blog, author=author, title="Arms Trade Treaty talks", tags=["Arms control"]
    )
    other_blog = make_blog(name="Arctic notes", slug="arctic")
    other = make_post(blog=other_blog, title="Ice and trade", published_at=days_ago(3))
    return {"author": author, "blog": blog, "post": post, "other_blog": other_blog, "other": other}


def cached(client, url):
    """Whether ``url`` is answered from the page cache (after one request to fill it)."""
    return client.get(url).get("X-Despatch-Cache") == "hit"


def page_urls(network):
    post = network["post"]
    return {
        "post": post.get_absolute_url(),
        "blog": network["blog"].get_absolute_url(),
        "network": reverse("posts:network"),
        "tag": reverse("posts:tag", kwargs={"tag_slug": "arms-control"}),
        "author": reverse("posts:author", kwargs={"author_slug": "jane-porter"}),
        "archive": reverse("posts:archive"),
        "other blog": network["other_blog"].get_absolute_url(),
    }


def fill(client, urls):
    for url in urls.values():
        assert client.get(url).status_code == 200, url
    return {name: cached(client, url) for name, url in urls.items()}


def test_second_anonymous_read_is_a_cache_hit_with_surrogate_keys(client, network):
    url = network["post"].get_absolute_url()
    first = client.get(url)
    assert first.get("X-Despatch-Cache") is None
    assert f"post-{network['post'].pk}" in first["Surrogate-Key"].split()
    assert "s-maxage=600" in first["Cache-Control"]
    second = client.get(url)
    assert second["X-Despatch-Cache"] == "hit"
    assert page_cache.CSRF_FIELD.sub(b"", second.content) == page_cache.CSRF_FIELD.sub(
        b"", first.content
    )
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_page_cache_can_be_turned_off(client, network, settings):
    settings.DESPATCH_PAGE_CACHE = False
    url = network["post"].get_absolute_url()
    client.get(url)
    assert client.get(url).get("X-Despatch-Cache") is None


def test_readers_with_a_session_never_get_or_fill_cached_pages(client, network, settings):
    url = network["post"].get_absolute_url()
    client.cookies[settings.SESSION_COOKIE_NAME] = "anything"
    client.get(url)
    response = client.get(url)
    assert response.get("X-Despatch-Cache") is None
    assert "private" in response["Cache-Control"]
    del client.cookies[settings.SESSION_COOKIE_NAME]
    assert client.get(url).get("X-Despatch-Cache") is None


def test_editing_a_post_refreshes_exactly_the_pages_that_show_it(
    client, network, django_capture_on_commit_callbacks
):
    """An edit refreshes its post, blog, network, tag, author and archive pages only."""
    urls = page_urls(network)
    fill(client, urls)
    post = network["post"]
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Arms Trade Treaty: the final text"
        post.save()
    hits = {name: cached(client, url) for name, url in urls.items()}
    assert hits == {
        "post": False,
        "blog": False,
        "network": False,
        "tag": False,
        "author": False,
        "archive": False,
        "other blog": True,
    }
    assert "the final text" in client.get(urls["network"]).content.decode()


def test_unpublishing_a_post_removes_it_from_every_cached_page(
    client, network, django_capture_on_commit_callbacks
):
    urls = page_urls(network)
    fill(client, urls)
    with django_capture_on_commit_callbacks(execute=True):
        post_unpublish(post=network["post"])
    assert client.get(urls["post"]).status_code == 404
    for name in ("network", "blog", "author"):
        assert "Arms Trade Treaty talks" not in client.get(urls[name]).content.decode(), name


def test_publishing_a_post_shows_it_on_cached_listings(
    client, network, django_capture_on_commit_callbacks
):
    urls = page_urls(network)
    fill(client, urls)
    draft = make_post(
        blog=network["blog"], author=network["author"], title="Fresh news", status="draft"
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(post=draft)
    for name in ("network", "blog", "author"):
        assert "Fresh news" in client.get(urls[name]).content.decode(), name


def test_saving_a_draft_leaves_cached_pages_alone(
    client, network, django_capture_on_commit_callbacks
):
    """Autosaves of unpublished drafts must not empty the cache during a spike."""
    urls = page_urls(network)
    draft = make_post(blog=network["blog"], status=Post.Status.DRAFT, title="Work in progress")
    fill(client, urls)
    with django_capture_on_commit_callbacks(execute=True):
        draft.body_source = "More words."
        draft.save()
    assert all(cached(client, url) for url in urls.values())


def test_blog_settings_change_refreshes_pages_naming_the_blog(
    client, network, django_capture_on_commit_callbacks
):
    urls = page_urls(network)
    fill(client, urls)
    with django_capture_on_commit_callbacks(execute=True):
        network["blog"].name = "Digital diplomacy, renamed"
        network["blog"].save()
    for name in ("post", "blog", "network", "tag", "author"):
        assert "Digital diplomacy, renamed" in client.get(urls[name]).content.decode(), name


def test_author_profile_change_refreshes_pages_naming_the_author(
    client, network, django_capture_on_commit_callbacks
):
    urls = page_urls(network)
    fill(client, urls)
    with django_capture_on_commit_callbacks(execute=True):
        network["author"].display_name = "Jane Porter-Smith"
        network["author"].save()
    for name in ("post", "blog", "network", "author"):
        assert "Jane Porter-Smith" in client.get(urls[name]).content.decode(), name


def test_page_rendered_during_an_invalidation_is_not_stored(client, network, monkeypatch):
    """A render that overlaps a change may hold old data, so it is served but not kept."""
    tokens = iter(["before", "after"])
    monkeypatch.setattr(surrogates, "generation", lambda: next(tokens, "after"))
    url = network["post"].get_absolute_url()
    client.get(url)
    monkeypatch.undo()
    assert client.get(url).get("X-Despatch-Cache") is None


def test_cached_pages_expire_when_the_next_scheduled_post_goes_live(network, settings):
    """A scheduled post appears on time even if nothing else changes and no worker runs."""
    make_post(
        blog=network["blog"],
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(seconds=30),
    )
    assert page_cache._seconds_to_keep() <= 31
    settings.DESPATCH_PAGE_CACHE_HORIZONS = []
    assert page_cache._seconds_to_keep() == settings.DESPATCH_PAGE_CACHE_SECONDS


def test_cache_outage_serves_pages_uncached(client, network, settings):
    """With the shared cache unreachable, pages come from the database, not an error."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "despatch.core.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    url = network["post"].get_absolute_url()
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 200
    assert response.get("X-Despatch-Cache") is None


def test_each_reader_of_a_cached_page_gets_a_working_csrf_token_of_their_own(client, network):
    """The comment form of a cached page carries a token matching the reader's cookie."""
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    url = network["post"].get_absolute_url()
    client.get(url)
    newcomer = Client()
    response = newcomer.get(url)
    assert response["X-Despatch-Cache"] == "hit"
    field = page_cache.CSRF_FIELD.search(response.content)
    assert field is not None
    token = field.group(0).split(b'value="')[1].rstrip(b'"').decode()
    assert _unmask_cipher_token(token) == newcomer.cookies["csrftoken"].value
    assert "Cookie" in response["Vary"]
