"""Submitting and moderating comments keep everything that depends on them in step."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from despatch.conversations import services
from despatch.conversations.models import (
    BlockedTerm,
    BlogCommentPolicy,
    Comment,
    CommentClosure,
    ModerationLogEntry,
)
from despatch.conversations.services import CommentDraft, comment_moderate, comment_submit
from despatch.conversations.spam import Rule
from despatch.posts.models import Post
from tests.factories import make_user

from .conftest import make_comment

pytestmark = pytest.mark.django_db

Status = Comment.Status


def draft(**fields):
    defaults = {
        "name": "Hannah Okafor",
        "email": "Hannah@Readers.example",
        "body": "Thank you for explaining the review so clearly.",
        "seconds_to_fill": 30.0,
    }
    return CommentDraft(**{**defaults, **fields})


def count(post):
    return Post.objects.get(pk=post.pk).approved_comment_count


def test_a_readers_comment_waits_in_the_queue(post):
    comment = comment_submit(post=post, draft=draft(), ip_address="203.0.113.9")
    assert comment.status == Status.PENDING
    assert comment.author_email == "hannah@readers.example"
    assert comment.ip_address == "203.0.113.9"
    assert comment.blog_id == post.blog_id
    assert count(post) == 0


def test_the_same_comment_sent_twice_is_stored_once(post):
    """A double-click or a resent form returns the first comment."""
    first = comment_submit(post=post, draft=draft(), ip_address=None)
    again = comment_submit(
        post=post,
        draft=draft(body=" thank you for explaining the review so CLEARLY "),
        ip_address=None,
    )
    assert again.pk == first.pk
    assert Comment.objects.count() == 1


def test_the_same_long_text_from_someone_else_is_flagged_as_a_copy(post):
    comment_submit(post=post, draft=draft(), ip_address=None)
    copy = comment_submit(post=post, draft=draft(email="other@readers.example"), ip_address=None)
    assert Rule.DUPLICATE in {reason["rule"] for reason in copy.spam_reasons}


def test_obvious_spam_is_stored_in_the_spam_tab_with_its_reasons(post):
    BlockedTerm.objects.get_or_create(term="casino")
    comment = comment_submit(
        post=post,
        draft=draft(
            body="Best casino https://a.example https://b.example https://c.example",
            honeypot="filled",
            seconds_to_fill=0.2,
        ),
        ip_address=None,
    )
    assert comment.status == Status.SPAM
    assert comment.spam_score >= 0.9
    rules = {reason["rule"] for reason in comment.spam_reasons}
    assert {Rule.HONEYPOT, Rule.TOO_FAST, Rule.LINKS, Rule.BLOCKED_WORD} <= rules
    entry = ModerationLogEntry.objects.get(comment=comment)
    assert entry.actor is None and entry.to_status == Status.SPAM


def test_a_trusting_blog_publishes_a_known_commenter_at_once(post):
    BlogCommentPolicy.objects.create(
        blog=post.blog, moderation=BlogCommentPolicy.Moderation.TRUST_KNOWN
    )
    make_comment(post, author_email="hannah@readers.example", body="An earlier approved comment.")
    comment = comment_submit(post=post, draft=draft(), ip_address=None)
    assert comment.status == Status.APPROVED
    assert count(post) == 2


def test_the_authors_reply_is_badged_published_and_threaded_one_level(post, author_user):
    question = make_comment(post)
    answer = make_comment(post, parent=question, body="An earlier reply.")
    reply = comment_submit(
        post=post,
        draft=draft(
            name="Jane Porter", email=author_user.email, parent=answer, body="Thank you, yes."
        ),
        ip_address=None,
        user=author_user,
    )
    assert reply.status == Status.APPROVED
    assert reply.badge == Comment.Badge.AUTHOR
    assert reply.parent_id == question.pk  # a reply to a reply answers the comment


def test_closed_comments_refuse_new_ones(post):
    CommentClosure.objects.create(note="Closed for the election.")
    with pytest.raises(services.CommentsClosed) as closed:
        comment_submit(post=post, draft=draft(), ip_address=None)
    assert closed.value.notice == "Closed for the election."


def test_too_many_comments_from_one_address_are_refused(post, settings):
    settings.DESPATCH_COMMENTS_RATE_LIMITS = {"ip": [(100, 60)], "email": [(2, 60)]}
    for number in range(2):
        comment_submit(
            post=post, draft=draft(body=f"Comment {number} about the review."), ip_address=None
        )
    with pytest.raises(services.RateLimited) as limited:
        comment_submit(post=post, draft=draft(body="A third comment."), ip_address=None)
    assert 0 < limited.value.retry_after <= 61


def test_moderation_keeps_the_post_count_and_the_log_in_step(post, moderator):
    comments = [make_comment(post, status=Status.PENDING) for _ in range(3)]
    result = comment_moderate(
        comment_ids=[c.pk for c in comments], to=Status.APPROVED, by=moderator
    )
    assert len(result.changed) == 3
    assert count(post) == 3

    comment_moderate(comment_ids=[comments[0].pk], to=Status.REJECTED, by=moderator, rule="2")
    comment_moderate(comment_ids=[comments[1].pk], to=Status.SPAM, by=moderator)
    assert count(post) == 1

    log = list(ModerationLogEntry.objects.order_by("id"))
    assert [entry.action for entry in log] == ["approve"] * 3 + ["reject", "spam"]
    assert all(entry.actor == moderator for entry in log)
    assert log[3].rule == "2" and log[3].from_status == Status.APPROVED


def test_deciding_twice_changes_nothing_the_second_time(post, moderator):
    comment = make_comment(post, status=Status.PENDING)
    comment_moderate(comment_ids=[comment.pk], to=Status.APPROVED, by=moderator)
    again = comment_moderate(comment_ids=[comment.pk], to=Status.APPROVED, by=moderator)
    assert again.changed == [] and len(again.unchanged) == 1
    assert count(post) == 1


def test_only_moderators_moderate(post):
    comment = make_comment(post, status=Status.PENDING)
    with pytest.raises(PermissionDenied):
        comment_moderate(comment_ids=[comment.pk], to=Status.APPROVED, by=make_user(is_staff=True))


def test_a_new_comment_emails_the_author_and_the_moderators(
    post, moderator, author_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_submit(post=post, draft=draft(), ip_address=None)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([author_user.email, moderator.email])
    assert "Closing the treaty conference" in mail.outbox[0].subject
    assert "Thank you for explaining" in mail.outbox[0].body


def test_spam_emails_nobody(post, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment_submit(post=post, draft=draft(honeypot="x", seconds_to_fill=None), ip_address=None)
    assert mail.outbox == []


def test_an_approved_reply_emails_the_commenter_who_asked_with_an_unsubscribe_link(
    post, moderator, django_capture_on_commit_callbacks
):
    question = make_comment(post, author_email="asker@readers.example", notify_on_reply=True)
    quiet = make_comment(post, author_email="quiet@readers.example", notify_on_reply=False)
    reply = make_comment(post, parent=question, status=Status.PENDING, body="Here is an answer.")
    other = make_comment(post, parent=quiet, status=Status.PENDING, body="Another answer.")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment_ids=[reply.pk, other.pk], to=Status.APPROVED, by=moderator)
    assert [message.to for message in mail.outbox] == [["asker@readers.example"]]
    message = mail.outbox[0]
    assert "Here is an answer." in message.body
    assert "/comments/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_network_switch_closes_and_reopens_every_form(post, moderator):
    admin = make_user(is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.comments_close_network(by=moderator)
    services.comments_close_network(by=admin, note="Election period.")
    services.comments_close_network(by=admin)  # already closed: nothing new
    assert CommentClosure.objects.in_force().network_wide().count() == 1
    assert services.comments_reopen_network(by=admin) == 1
    assert CommentClosure.objects.in_force().count() == 0
    assert CommentClosure.objects.count() == 1  # kept on record
    actions = list(ModerationLogEntry.objects.values_list("action", flat=True).order_by("id"))
    assert actions == ["close", "reopen"]


def test_approving_marks_cached_pages_of_the_post_stale(
    post, moderator, django_capture_on_commit_callbacks
):
    from despatch.core import surrogates

    keys = [
        f"post-{post.pk}-comments",
        f"blog-{post.blog_id}-comments",
        "comments",
        f"post-{post.pk}",
    ]
    before = surrogates.current_versions(keys)
    comment = make_comment(post, status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment_ids=[comment.pk], to=Status.APPROVED, by=moderator)
    after = surrogates.current_versions(keys)
    assert all(before[key] != after[key] for key in keys)
