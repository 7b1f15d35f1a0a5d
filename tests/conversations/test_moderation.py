"""The moderation rules: the lifecycle, who moderates, when comments are open, and
what a new comment becomes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from despatch.conversations import moderation
from despatch.conversations.models import BlogCommentPolicy, Comment, CommentClosure
from despatch.conversations.spam import SpamAssessment
from tests.factories import days_ago, make_blog, make_post, make_user

from .conftest import make_comment

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.mark.parametrize(
    ("start", "allowed"),
    [
        (Status.PENDING, {Status.APPROVED, Status.REJECTED, Status.SPAM}),
        (Status.APPROVED, {Status.REJECTED, Status.SPAM}),
        (Status.SPAM, {Status.APPROVED, Status.REJECTED}),
        (Status.REJECTED, {Status.APPROVED, Status.SPAM}),
    ],
)
def test_transitions_map(post, moderator, start, allowed):
    """Decisions can be revised, but nothing goes back to pending or to where it is."""
    for target in Status:
        comment = make_comment(post, status=start)
        if target in allowed:
            previous = comment.transition_to(target, by=moderator, rule="2")
            assert previous == start and comment.status == target
        else:
            with pytest.raises(ValidationError):
                comment.transition_to(target, by=moderator, rule="2")


def test_rejection_needs_a_house_rule(post, moderator):
    comment = make_comment(post, status=Status.PENDING)
    with pytest.raises(ValidationError):
        comment.transition_to(Status.REJECTED, by=moderator)
    comment.transition_to(Status.REJECTED, by=moderator, rule="5")
    assert comment.house_rule.url.endswith("/house-rules/#rule-5")


def test_response_time_is_measured_from_submission_to_the_first_human_decision(post, moderator):
    comment = make_comment(
        post, status=Status.PENDING, submitted_at=timezone.now() - timedelta(hours=3)
    )
    comment.transition_to(Status.APPROVED, by=moderator)
    assert 3 * 3600 - 5 <= comment.response_seconds <= 3 * 3600 + 5
    comment.transition_to(Status.SPAM, by=moderator)
    assert comment.response_seconds <= 3 * 3600 + 5  # the first decision counts, not a revision


def test_median_response_time_over_recent_decisions(post):
    assert moderation.median_response_time() is None
    for seconds in (60, 600, 7200):
        make_comment(post, response_seconds=seconds, decided_at=timezone.now())
    assert moderation.median_response_time() == timedelta(seconds=600)


def test_who_moderates(moderator):
    """The Moderators group and superusers moderate; other staff and anonymous users do not."""
    from django.contrib.auth.models import AnonymousUser

    assert moderation.can_moderate(moderator)
    assert moderation.can_moderate(make_user(is_superuser=True))
    assert not moderation.can_moderate(make_user(is_staff=True))
    assert not moderation.can_moderate(AnonymousUser())
    assert not moderation.can_moderate(make_user(is_superuser=True, is_active=False))


def test_moderators_to_notify_are_the_group_not_every_superuser(moderator, post):
    make_user(is_superuser=True, email="root@team.example")
    make_user(username="nomail", email="").groups.add(*moderator.groups.all())
    assert list(moderation.moderators_to_notify(post.blog_id)) == [moderator]


def test_a_blogs_own_moderators_are_notified_but_not_another_blogs(moderator, post):
    from despatch.accounts.models import Membership, Role

    own = make_user(username="own", email="own@team.example")
    Membership.objects.create(user=own, blog=post.blog, role=Role.MODERATOR)
    elsewhere = make_user(username="elsewhere", email="elsewhere@team.example")
    other_blog = make_blog(slug="elsewhere")
    Membership.objects.create(user=elsewhere, blog=other_blog, role=Role.MODERATOR)
    editor = make_user(username="editor", email="editor@team.example")
    Membership.objects.create(user=editor, blog=post.blog, role=Role.EDITOR)

    assert set(moderation.moderators_to_notify(post.blog_id)) == {moderator, own}
    assert set(moderation.moderators_to_notify(other_blog.pk)) == {moderator, elsewhere}


def test_badges_need_a_signed_in_account(post, author_user):
    """The post's author is "Author", other staff "Official", everyone else nothing."""
    from django.contrib.auth.models import AnonymousUser

    assert moderation.badge_for(author_user, post) == Comment.Badge.AUTHOR
    assert moderation.badge_for(make_user(is_staff=True), post) == Comment.Badge.OFFICIAL
    assert moderation.badge_for(make_user(), post) == Comment.Badge.NONE
    assert moderation.badge_for(AnonymousUser(), post) == Comment.Badge.NONE


def test_comments_are_open_by_default(post):
    assert moderation.comments_state_for(post).is_open


def test_a_closure_on_the_post_on_the_blog_or_on_the_network_closes_the_form(post):
    other = make_post(blog=post.blog)
    elsewhere = make_post()
    closure = CommentClosure.objects.create(post=post)
    assert not moderation.comments_state_for(post).is_open
    assert moderation.comments_state_for(other).is_open
    closure.delete()

    CommentClosure.objects.create(blog=post.blog, note="Closed while we move house.")
    state = moderation.comments_state_for(other)
    assert not state.is_open and state.notice == "Closed while we move house."
    assert moderation.comments_state_for(elsewhere).is_open

    CommentClosure.objects.create(note="Closed during the election period.")
    assert moderation.comments_state_for(elsewhere).notice == "Closed during the election period."
    # The network-wide switch speaks first, even where the blog has its own closure.
    assert moderation.comments_state_for(other).notice == "Closed during the election period."


def test_closures_apply_only_while_in_force(post):
    CommentClosure.objects.create(starts_at=days_ago(10), ends_at=days_ago(2))
    CommentClosure.objects.create(starts_at=timezone.now() + timedelta(days=1))
    assert moderation.comments_state_for(post).is_open


def test_comments_close_n_days_after_publication_when_the_blog_says_so(post):
    BlogCommentPolicy.objects.create(blog=post.blog, close_after_days=30)
    fresh = make_post(blog=post.blog, published_at=days_ago(29))
    old = make_post(blog=post.blog, published_at=days_ago(31))
    assert moderation.comments_state_for(fresh).is_open
    state = moderation.comments_state_for(old)
    assert not state.is_open and "30 days" in state.notice


def test_drafts_take_no_comments(post):
    from despatch.posts.models import Post

    draft = make_post(blog=post.blog, status=Post.Status.DRAFT)
    assert not moderation.comments_state_for(draft).is_open


def test_pre_moderation_holds_everything_by_default(post):
    clean = SpamAssessment(score=0.0)
    status = moderation.initial_status(
        assessment=clean, policy=None, trusted_commenter=True, badge=""
    )
    assert status == Status.PENDING


def test_a_trusting_blog_publishes_known_clean_commenters_at_once(post):
    policy = BlogCommentPolicy(blog=post.blog, moderation=BlogCommentPolicy.Moderation.TRUST_KNOWN)
    clean, doubtful = SpamAssessment(score=0.1), SpamAssessment(score=0.6)
    assert (
        moderation.initial_status(assessment=clean, policy=policy, trusted_commenter=True, badge="")
        == Status.APPROVED
    )
    assert (
        moderation.initial_status(
            assessment=clean, policy=policy, trusted_commenter=False, badge=""
        )
        == Status.PENDING
    )
    assert (
        moderation.initial_status(
            assessment=doubtful, policy=policy, trusted_commenter=True, badge=""
        )
        == Status.PENDING
    )


def test_certain_spam_goes_to_the_spam_tab_and_officials_are_published():
    assert (
        moderation.initial_status(
            assessment=SpamAssessment(score=0.95), policy=None, trusted_commenter=False, badge=""
        )
        == Status.SPAM
    )
    assert (
        moderation.initial_status(
            assessment=SpamAssessment(score=0.0),
            policy=None,
            trusted_commenter=False,
            badge="author",
        )
        == Status.APPROVED
    )


def test_trust_needs_an_approved_comment_and_no_spam(post):
    make_comment(post, author_email="known@readers.example")
    assert moderation.is_trusted_commenter("Known@Readers.example")
    make_comment(
        post, author_email="known@readers.example", status=Status.SPAM, body="spam text here"
    )
    assert not moderation.is_trusted_commenter("known@readers.example")
    assert not moderation.is_trusted_commenter("stranger@readers.example")
