"""Fragments kept between requests are served until what they show changes, never after.

These tests run outside a wrapping transaction (``transaction=True``): invalidation
runs when a change commits, and fragments are bypassed inside transactions.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from despatch.blogs.models import HistoricalPeriod
from despatch.conversations.models import Comment, CommentClosure
from despatch.conversations.services import comment_moderate
from despatch.core import surrogates
from despatch.core.fragments import cached_fragment, kept_as_written, kept_together
from despatch.core.page_cache import keep_no_later_than
from despatch.posts import selectors
from despatch.posts.publishing import post_publish, post_unpublish
from tests.clock import wait_until
from tests.conversations.conftest import make_comment, moderators_group, sign_in
from tests.factories import days_ago, make_author, make_blog, make_post, make_user

pytestmark = pytest.mark.django_db(transaction=True)


class Renderer:
    """A render function that counts its calls."""

    def __init__(self, html: str = "<p>fragment</p>") -> None:
        self.html = html
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.html


def fragment(render: Renderer, *, keys: tuple[str, ...] = ("post-1",)) -> str:
    request = RequestFactory().get("/")
    return cached_fragment(request, name="test-fragment", keys=keys, render=render)


# --- The helper -------------------------------------------------------------------


def test_a_fragment_is_rendered_once_while_its_keys_keep_their_versions():
    render = Renderer()
    assert fragment(render) == fragment(render) == "<p>fragment</p>"
    assert render.calls == 1


def test_the_page_showing_a_fragment_carries_its_keys():
    request = RequestFactory().get("/")
    cached_fragment(request, name="test-fragment", keys=["post-1", "blogs"], render=Renderer())
    assert request.surrogate_keys == {"post-1", "blogs"}


def test_invalidating_any_of_its_keys_retires_the_fragment():
    render = Renderer()
    fragment(render, keys=("post-1", "blogs"))
    surrogates.invalidate_surrogate_keys(["blogs"])
    fragment(render, keys=("post-1", "blogs"))
    assert render.calls == 2


def test_fragments_are_neither_served_nor_stored_inside_a_transaction():
    """Rows read inside a transaction may be rolled back, or not yet invalidated."""
    render = Renderer()
    with transaction.atomic():
        fragment(render)
        fragment(render)
    assert render.calls == 2
    fragment(render)
    assert render.calls == 3


def test_a_cache_outage_renders_the_fragment_every_time(monkeypatch):
    monkeypatch.setattr(surrogates, "versions_at", lambda generation, keys: None)
    render = Renderer()
    fragment(render)
    fragment(render)
    assert render.calls == 2


def test_each_language_has_its_own_fragment():
    render = Renderer()
    fragment(render)
    with translation.override("fr"):
        fragment(render)
    assert render.calls == 2


def test_one_lookup_in_the_shared_cache_serves_every_fragment_of_a_page():
    """The first fragment reads the versions of every key the view has named so far."""
    surrogates.current_versions(["post-1", "blogs", "tags"])
    surrogates.forget_known_versions()  # as in a process that has not read them yet
    request = RequestFactory().get("/")
    surrogates.add_surrogate_keys(request, ["post-1", "blogs", "tags"])
    with CaptureQueriesContext(connection) as queries:
        for name, keys in [("a", ["post-1"]), ("b", ["blogs"]), ("c", ["tags", "post-1"])]:
            cached_fragment(request, name=name, keys=keys, render=Renderer())
    assert sum("despatch_cache" in q["sql"] for q in queries.captured_queries) == 1


# --- Parts kept together ------------------------------------------------------------


class Part:
    """A part of a page made of two fragments and text around them, counting renders."""

    def __init__(self, inner_keys: tuple[str, ...] = ("post-1",)) -> None:
        self.inner_keys = inner_keys
        self.renders = 0
        self.inner = Renderer("<p>inner</p>")

    def __call__(self, request) -> str:
        def render() -> str:
            self.renders += 1
            first = cached_fragment(request, name="inner-a", keys=["blogs"], render=Renderer())
            second = cached_fragment(
                request, name="inner-b", keys=self.inner_keys, render=self.inner
            )
            return f"<aside>{first}{second}</aside>"

        return kept_together(request, name="test-part", keys=["authors"], render=render)


def test_a_part_is_kept_once_its_fragments_keys_are_known():
    """The first render learns the keys of the fragments inside; the second is kept."""
    part = Part()
    for _request in range(4):
        assert part(RequestFactory().get("/")) == "<aside><p>fragment</p><p>inner</p></aside>"
    assert part.renders == 2


def test_a_change_to_a_fragment_inside_retires_the_part():
    part = Part()
    part(RequestFactory().get("/"))
    part(RequestFactory().get("/"))
    part.inner.html = "<p>changed</p>"
    surrogates.invalidate_surrogate_keys(["post-1"])
    assert "<p>changed</p>" in part(RequestFactory().get("/"))
    assert part.renders == 3


def test_a_kept_part_gives_the_page_every_key_of_its_fragments():
    part = Part()
    part(RequestFactory().get("/"))
    part(RequestFactory().get("/"))
    request = RequestFactory().get("/")
    part(request)
    assert part.renders == 2
    assert request.surrogate_keys == {"authors", "blogs", "post-1"}


def test_a_render_meeting_a_key_it_was_not_filed_under_is_not_kept():
    """What a part shows can decide which fragments it holds (a listing's posts)."""
    part = Part()
    part(RequestFactory().get("/"))
    part(RequestFactory().get("/"))
    part.inner_keys = ("post-2",)
    surrogates.invalidate_surrogate_keys(["post-1"])
    part(RequestFactory().get("/"))
    part.inner.html = "<p>post 2 changed</p>"
    surrogates.invalidate_surrogate_keys(["post-2"])
    assert "<p>post 2 changed</p>" in part(RequestFactory().get("/"))


def test_a_part_whose_learnt_keys_were_forgotten_is_never_served_stale():
    """The memory cache may drop what was learnt and keep the part: the part is then
    looked for under fewer keys, under which nothing was ever kept."""
    part = Part()
    part(RequestFactory().get("/"))
    part(RequestFactory().get("/"))
    learnt_as = "fragment-keys:" + hashlib.sha256(b"test-part").hexdigest()
    assert caches["pages"].get(learnt_as) == ("blogs", "post-1")
    caches["pages"].delete(learnt_as)
    part.inner.html = "<p>changed</p>"
    surrogates.invalidate_surrogate_keys(["post-1"])
    assert "<p>changed</p>" in part(RequestFactory().get("/"))


def test_a_part_that_acts_on_the_request_is_never_kept():
    """Serving a kept part would skip what its render did to the page: here, cut the
    time the page may be kept, as a comment section does when comments close."""
    renders = []

    def render_for(request):
        def render() -> str:
            renders.append(1)
            keep_no_later_than(request, timezone.now() + timedelta(minutes=5))
            return "<p>comments close soon</p>"

        return render

    for _request in range(3):
        request = RequestFactory().get("/")
        kept_together(request, name="acting-part", keys=["blogs"], render=render_for(request))
        assert request._keep_until is not None
    assert len(renders) == 3


def test_a_part_holding_a_fragment_that_keeps_its_own_time_is_never_kept():
    """The part would outlive it: a value true for a few seconds only."""
    renders = []

    def part(request) -> str:
        def render() -> str:
            renders.append(1)
            return cached_fragment(
                request,
                name="short-lived",
                keys=["posts"],
                render=Renderer(),
                keep_seconds=lambda _value: 5,
            )

        return kept_together(request, name="timed-part", keys=["blogs"], render=render)

    for _request in range(3):
        assert part(RequestFactory().get("/")) == "<p>fragment</p>"
    assert len(renders) == 3


def test_kept_sidebars_and_post_parts_follow_an_approved_comment(client, network, moderator):
    """Once kept, the parts of the post page, the blog home and the network home are
    served whole, and still show a comment approved after."""
    post = network["post"]
    urls = [post.get_absolute_url(), network["blog"].get_absolute_url(), reverse("posts:network")]
    for url in urls:
        client.get(url)
        client.get(url)
    parts = {
        "posts/_post_sidebar.html",
        "posts/_blog_sidebar.html",
        "posts/_network_sidebar.html",
        "posts/_post_head.html",
        "posts/_post_main.html",
    }
    for url in urls:
        assert not parts & {template.name for template in client.get(url).templates}, url
    comment = make_comment(post, status=Comment.Status.PENDING, body="What about enforcement?")
    comment_moderate(comment_ids=[comment.pk], to=Comment.Status.APPROVED, by=moderator)
    for url in urls:
        page = client.get(url).content.decode()
        sidebar = page[page.index('class="page__sidebar"') :]
        assert "What about enforcement?" in sidebar, url


def test_a_part_as_written_is_rendered_once_per_language():
    """Chrome and help text show no row: kept under no key, even inside a transaction."""
    rendered: list[str] = []

    def note(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(note)
    try:
        english = kept_as_written("search/_search_help.html")
        with transaction.atomic():
            assert kept_as_written("search/_search_help.html") == english
        with translation.override("fr"):
            kept_as_written("search/_search_help.html")
            kept_as_written("search/_search_help.html")
    finally:
        template_rendered.disconnect(note)
    assert rendered == ["search/_search_help.html", "search/_search_help.html"]
    assert "How to search" in english


def shared_cache_reads(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return sum("despatch_cache" in q["sql"] for q in queries.captured_queries)


def test_versions_once_read_come_from_memory_until_an_invalidation_anywhere():
    before = surrogates.current_versions(["post-1", "blogs"])
    assert shared_cache_reads(lambda: surrogates.current_versions(["post-1", "blogs"])) == 0
    surrogates.invalidate_surrogate_keys(["blogs"])
    after = surrogates.current_versions(["post-1", "blogs"])
    assert after is not None and before is not None
    assert after["blogs"] != before["blogs"]
    assert after["post-1"] == before["post-1"]


def test_versions_read_as_a_change_lands_are_never_trusted_after_it():
    """A render that read the generation before a change files what it reads under
    that old generation, where no later reader looks."""
    surrogates.current_versions(["blogs"])
    generation_before = surrogates.generation()
    surrogates.invalidate_surrogate_keys(["blogs"])
    surrogates.versions_at(generation_before, ["blogs", "tags"])
    assert surrogates.current_versions(["blogs"]) == {
        "blogs": caches["default"].get(f"{surrogates.VERSION_PREFIX}blogs")
    }


def test_with_the_generation_in_the_shared_cache_versions_are_kept_in_memory_too(settings):
    """Several app servers (PostgreSQL, Redis) share the generation through the cache."""
    settings.DESPATCH_PAGE_CACHE_GENERATION_FILE = ""
    before = surrogates.current_versions(["blogs"])
    reads = shared_cache_reads(lambda: surrogates.current_versions(["blogs"]))
    assert reads == 1  # the generation, not the versions
    surrogates.invalidate_surrogate_keys(["blogs"])
    assert surrogates.current_versions(["blogs"]) != before


def test_without_a_generation_versions_are_read_every_time(monkeypatch):
    monkeypatch.setattr(surrogates, "generation", lambda: None)
    surrogates.current_versions(["blogs"])
    assert shared_cache_reads(lambda: surrogates.current_versions(["blogs"])) == 1


# --- Pages ------------------------------------------------------------------------


@pytest.fixture
def network():
    author = make_author(display_name="Jane Porter", slug="jane-porter")
    blog = make_blog(name="Digital diplomacy", slug="digital-diplomacy", authors=[author])
    post = make_post(
        blog=blog,
        author=author,
        title="Arms Trade Treaty talks",
        tags=["Arms control"],
        published_at=days_ago(2),
    )
    return {"author": author, "blog": blog, "post": post}


@pytest.fixture
def moderator():
    user = make_user(username="mod", email="mod@team.example", is_staff=True)
    user.groups.add(moderators_group())
    return user


def comment_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('FROM "conversations_comment"' in q["sql"] for q in queries.captured_queries)


def test_a_post_page_reads_its_comments_once_until_they_change(client, network):
    url = network["post"].get_absolute_url()
    make_comment(network["post"], body="An early question.")
    assert comment_queries(client, url) == 2  # the thread and "Recent comments"
    assert comment_queries(client, url) == 0


def test_approving_a_comment_refreshes_the_thread_and_recent_comments(client, network, moderator):
    post = network["post"]
    urls = [post.get_absolute_url(), network["blog"].get_absolute_url(), reverse("posts:network")]
    for url in urls:
        client.get(url)
    comment = make_comment(post, status=Comment.Status.PENDING, body="What about enforcement?")
    comment_moderate(comment_ids=[comment.pk], to=Comment.Status.APPROVED, by=moderator)
    for url in urls:
        assert "What about enforcement?" in client.get(url).content.decode(), url
    thread = client.get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in thread and "1 comment<" in thread
    assert "1 comment" in client.get(reverse("posts:network")).content.decode()


def test_closing_comments_takes_the_reply_links_out_of_the_cached_thread(client, network):
    url = network["post"].get_absolute_url()
    make_comment(network["post"], body="An early question.")
    assert "comment__reply" in client.get(url).content.decode()
    CommentClosure.objects.create(note="Comments are closed during the election.")
    page = client.get(url).content.decode()
    assert "comment__reply" not in page and "An early question." in page


def test_the_cached_comment_rules_follow_every_change_and_the_clock(client, network):
    """Closures and policies are read once and kept; edits by any path (the admin
    saves rows directly) and the passing of a closure's start and end still count."""
    from despatch.conversations.models import BlogCommentPolicy

    post = network["post"]
    url = post.get_absolute_url()
    assert 'id="respond-heading"' in client.get(url).content.decode()
    assert "comment-form" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not any("conversations_commentclosure" in q["sql"] for q in queries.captured_queries)

    policy = BlogCommentPolicy.objects.create(blog=post.blog, close_after_days=1)
    assert "closed 1 days after" in client.get(url).content.decode()
    policy.delete()
    assert "comment-form" in client.get(url).content.decode()

    soon = timezone.now() + timedelta(seconds=2)
    closure = CommentClosure.objects.create(blog=post.blog, starts_at=soon)
    assert "comment-form" in client.get(url).content.decode()
    wait_until(soon)
    assert "Comments are closed on this blog." in client.get(url).content.decode()
    CommentClosure.objects.filter(pk=closure.pk).update(ends_at=timezone.now())
    closure.refresh_from_db()
    closure.save()
    assert "comment-form" in client.get(url).content.decode()


def test_the_post_behind_a_permalink_is_kept_until_it_or_its_names_change(client, network):
    from despatch.posts.models import Post, Tag

    post, author = network["post"], network["author"]
    url = post.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert "Arms Trade Treaty talks" in client.get(url).content.decode()
    assert not any('FROM "posts_post"' in q["sql"] for q in queries.captured_queries)

    post.title = "Arms Trade Treaty: the final text"
    post.save()
    assert "the final text" in client.get(url).content.decode()
    author.display_name = "Jane Porter-Okafor"
    author.save()
    assert "Jane Porter-Okafor" in client.get(url).content.decode()
    tag = Tag.objects.get(name="Arms control")
    tag.name = "Arms control and disarmament"
    tag.save()
    assert "Arms control and disarmament" in client.get(url).content.decode()
    post_unpublish(post=Post.objects.get(pk=post.pk))
    assert client.get(url).status_code == 404


def test_a_scheduled_posts_address_answers_once_its_time_comes(client, network):
    """A reader who tried the address too early does not keep others from the post."""
    from despatch.posts.models import Post

    when = timezone.now() + timedelta(seconds=2)
    scheduled = make_post(
        blog=network["blog"],
        title="Embargoed statement",
        status=Post.Status.SCHEDULED,
        published_at=when,
    )
    url = scheduled.get_absolute_url()
    assert client.get(url).status_code == 404
    wait_until(when)
    assert client.get(url).status_code == 200


def test_a_post_page_whose_parts_are_kept_makes_no_query(client, network):
    url = network["post"].get_absolute_url()
    make_comment(network["post"], body="An early question.")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert queries.captured_queries == []


def test_an_unchanged_feed_answers_without_a_query_until_a_post_in_it_changes(client, network):
    path = reverse("feeds:network-rss")
    etag = client.get(path)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert queries.captured_queries == []
    post = network["post"]
    post.title = "Arms Trade Treaty: the final text"
    post.save()
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Arms Trade Treaty: the final text" in response.content.decode()


def test_the_kept_comment_section_takes_each_readers_own_hidden_fields(
    network, settings, monkeypatch
):
    """The section is rendered once for every anonymous reader; the CSRF token and the
    signed start time in it are each reader's own, and the form they fill is accepted."""
    from despatch.conversations.templatetags import conversations

    renders: list[int] = []
    render_section = conversations._render_section

    def counted(*args, **kwargs):
        renders.append(kwargs["post"].pk)
        return render_section(*args, **kwargs)

    monkeypatch.setattr(conversations, "_render_section", counted)
    settings.DESPATCH_COMMENTS_MIN_FILL_SECONDS = 0
    post = network["post"]
    hidden = re.compile(r'name="(csrfmiddlewaretoken|started)" value="([^"]+)"')
    readers = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = [reader.get(post.get_absolute_url()).content.decode() for reader in readers]
    fields = [dict(hidden.findall(page)) for page in pages]
    assert fields[0]["csrfmiddlewaretoken"] != fields[1]["csrfmiddlewaretoken"]
    assert fields[0]["started"] != fields[1]["started"]
    assert hidden.sub("", pages[0]) == hidden.sub("", pages[1])
    assert renders == [post.pk]
    response = readers[1].post(
        reverse("conversations:form", kwargs={"post_id": post.pk}),
        {
            **fields[1],
            "name": "Hannah Okafor",
            "email": "hannah@readers.example",
            "body": "Thank you for explaining the review so clearly.",
        },
    )
    assert response.status_code in (200, 302)
    assert Comment.objects.filter(post=post, author_name="Hannah Okafor").exists()


def test_the_comment_form_is_never_shared_between_readers(client, network):
    """The form's fields are shared by anonymous readers; tokens and names are not."""
    url = network["post"].get_absolute_url()
    reader = make_user(username="hannah", first_name="Hannah", last_name="Okafor")
    signed_in = Client()
    sign_in(signed_in, reader)
    assert 'value="Hannah Okafor"' in signed_in.get(url).content.decode()
    anonymous = [client.get(url).content.decode(), Client().get(url).content.decode()]
    assert all("Hannah Okafor" not in page for page in anonymous)
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    first, second = (token.search(page).group(1) for page in anonymous)  # type: ignore[union-attr]
    assert first != second
    assert 'value="Hannah Okafor"' in signed_in.get(url).content.decode()


def test_publishing_a_post_refreshes_the_sidebars_and_neighbours(client, network):
    draft = make_post(
        blog=network["blog"],
        author=network["author"],
        title="A fresh despatch",
        tags=["Fresh subject"],
        is_best_bit=True,
        status="draft",
    )
    home, blog_home = reverse("posts:network"), network["blog"].get_absolute_url()
    older_post = network["post"].get_absolute_url()
    for url in (home, blog_home, older_post):
        client.get(url)
    post_publish(post=draft)
    for url in (home, blog_home):
        page = client.get(url).content.decode()
        assert "Fresh subject<span" in page, url  # in the tag cloud
        assert page.count("A fresh despatch") >= 2, url  # the listing and the best bits
    assert 'rel="next"' in client.get(older_post).content.decode()


@pytest.mark.parametrize(
    ("owner", "field", "old", "new", "in_post_head"),
    [
        (
            "blog",
            "name",
            ">Digital diplomacy<",
            "Digital diplomacy, renamed",
            'title="Digital diplomacy, renamed (Atom)"',
        ),
        (
            "author",
            "display_name",
            "Jane Porter<",
            "Jane Porter-Smith",
            '"name": "Jane Porter-Smith"',
        ),
    ],
)
def test_renaming_a_blog_or_author_refreshes_every_fragment_naming_it(
    client, network, owner, field, old, new, in_post_head
):
    """Listings, and the kept ``<head>`` of a post page (feed links, structured data)."""
    post_url = network["post"].get_absolute_url()
    urls = [reverse("posts:network"), network["blog"].get_absolute_url(), post_url]
    for url in urls:
        client.get(url)
    setattr(network[owner], field, new)
    network[owner].save()
    for url in urls:
        page = client.get(url).content.decode()
        assert new in page and old not in page, url
    assert in_post_head in client.get(post_url).content.decode()


def test_a_new_historical_period_shows_its_note_on_cached_posts(client, network):
    url = network["post"].get_absolute_url()
    client.get(url)
    HistoricalPeriod.objects.create(
        starts_on=date.today() - timedelta(days=30),
        ends_on=date.today(),
        note="Written under the previous government.",
    )
    assert "Written under the previous government." in client.get(url).content.decode()


def test_editing_a_post_refreshes_its_article_and_its_summaries(client, network):
    post = network["post"]
    urls = [post.get_absolute_url(), network["blog"].get_absolute_url(), reverse("posts:network")]
    for url in urls:
        client.get(url)
    post.title = "Arms Trade Treaty: the final text"
    post.body_source = "The delegations agreed on a **final text**."
    post.save()
    article = client.get(post.get_absolute_url()).content.decode()
    assert "<strong>final text</strong>" in article
    for url in urls:
        assert "Arms Trade Treaty: the final text" in client.get(url).content.decode(), url
    # The kept head of the post page: its description for search engines and the
    # title of its comment feeds.
    assert '"headline": "Arms Trade Treaty: the final text"' in article
    assert 'title="Comments on “Arms Trade Treaty: the final text” (RSS)"' in article


def test_publishing_a_post_refreshes_the_tag_index_and_the_archive(client, network):
    draft = make_post(
        blog=network["blog"], title="A fresh despatch", tags=["Fresh subject"], status="draft"
    )
    tag_index, archive = reverse("posts:tags"), reverse("posts:archive")
    for url in (tag_index, archive):
        client.get(url)
    post_publish(post=draft)
    assert "Fresh subject" in client.get(tag_index).content.decode()
    today = timezone.localdate()
    month = next(
        count
        for year in selectors.archive()
        for first_day, count in year.months
        if (first_day.year, first_day.month) == (today.year, today.month)
    )
    assert f'<span class="archive__count">({month})</span>' in client.get(archive).content.decode()


# --- Listings ---------------------------------------------------------------------


def listing_urls(network) -> dict[str, str]:
    """Every kind of listing that shows the fixture's post."""
    post = network["post"]
    tag = post.tags.get()
    published = timezone.localtime(post.published_at)
    return {
        "network": reverse("posts:network"),
        "blog": network["blog"].get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "blog-tag": reverse(
            "posts:blog-tag", kwargs={"blog_slug": network["blog"].slug, "tag_slug": tag.slug}
        ),
        "author": network["author"].get_absolute_url(),
        "month": reverse(
            "posts:archive-month",
            kwargs={"year": published.year, "month": published.month},
        ),
    }


def test_a_listing_reads_nothing_but_versions_until_what_it_shows_changes(client, network):
    """Which posts a page lists, their summaries, its blog, tag and the tag's
    neighbours are all kept between requests."""
    for name, url in listing_urls(network).items():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        read = [q["sql"] for q in queries.captured_queries if "despatch_cache" not in q["sql"]]
        if name == "author":  # the blogs the author writes on are read every time
            read = [sql for sql in read if 'FROM "blogs_blog"' not in sql]
        assert read == [], name


def test_publishing_and_unpublishing_a_post_changes_every_listing(client, network):
    urls = listing_urls(network)
    draft = make_post(
        blog=network["blog"],
        author=network["author"],
        title="A fresh despatch",
        tags=["Arms control"],
        status="draft",
    )
    for url in urls.values():
        client.get(url)
    post_publish(post=draft)
    for name, url in urls.items():
        assert "A fresh despatch" in client.get(url).content.decode(), name
    post_unpublish(post=draft)
    for name, url in urls.items():
        assert "A fresh despatch" not in client.get(url).content.decode(), name


def test_deleting_a_post_takes_it_off_every_listing(client, network):
    urls = listing_urls(network)
    for url in urls.values():
        assert "Arms Trade Treaty talks" in client.get(url).content.decode()
    # Another post keeps every listing, the month's included, in existence.
    make_post(blog=network["blog"], author=network["author"], tags=["Arms control"])
    network["post"].delete()
    for name, url in urls.items():
        assert "Arms Trade Treaty talks" not in client.get(url).content.decode(), name


def test_an_approved_comment_is_counted_on_every_listing(client, network, moderator):
    """A tag or author page names neither the network's comments nor the blog's: the
    listed post's own key brings the new count."""
    urls = listing_urls(network)
    for url in urls.values():
        assert "0 comments" in client.get(url).content.decode()
    comment = make_comment(network["post"], status=Comment.Status.PENDING, body="And then?")
    comment_moderate(comment_ids=[comment.pk], to=Comment.Status.APPROVED, by=moderator)
    for name, url in urls.items():
        assert "1 comment<" in client.get(url).content.decode(), name


def test_retagging_a_post_moves_it_between_tag_pages_and_their_counts(client, network):
    from despatch.posts.models import Tag

    post = network["post"]
    make_post(blog=network["blog"], title="Export controls", tags=["Arms control"])
    make_post(blog=network["blog"], title="Test ban", tags=["Disarmament"])
    old_tag, new_tag = Tag.objects.get(name="Arms control"), Tag.objects.get(name="Disarmament")
    old_url, new_url = old_tag.get_absolute_url(), new_tag.get_absolute_url()
    assert "2 posts" in client.get(old_url).content.decode()
    assert "1 post<" in client.get(new_url).content.decode()

    post.tags.add(new_tag)
    refresh_statistics(post)
    old_page = client.get(old_url).content.decode()
    assert "Arms Trade Treaty talks" in old_page
    assert ">Disarmament</a>" in old_page[old_page.index("related-tags-heading") :]
    new_page = client.get(new_url).content.decode()
    assert "Arms Trade Treaty talks" in new_page and "2 posts" in new_page

    post.tags.remove(old_tag)
    refresh_statistics(post)
    old_page = client.get(old_url).content.decode()
    assert "Arms Trade Treaty talks" not in old_page and "1 post<" in old_page
    assert "related-tags-heading" not in old_page
    assert "Arms Trade Treaty talks" in client.get(new_url).content.decode()


def refresh_statistics(post) -> None:
    """Recount tags as a commit does in production (``make_post`` recounts directly)."""
    from despatch.posts.statistics import refresh_blog_statistics

    refresh_blog_statistics(blog_ids=[post.blog_id])


def test_giving_a_post_to_another_author_moves_it_between_author_pages(client, network):
    post = network["post"]
    other = make_author(display_name="Ola Nordmann", slug="ola-nordmann")
    make_post(blog=network["blog"], author=other, title="Ola's first despatch")
    urls = [network["author"].get_absolute_url(), other.get_absolute_url()]
    for url in urls:
        client.get(url)
    post.author = other
    post.save()
    first, second = (client.get(url).content.decode() for url in urls)
    assert "Arms Trade Treaty talks" not in first
    assert "Arms Trade Treaty talks" in second


def test_a_renamed_tag_or_blog_is_found_at_its_new_address_only(client, network):
    from despatch.posts.models import Tag

    tag, blog = Tag.objects.get(name="Arms control"), network["blog"]
    old_tag_url, old_blog_url = tag.get_absolute_url(), blog.get_absolute_url()
    for url in (old_tag_url, old_blog_url):
        assert client.get(url).status_code == 200
    tag.name, tag.slug = "Arms control and disarmament", "arms-control-and-disarmament"
    tag.save()
    blog.slug = "digital-diplomacy-blog"
    blog.save()
    assert client.get(old_tag_url).status_code == 404
    assert client.get(old_blog_url).status_code == 404
    page = client.get(tag.get_absolute_url()).content.decode()
    assert "<h1>Arms control and disarmament</h1>" in page
    assert client.get(blog.get_absolute_url()).status_code == 200


def test_a_scheduled_post_joins_the_listings_at_its_time(client, network):
    from despatch.posts.models import Post

    # Room for every listing to be read first, even on a loaded machine.
    when = timezone.now() + timedelta(seconds=5)
    make_post(
        blog=network["blog"],
        author=network["author"],
        title="Embargoed statement",
        tags=["Arms control"],
        status=Post.Status.SCHEDULED,
        published_at=when,
    )
    urls = listing_urls(network)
    del urls["month"]  # the month may not be this month's
    for url in urls.values():
        assert "Embargoed statement" not in client.get(url).content.decode()
    wait_until(when)
    for name, url in urls.items():
        assert "Embargoed statement" in client.get(url).content.decode(), name


def test_choosing_best_bits_refreshes_the_best_bits_pages_and_panels(client, network):
    """Best bits are set without ``save()``; until the network has picks of its own,
    it shows every blog's."""
    from despatch.posts.lifecycle import best_bits_set

    admin = make_user(username="admin", is_superuser=True)
    blog = network["blog"]
    chosen = make_post(blog=blog, author=network["author"], title="Chosen despatch")
    pages = [
        reverse("posts:best-bits"),
        reverse("posts:blog-best-bits", kwargs={"blog_slug": blog.slug}),
    ]
    panels = [reverse("posts:network"), blog.get_absolute_url()]
    for url in pages:
        assert "Chosen despatch" not in client.get(url).content.decode()
    for url in panels:
        assert "Chosen despatch</a> <span" not in client.get(url).content.decode()
    best_bits_set(blog=blog, post_ids=[chosen.pk], by=admin)
    for url in pages:
        assert "Chosen despatch" in client.get(url).content.decode(), url
    for url in panels:
        assert "Chosen despatch</a> <span" in client.get(url).content.decode(), url
    best_bits_set(blog=None, post_ids=[network["post"].pk], by=admin)
    best = client.get(reverse("posts:best-bits")).content.decode()
    assert "Arms Trade Treaty talks" in best and "Chosen despatch" not in best
    home = client.get(reverse("posts:network")).content.decode()
    assert "Chosen despatch</a> <span" not in home
