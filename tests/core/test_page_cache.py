"""Whole-page caching serves anonymous readers fast and never serves a stale page."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from despatch.conversations.models import BlogCommentPolicy, CommentClosure
from despatch.core import page_cache, surrogates
from despatch.core.cache import TolerantRedisCache
from despatch.core.tasks import invalidate_surrogate_keys_again
from despatch.posts import cache_keys
from despatch.posts.models import Post
from despatch.posts.publishing import post_publish, post_unpublish
from tests.clock import wait_until
from tests.factories import days_ago, make_author, make_blog, make_post

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


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
    assert page_cache.CSRF_TOKEN_VALUE.sub(b"", second.content) == page_cache.CSRF_TOKEN_VALUE.sub(
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


def test_deleting_a_post_refreshes_the_pages_of_its_tags(
    network, django_capture_on_commit_callbacks
):
    """A tag page counts the post even where it does not list it."""
    post = network["post"]
    tag_key = cache_keys.tag_posts_key(post.tags.get().pk)
    before = surrogates.current_versions([tag_key])
    with django_capture_on_commit_callbacks(execute=True):
        post.delete()
    assert surrogates.current_versions([tag_key]) != before


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
    assert 29 < page_cache.seconds_to_keep() <= 30
    settings.DESPATCH_PAGE_CACHE_HORIZONS = []
    assert page_cache.seconds_to_keep() == settings.DESPATCH_PAGE_CACHE_SECONDS


def test_a_cached_post_page_closes_its_form_when_the_blogs_comment_period_ends(client, network):
    """A blog's "close after N days" takes effect on time, even on a page already cached."""
    post = network["post"]
    closes_at = timezone.now() + timedelta(seconds=3)
    Post.objects.filter(pk=post.pk).update(published_at=closes_at - timedelta(days=7))
    BlogCommentPolicy.objects.create(blog=network["blog"], close_after_days=7)
    # A week back may be last month: the address follows the new date.
    post.refresh_from_db()
    url = post.get_absolute_url()
    first = client.get(url)
    assert 'name="body"' in first.content.decode()
    # A CDN, too, keeps the page no longer than the comment period has left.
    assert int(re.search(r"s-maxage=(\d+)", first["Cache-Control"])[1]) < 3
    assert cached(client, url)
    wait_until(closes_at)
    after = client.get(url)
    assert after.get("X-Despatch-Cache") != "hit"
    assert "closed 7 days after it was published" in after.content.decode()
    assert 'name="body"' not in after.content.decode()


def test_a_cached_post_page_follows_a_closure_starting_and_ending_later(client, network):
    """A closure set for an election period closes and reopens the form on time."""
    post = network["post"]
    starts_at = timezone.now() + timedelta(seconds=2.5)
    ends_at = starts_at + timedelta(seconds=2)
    CommentClosure.objects.create(starts_at=starts_at, ends_at=ends_at, note="Election period.")
    url = post.get_absolute_url()
    assert 'name="body"' in client.get(url).content.decode()
    assert cached(client, url)
    wait_until(starts_at)
    assert "Election period." in client.get(url).content.decode()
    wait_until(ends_at)
    reopened = client.get(url).content.decode()
    assert "Election period." not in reopened
    assert 'name="body"' in reopened


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


class SharedCacheOutage:
    """Cuts the shared cache off (Redis out of reach, its data kept) and brings it back."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.working = surrogates._shared_cache
        self.down = TolerantRedisCache("redis://127.0.0.1:1/0", {})

    def begin(self) -> None:
        self.monkeypatch.setattr(surrogates, "_shared_cache", lambda: self.down)

    def end(self) -> None:
        self.monkeypatch.setattr(surrogates, "_shared_cache", self.working)


@pytest.fixture
def outage(monkeypatch):
    return SharedCacheOutage(monkeypatch)


def test_an_invalidation_the_shared_cache_missed_is_made_once_it_is_back(
    client, network, settings, outage, django_capture_on_commit_callbacks
):
    """A change made while the shared cache was out of reach cannot give its keys new
    versions; the task worker does it when the cache returns, so pages kept before the
    outage are not served again as if nothing had changed."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    post = network["post"]
    url = post.get_absolute_url()
    client.get(url)
    assert cached(client, url)
    Post.objects.filter(pk=post.pk).update(title="Arms Trade Treaty signed")
    outage.begin()
    with django_capture_on_commit_callbacks(execute=True):
        surrogates.invalidate_surrogate_keys([cache_keys.post_key(post.pk)])
    outage.end()
    (retry,) = [
        result
        for result in default_task_backend.results
        if result.task.name == invalidate_surrogate_keys_again.name
    ]
    assert retry.task.run_after > timezone.now()
    # Until the retry runs, the cache still holds the versions the page was kept under.
    assert "Arms Trade Treaty signed" not in client.get(url).content.decode()

    retry.task.call(*retry.args, **retry.kwargs)

    after = client.get(url)
    assert after.get("X-Despatch-Cache") != "hit"
    assert "Arms Trade Treaty signed" in after.content.decode()


def test_a_retry_made_while_the_cache_is_still_down_is_queued_again_later(settings, outage):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    outage.begin()
    surrogates.retry_invalidation(keys=["post-1"], attempt=3)
    (retry,) = default_task_backend.results
    assert retry.kwargs == {"keys": ["post-1"], "attempt": 4}
    wait = retry.task.run_after - timezone.now()
    assert timedelta(seconds=15) < wait <= timedelta(seconds=surrogates.RETRY_MAX_SECONDS)


def test_without_a_backend_that_can_wait_a_missed_invalidation_is_logged_as_lost(
    outage, caplog, django_capture_on_commit_callbacks
):
    outage.begin()
    with django_capture_on_commit_callbacks(execute=True):
        surrogates.invalidate_surrogate_keys(["post-1"])
    assert "Invalidation of ['post-1'] lost" in caplog.text


def test_each_reader_of_a_cached_page_gets_a_working_csrf_token_of_their_own(client, network):
    """The comment form of a cached page carries a token matching the reader's cookie."""
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    url = network["post"].get_absolute_url()
    client.get(url)
    newcomer = Client()
    response = newcomer.get(url)
    assert response["X-Despatch-Cache"] == "hit"
    field = page_cache.CSRF_TOKEN_VALUE.search(response.content)
    assert field is not None
    token = field.group(0).decode()
    assert _unmask_cipher_token(token) == newcomer.cookies["csrftoken"].value
    assert "Cookie" in response["Vary"]


def test_a_reader_with_a_csrf_cookie_keeps_it_on_a_cached_page(client, network):
    """A returning reader's form token is masked from their own secret; no new cookie is set."""
    from django.middleware.csrf import _unmask_cipher_token

    url = network["post"].get_absolute_url()
    client.get(url)
    secret = client.cookies["csrftoken"].value
    response = client.get(url)
    assert response["X-Despatch-Cache"] == "hit"
    assert "csrftoken" not in response.cookies
    token = page_cache.CSRF_TOKEN_VALUE.search(response.content).group(0).decode()
    assert token != secret
    assert _unmask_cipher_token(token) == secret


def test_a_cached_hit_runs_no_query_and_keeps_every_header_of_the_page(
    client, network, django_assert_num_queries
):
    """A hit is answered before the rest of the stack, with the headers that stack gave the page."""
    url = network["post"].get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Despatch-Cache"] == "hit"
    for header in (
        "Content-Type",
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "Cross-Origin-Opener-Policy",
        "Surrogate-Key",
        "Cache-Tag",
        "Cache-Control",
        "Vary",
    ):
        assert second[header] == first[header], header
    assert int(second["Content-Length"]) == len(second.content)
    # Each reader's copy carries their own token, so no tag describes them all.
    assert not second.has_header("ETag")


def test_a_cached_page_without_a_form_answers_conditional_requests(client, network):
    """A page that is the same for every reader keeps its ETag, and a matching one gets a 304."""
    url = reverse("posts:tag", kwargs={"tag_slug": "arms-control"})
    first = client.get(url)
    assert page_cache.CSRF_TOKEN_VALUE.search(first.content) is None
    response = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 304
    assert response["ETag"] == first["ETag"]
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_hit_compares_versions_only_after_the_generation_moves(
    client, network, django_assert_num_queries
):
    """Versions are read once per change anywhere, not once per request."""
    url = network["post"].get_absolute_url()
    client.get(url)
    surrogates._change_generation()
    with django_assert_num_queries(1):
        assert cached(client, url)
    with django_assert_num_queries(0):
        assert cached(client, url)


def test_a_change_signalled_by_another_process_refreshes_pages_cached_here(
    client, network, settings
):
    """Another process that writes new versions and moves the generation file is seen at once."""
    url = network["post"].get_absolute_url()
    client.get(url)
    post_key = f"{surrogates.VERSION_PREFIX}post-{network['post'].pk}"
    caches["default"].set(post_key, "written by another process", surrogates.VERSION_TIMEOUT)
    # New versions alone are not looked at: every writer moves the generation too.
    assert cached(client, url)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from despatch.core.surrogates import _GenerationFile; "
            "_GenerationFile().change(sys.argv[1])",
            settings.DESPATCH_PAGE_CACHE_GENERATION_FILE,
        ],
        check=True,
        cwd=ROOT,
    )
    assert not cached(client, url)


def test_a_page_compared_half_way_through_an_invalidation_is_compared_again(
    client, network, monkeypatch, django_capture_on_commit_callbacks
):
    """A reader between the first generation change and the new versions still sees the old
    versions; the generation moves again once they are written, so the next reader re-checks."""
    url = network["post"].get_absolute_url()
    client.get(url)
    shared = caches["default"]
    write_versions = shared.set_many

    def read_then_write_versions(*args, **kwargs):
        assert cached(client, url)
        return write_versions(*args, **kwargs)

    monkeypatch.setattr(shared, "set_many", read_then_write_versions)
    with django_capture_on_commit_callbacks(execute=True):
        network["post"].title = "Arms Trade Treaty: the final text"
        network["post"].save()
    monkeypatch.undo()
    response = client.get(url)
    assert response.get("X-Despatch-Cache") is None
    assert "the final text" in response.content.decode()


def test_the_page_store_drops_the_least_recently_used_page_first(client, network, settings):
    """Memory stays bounded: beyond the allowed number of pages, the coldest one goes."""
    settings.DESPATCH_PAGE_CACHE_ENTRIES = 2
    urls = page_urls(network)
    client.get(urls["post"])
    client.get(urls["blog"])
    assert cached(client, urls["post"])
    client.get(urls["tag"])
    assert {name: cached(client, urls[name]) for name in ("post", "tag", "blog")} == {
        "post": True,
        "tag": True,
        "blog": False,
    }


def test_the_page_store_keeps_within_its_memory_budget(client, network, settings):
    """Pages larger than the budget are served but not kept."""
    settings.DESPATCH_PAGE_CACHE_MEGABYTES = 0
    url = network["post"].get_absolute_url()
    client.get(url)
    assert not cached(client, url)


def test_readers_missing_the_same_page_at_once_wait_for_one_render(rf, settings):
    """After a change, many readers of one page cost one render per process, not one each."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.DESPATCH_PAGE_CACHE_HORIZONS = []
    renders = []

    def slow_view(request):
        renders.append(request)
        time.sleep(0.3)
        surrogates.add_surrogate_keys(request, ["site"])
        return HttpResponse(b"<p>The page</p>")

    middleware = page_cache.PageCacheMiddleware(slow_view)
    responses = []
    readers = [
        threading.Thread(target=lambda: responses.append(middleware(rf.get("/page/"))))
        for _ in range(4)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(renders) == 1
    assert [response.content for response in responses] == [b"<p>The page</p>"] * 4


def test_search_pages_are_cached_until_the_index_changes(
    client, network, django_capture_on_commit_callbacks
):
    from despatch.search.indexing import search_reindex

    url = reverse("search:search") + "?q=treaty"
    assert "Arms Trade Treaty talks" in client.get(url).content.decode()
    assert cached(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        post_unpublish(post=network["post"])
    assert "Arms Trade Treaty talks" not in client.get(url).content.decode()
    assert cached(client, url)
    # A rebuild by command changes no post but may change what is found.
    with django_capture_on_commit_callbacks(execute=True):
        search_reindex()
    assert not cached(client, url)
