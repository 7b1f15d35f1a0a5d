"""The comment form's pages, the moderation queue and unsubscribing, through HTTP."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from despatch.conversations.models import Comment, CommentClosure, ModerationLogEntry
from despatch.conversations.selectors import QueueCursor
from tests.factories import make_user

from .conftest import form_data, make_comment, sign_in, submit

pytestmark = pytest.mark.django_db

Status = Comment.Status


def form_url(post):
    return reverse("conversations:form", kwargs={"post_id": post.pk})


def test_the_form_page_works_without_javascript(client, post):
    """A plain GET shows a complete form that a plain POST can send."""
    response = client.get(form_url(post))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'method="post"' in html and 'name="csrfmiddlewaretoken"' in html
    for field in ("name", "email", "website", "body", "started"):
        assert f'name="{field}"' in html
    assert reverse("core:house-rules") in html


def test_sending_a_comment_says_it_awaits_moderation(client, post):
    response = submit(client, post)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "waiting for a moderator" in page.content.decode()
    assert Comment.objects.get().status == Status.PENDING


def test_a_reply_link_opens_the_form_with_the_comment_quoted(client, post):
    question = make_comment(post, author_name="Marc Duval", body="What about enforcement?")
    response = client.get(form_url(post) + f"?reply_to={question.pk}")
    html = response.content.decode()
    assert "Reply to Marc Duval" in html and "What about enforcement?" in html
    assert f'name="parent" value="{question.pk}"' in html
    submit(client, post, parent=str(question.pk), body="Enforcement matters most.")
    assert Comment.objects.get(body="Enforcement matters most.").parent == question


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": ""}, "body", "Please write your comment."),
        ({"body": "   \n  "}, "body", "Please write your comment."),
        ({"body": "x" * 5001}, "body", "5001 characters long; the limit is 5000"),
        ({"name": ""}, "name", "Please give a name"),
        ({"email": "not-an-address"}, "email", "Please check your e-mail address"),
        ({"website": "javascript:alert(1)"}, "website", "Please check the website address"),
        ({"name": "n" * 81}, "name", "Please shorten your name"),
        ({"body": "Null \x00 character"}, "body", "Null characters are not allowed."),
    ],
)
def test_a_bad_submission_comes_back_with_a_clear_error_and_the_text_kept(
    client, post, fields, field, message
):
    """Empty, oversized and malformed input: an explained error tied to its field."""
    sent = form_data(post, **{"body": "My carefully written thoughts.", **fields})
    response = client.post(form_url(post), sent)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert f'id="comment-{field}-error"' in html
    field_tag = re.search(rf'<(?:input|textarea)[^>]*name="{field}"[^>]*>', html).group(0)
    assert f"comment-{field}-error" in field_tag and 'aria-invalid="true"' in field_tag
    assert "Please check your comment" in html  # the error summary
    if field != "body":
        assert "My carefully written thoughts." in html
    elif len(fields["body"]) > 100:
        assert "x" * 5001 in html  # the oversized text is kept for the reader to shorten
    assert Comment.objects.count() == 0


def test_a_flood_from_one_address_gets_a_friendly_429(client, post, settings):
    settings.DESPATCH_COMMENTS_RATE_LIMITS = {"ip": [(3, 60)], "email": [(100, 60)]}
    statuses = [
        submit(
            client, post, body=f"Comment number {n} on the review.", email=f"r{n}@x.example"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    response = submit(client, post, body="My words, kept for later.")
    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Please wait a moment" in html
    assert "My words, kept for later." in html
    assert Comment.objects.count() == 3


def test_a_missing_csrf_token_gets_the_friendly_403(post):
    client = Client(enforce_csrf_checks=True)
    response = client.post(form_url(post), form_data(post))
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_closed_post_shows_the_notice_instead_of_the_form(client, post):
    CommentClosure.objects.create(post=post, note="Comments on this post are closed.")
    page = client.get(form_url(post)).content.decode()
    assert "Comments on this post are closed." in page and 'name="body"' not in page
    response = submit(client, post)
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_unpublished_posts_have_no_comment_form(client, post):
    from despatch.posts.models import Post

    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    assert client.get(form_url(post)).status_code == 404


def test_the_queue_asks_readers_to_sign_in_and_refuses_other_staff(client, post):
    queue = reverse("conversations:queue")
    response = client.get(queue)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    sign_in(client, make_user(is_staff=True))
    assert client.get(queue).status_code == 403
    assert client.post(queue, {"action": "approve", "selected": ["1"]}).status_code == 403


def test_the_queue_lists_pending_comments_oldest_first_with_reasons(moderator_client, post):
    from datetime import timedelta

    from django.utils import timezone

    newer = make_comment(post, status=Status.PENDING, body="The newer comment.")
    older = make_comment(
        post,
        status=Status.PENDING,
        body="The older comment.",
        submitted_at=timezone.now() - timedelta(days=1),
        spam_score=0.64,
        spam_reasons=[{"rule": "links", "weight": 0.64, "detail": "4"}],
    )
    make_comment(post, status=Status.APPROVED, body="Already published.")
    html = moderator_client.get(reverse("conversations:queue")).content.decode()
    assert html.index("The older comment.") < html.index("The newer comment.")
    assert "Already published." not in html
    assert "Too many links (4)" in html and "0.64" in html
    assert re.search(r"Pending\s*<span[^>]*>2</span>", html)
    assert re.search(r"Approved\s*<span[^>]*>1</span>", html)
    assert f'value="approve:{older.pk}"' in html and f'value="approve:{newer.pk}"' in html


def test_single_and_bulk_decisions_from_the_queue(moderator_client, moderator, post):
    first, second, third = (make_comment(post, status=Status.PENDING) for _ in range(3))
    queue = reverse("conversations:queue")
    response = moderator_client.post(queue, {"action": f"approve:{first.pk}", "next": queue})
    assert response.status_code == 302
    moderator_client.post(
        queue, {"action": "reject", "rule": "2", "selected": [str(second.pk), str(third.pk)]}
    )
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.APPROVED,
        second.pk: Status.REJECTED,
        third.pk: Status.REJECTED,
    }
    assert ModerationLogEntry.objects.filter(actor=moderator).count() == 3


def test_rejecting_without_a_rule_is_refused_with_a_message(moderator_client, post):
    comment = make_comment(post, status=Status.PENDING)
    queue = reverse("conversations:queue")
    response = moderator_client.post(queue, {"action": f"reject:{comment.pk}"}, follow=True)
    assert "Choose the house rule" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    moderator_client.post(queue, {"action": f"reject:{comment.pk}", f"rule-{comment.pk}": "4"})
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED and comment.rejection_rule == "4"


def test_keyset_pages_cover_every_comment_exactly_once(moderator_client, post):
    """Walking "Newer" links from the first page visits each pending comment once, and
    "Older" leads back."""
    from datetime import timedelta

    from django.utils import timezone

    same_moment = timezone.now() - timedelta(hours=1)
    made = {
        make_comment(post, status=Status.PENDING, submitted_at=same_moment).pk for _ in range(30)
    }
    made |= {make_comment(post, status=Status.PENDING).pk for _ in range(31)}
    seen: list[int] = []
    url = reverse("conversations:queue") + "?status=pending"
    pages = 0
    while url:
        html = moderator_client.get(url).content.decode()
        seen += [int(pk) for pk in re.findall(r'id="queue-(\d+)"', html)]
        following = re.search(r'rel="next" href="([^"]+)"', html)
        url = (
            reverse("conversations:queue") + following.group(1).replace("&amp;", "&")
            if following
            else ""
        )
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    assert 'rel="prev"' in html
    back = re.search(r'rel="prev" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    previous_page = moderator_client.get(reverse("conversations:queue") + back).content.decode()
    assert [int(pk) for pk in re.findall(r'id="queue-(\d+)"', previous_page)] == seen[25:50]


def test_a_broken_cursor_means_the_first_page(moderator_client, post):
    make_comment(post, status=Status.PENDING)
    response = moderator_client.get(reverse("conversations:queue") + "?after=%%%&before=zz")
    assert response.status_code == 200
    assert QueueCursor.decode("not base64!") is None


def test_the_network_switch_is_for_administrators(client, moderator_client, post):
    switch = reverse("conversations:network-switch")
    assert moderator_client.post(switch, {"close": "1"}).status_code == 403
    admin = make_user(is_superuser=True, is_staff=True)
    sign_in(client, admin)
    assert (
        "Close comments across the network"
        in client.get(reverse("conversations:queue")).content.decode()
    )
    client.post(switch, {"close": "1", "note": "Closed for the election."})
    assert "Closed for the election." in client.get(form_url(post)).content.decode()
    client.post(switch)
    assert 'name="body"' in client.get(form_url(post)).content.decode()


def test_unsubscribe_asks_on_get_and_acts_on_post(client, post):
    from despatch.conversations.tasks import unsubscribe_token

    comment = make_comment(post, author_email="asker@readers.example", notify_on_reply=True)
    url = reverse(
        "conversations:unsubscribe", kwargs={"token": unsubscribe_token("Asker@readers.example")}
    )
    assert client.get(url).status_code == 200
    comment.refresh_from_db()
    assert comment.notify_on_reply
    # One-click unsubscribe from a mail client: a POST with no CSRF token.
    response = Client(enforce_csrf_checks=True).post(url)
    assert response.status_code == 200
    comment.refresh_from_db()
    assert not comment.notify_on_reply
    bad = reverse("conversations:unsubscribe", kwargs={"token": "forged"})
    assert client.get(bad).status_code == 404
