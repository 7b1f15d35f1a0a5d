"""The parts of the search page kept between requests (the reading of its address,
the form, the results section, the summaries of the posts found, the form's
options and its filters, the help when nothing is found) are reused while what
they show stays the same, and never after it changes.

These tests run outside a wrapping transaction (``transaction=True``), as every
test of fragments does: fragments are bypassed inside transactions, and their
invalidation runs when a change commits.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from despatch.conversations.models import Comment
from despatch.conversations.services import comment_moderate
from despatch.posts.models import Post, Tag
from tests.clock import wait_until
from tests.conversations.conftest import make_comment, moderators_group
from tests.factories import make_blog, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH_URL = "/search/"


def test_a_search_made_again_reads_nothing(client, post_about):
    """The engine's answer, the posts found with their snippets, the summaries, the
    blogs, authors and suggested tags all come from fragments the second time."""
    post_about("Treaty talks", tags=["Arms control"])
    first = client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    assert [query["sql"] for query in queries.captured_queries] == []
    assert again == first
    assert "Treaty talks" in again and "Arms control" in again


def test_a_kept_result_follows_its_blogs_language(client, post_about):
    """The passage found is marked with the language of the post's blog as it is now."""
    post = post_about("Treaty talks", body="The treaty was signed.", language="")
    assert 'lang="en" dir="ltr"><span' in client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    post.blog.language = "ar"
    post.blog.save()
    assert 'lang="ar" dir="rtl"><span' in client.get(SEARCH_URL, {"q": "treaty"}).content.decode()


def test_a_post_published_after_a_search_is_found_when_it_is_made_again(client, post_about):
    post_about("Treaty talks")
    client.get(SEARCH_URL, {"q": "treaty"})
    post_about("Treaty signed")
    page = client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    assert "Treaty signed" in page and "Treaty talks" in page


def test_a_scheduled_post_is_found_once_its_time_comes(client, post_about):
    """A search made too early does not keep the post from the same search later."""
    post_about("Treaty talks")
    when = timezone.now() + timedelta(seconds=2)
    post_about("Treaty signed", status=Post.Status.SCHEDULED, published_at=when)
    assert "Treaty signed" not in client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    wait_until(when)
    assert "Treaty signed" in client.get(SEARCH_URL, {"q": "treaty"}).content.decode()


def test_a_summary_shows_the_post_as_it_is_now(client, post_about):
    post = post_about("Treaty talks")
    client.get(SEARCH_URL, {"q": "treaty"})
    post.title = "Treaty talks resume"
    post.save()
    page = client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    assert "Treaty talks resume" in page


def test_the_same_post_found_by_different_searches_has_the_same_summary(client, post_about):
    post_about("Treaty talks", body="The arms trade treaty, again.")
    by_title = client.get(SEARCH_URL, {"q": "talks"}).content.decode()
    by_body = client.get(SEARCH_URL, {"q": "arms"}).content.decode()
    summary = by_title[by_title.index('<article class="summary">') : by_title.index("</article>")]
    assert summary in by_body
    assert "<mark>arms</mark>" in by_body


def test_a_blog_started_after_a_search_is_offered_in_the_form(client, network):
    client.get(SEARCH_URL, {"q": "treaty"})
    make_blog(name="Nairobi notes", slug="nairobi", language="sw")
    page = client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    assert '<option value="nairobi">Nairobi notes</option>' in page
    assert '<option value="sw">' in page


def test_each_search_shows_its_own_filters(client, post_about, network):
    post_about("Treaty talks")
    client.get(SEARCH_URL, {"q": "treaty", "blog": "london", "sort": "newest"})
    page = client.get(SEARCH_URL, {"q": "weather", "blog": "paris"}).content.decode()
    assert '<option value="paris" selected>' in page
    assert '<option value="london" selected>' not in page
    assert 'value="relevance" id="id_sort_0" checked' in page
    assert 'name="q" value="weather"' in page


def test_a_search_made_again_renders_neither_its_form_nor_its_results(client, post_about):
    post_about("Treaty talks")
    first = client.get(SEARCH_URL, {"q": "treaty", "sort": "newest"})
    rendered = {template.name for template in first.templates}
    assert {"search/_search_form.html", "search/_search_results.html"} <= rendered
    again = client.get(SEARCH_URL, {"q": "treaty", "sort": "newest"})
    rendered_again = {template.name for template in again.templates}
    assert "search/_search_form.html" not in rendered_again
    assert "search/_search_results.html" not in rendered_again
    assert again.content == first.content


def test_a_search_that_found_nothing_keeps_its_help(client, post_about):
    """The correction and the nearby tags are looked for once, not at every request."""
    post_about("Maritime security", tags=["Maritime security"])
    first = client.get(SEARCH_URL, {"q": "secruity"}).content.decode()
    assert 'Did you mean <a href="?q=security">security</a>?' in first
    with CaptureQueriesContext(connection) as queries:
        again = client.get(SEARCH_URL, {"q": "secruity"}).content.decode()
    assert [query["sql"] for query in queries.captured_queries] == []
    assert again == first


def test_the_help_follows_a_renamed_tag(client, post_about):
    post_about("Maritime security", tags=["Maritime security"])
    assert "/tags/maritime-security/" in client.get(SEARCH_URL, {"q": "secruity"}).content.decode()
    tag = Tag.objects.get(slug="maritime-security")
    tag.name, tag.slug = "Security at sea", "security-at-sea"
    tag.save()
    page = client.get(SEARCH_URL, {"q": "secruity"}).content.decode()
    assert "/tags/security-at-sea/" in page
    assert "/tags/maritime-security/" not in page


def test_a_kept_result_shows_a_newly_approved_comment(client, post_about):
    post = post_about("Treaty talks")
    assert "0 comments" in client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    comment = make_comment(post, status=Comment.Status.PENDING, body="And then?")
    moderator = make_user(username="mod", email="mod@team.example", is_staff=True)
    moderator.groups.add(moderators_group())
    comment_moderate(comment_ids=[comment.pk], to=Comment.Status.APPROVED, by=moderator)
    assert "1 comment<" in client.get(SEARCH_URL, {"q": "treaty"}).content.decode()


def test_a_blog_filter_is_read_again_once_the_blog_exists(client, post_about):
    """An address naming a blog that did not exist is not kept meaning "every blog"."""
    post_about("Treaty talks")
    first = client.get(SEARCH_URL, {"q": "treaty", "blog": "nairobi"}).content.decode()
    assert "There is no blog “nairobi”" in first
    assert "Treaty talks" in first
    make_blog(name="Nairobi notes", slug="nairobi", language="sw")
    page = client.get(SEARCH_URL, {"q": "treaty", "blog": "nairobi"}).content.decode()
    assert "There is no blog" not in page
    assert '<option value="nairobi" selected>' in page
    assert "No posts match" in page


def test_kept_results_link_on_with_their_own_addresses_parameters(client, post_about, settings):
    settings.DESPATCH_SEARCH_RESULTS_PER_PAGE = 1
    post_about("Treaty talks")
    post_about("Treaty signed")
    from_mail = client.get(SEARCH_URL, {"q": "treaty", "ref": "mail"}).content.decode()
    from_feed = client.get(SEARCH_URL, {"q": "treaty", "ref": "feed"}).content.decode()
    assert 'rel="next" href="?q=treaty&amp;ref=mail&amp;page=2"' in from_mail
    assert 'rel="next" href="?q=treaty&amp;ref=feed&amp;page=2"' in from_feed
