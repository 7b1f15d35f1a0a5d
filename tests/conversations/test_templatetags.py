"""The fragments other pages place: the comment section and "Recent comments"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from despatch.conversations.models import Comment, CommentClosure
from tests.factories import make_post

from .conftest import make_comment

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return Template("{% load conversations %}" + source).render(
        Context({"request": request, **context})
    )


def test_the_section_shows_approved_comments_with_their_count_and_badged_replies(post):
    question = make_comment(post, author_name="Marc Duval", body="What about enforcement?")
    make_comment(
        post, parent=question, author_name="Jane Porter", badge="author", body="We will report."
    )
    make_comment(post, parent=question, author_name="A consul", badge="official", body="Agreed.")
    make_comment(post, status=Comment.Status.PENDING, body="Still waiting for a moderator.")
    make_comment(post, status=Comment.Status.SPAM, body="Buy cheap things.")
    html = render("{% comment_section post %}", post=post)
    assert "3 comments" in html
    assert "What about enforcement?" in html and "We will report." in html
    assert "Still waiting" not in html and "Buy cheap" not in html
    assert 'comment__badge--author">Author<' in html
    assert 'comment__badge--official">Official<' in html
    assert html.index("What about enforcement?") < html.index("We will report.")
    assert "Have an opinion?" in html and 'name="body"' in html
    assert "/house-rules/" in html
    assert "@readers.example" not in html  # e-mail addresses are never shown


def test_a_post_without_comments_invites_the_first(post):
    html = render("{% comment_section post %}", post=post)
    assert "0 comments" in html and "No comments yet." in html


def test_a_closed_post_shows_the_notice_in_place_of_the_form(post):
    CommentClosure.objects.create(note="Comments are closed during the election period.")
    html = render("{% comment_section post %}", post=post)
    assert "Comments are closed during the election period." in html
    assert 'name="body"' not in html and "Reply" not in html


def test_recent_comments_network_blog_and_post(post):
    other = make_post(title="Ice and trade")
    make_comment(post, author_name="Here", body="On the treaty post.")
    make_comment(other, author_name="Elsewhere", body="On another blog.")
    make_comment(post, author_name="Hidden", status=Comment.Status.PENDING, body="Not yet.")
    network = render("{% recent_comments %}")
    blog = render("{% recent_comments blog=blog %}", blog=post.blog)
    on_post = render("{% recent_comments post=post limit=1 %}", post=post)
    assert (
        "<h2" in network
        and "Recent comments" in network
        and network.lstrip().startswith("<section")
    )
    assert "Here" in network and "Elsewhere" in network and "Hidden" not in network
    assert "Here" in blog and "Elsewhere" not in blog
    assert f"{post.get_absolute_url()}#comment-" in on_post and "Elsewhere" not in on_post


def test_recent_comments_skip_unpublished_posts(post):
    from despatch.posts.models import Post

    make_comment(post, author_name="Reader")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    assert "Reader" not in render("{% recent_comments %}")


def queries(source: str, **context) -> int:
    with CaptureQueriesContext(connection) as captured:
        render(source, **context)
    return len(captured.captured_queries)


def test_the_fragments_cost_the_same_queries_for_2_or_60_comments(post):
    """However long the conversation, the comment section and the sidebar cost the same."""
    first = make_comment(post)
    make_comment(post, parent=first, badge="author")
    small = (queries("{% comment_section post %}", post=post), queries("{% recent_comments %}"))
    for number in range(30):
        parent = make_comment(post, body=f"Comment {number} of many.")
        make_comment(post, parent=parent, body=f"Reply {number} of many.")
    large = (queries("{% comment_section post %}", post=post), queries("{% recent_comments %}"))
    assert small == large
    assert large[0] <= 3 and large[1] == 1


def test_the_post_page_costs_the_same_queries_with_2_or_60_comments(client, post):
    """Extends the foundation's query-count test to comments on the post page."""
    first = make_comment(post)
    make_comment(post, parent=first, badge="author")
    url = post.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for number in range(30):
        parent = make_comment(post, body=f"Comment {number} of many.")
        make_comment(post, parent=parent, body=f"Reply {number} of many.")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert "62 comments" in response.content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
