"""Review before publish (W3): draft → in review → approved → scheduled or published, and back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from despatch.accounts.models import AuditLogEntry
from despatch.posts import lifecycle
from despatch.posts.admin import PostAdmin
from despatch.posts.models import Post, ReviewComment
from despatch.posts.publishing import post_publish
from tests.factories import make_post

from .conftest import Team

pytestmark = pytest.mark.django_db


def editor_url(post: Post) -> str:
    return reverse("studio:post-edit", kwargs={"pk": post.pk})


def draft_by(team: Team, user, **fields) -> Post:
    fields.setdefault("body_source", "A paragraph about the treaty.")
    return make_post(blog=team.blog, author=user.author_profile, status=Post.Status.DRAFT, **fields)


def test_the_whole_review_round_trip(team: Team, django_capture_on_commit_callbacks) -> None:
    """A contributor submits; the editor asks for changes; the contributor revises and resubmits;
    the editor approves and publishes; the author sees every comment on the way."""
    post = draft_by(team, team.contributor)
    contributor, editor = team.client("contributor"), team.client("editor")

    with django_capture_on_commit_callbacks(execute=True):
        contributor.post(editor_url(post), {"action": "submit"})
    assert Post.objects.get(pk=post.pk).status == Post.Status.IN_REVIEW
    assert any("For review" in message.subject for message in mail.outbox)

    editor.post(editor_url(post), {"action": "request_changes", "comment": "Name the treaty."})
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT
    page = contributor.get(editor_url(post))
    assert "Name the treaty." in page.content.decode()

    post.refresh_from_db()
    contributor.post(
        editor_url(post),
        {
            "action": "submit",
            "title": post.title,
            "body_source": "About the Arms Trade Treaty.",
            "version": post.version,
        },
    )
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    assert post.body_source == "About the Arms Trade Treaty."

    editor.post(editor_url(post), {"action": "approve", "comment": "Good to go."})
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED
    editor.post(editor_url(post), {"action": "publish", "publish_at": ""})
    post.refresh_from_db()
    assert post.is_live
    assert list(ReviewComment.objects.filter(post=post).values_list("body", flat=True)) == [
        "Name the treaty.",
        "Good to go.",
    ]
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.PUBLISH, subject_id=str(post.pk)
    ).exists()


def test_submission_is_refused_while_a_picture_has_no_description(team: Team) -> None:
    """Nothing goes to review with an image lacking alt text or a video lacking a transcript."""
    post = draft_by(
        team,
        team.contributor,
        body_source="![](/media/x.jpg)\n\n```video\nhttps://youtu.be/abcdefghijk\n```",
    )
    response = team.client("contributor").post(editor_url(post), {"action": "submit"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Describe the picture /media/x.jpg" in text
    assert "Add a transcript under the video" in text
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT


def test_a_status_field_slipped_into_the_form_changes_nothing(team: Team) -> None:
    """Tampering: the form has no status field, so posting one is ignored."""
    post = draft_by(team, team.contributor)
    team.client("contributor").post(
        editor_url(post),
        {
            "action": "save",
            "title": "Mine",
            "body_source": "Text.",
            "version": post.version,
            "status": "published",
            "published_at": "2020-01-01T00:00",
        },
    )
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert post.title == "Mine"


def test_an_author_without_publish_rights_cannot_publish_by_any_route(team: Team) -> None:
    """View, a forged button, the service itself and the admin all refuse."""
    post = draft_by(team, team.author)
    post.status = Post.Status.APPROVED
    post.save()

    response = team.client("author").post(editor_url(post), {"action": "publish"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        post_publish(post=post, by=team.author)

    team.author.is_staff = True
    team.author.save()
    request = RequestFactory().post("/admin/posts/post/")
    request.user = team.author
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()
    PostAdmin(Post, site).publish_now(request, Post.objects.filter(pk=post.pk))
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED


def test_scheduling_shows_the_time_and_keeps_the_post_private_until_then(
    team: Team, client: Client
) -> None:
    """An editor schedules; the studio says "scheduled for …"; readers see nothing till then."""
    post = draft_by(team, team.editor, title="Tomorrow's news")
    when = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = team.client("editor").post(
        editor_url(post),
        {"action": "publish", "publish_at": when.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    assert post.published_at == when
    assert "Scheduled for" in response.content.decode()
    assert client.get(post.get_absolute_url()).status_code == 404


def test_a_time_in_the_past_is_refused(team: Team) -> None:
    post = draft_by(team, team.editor)
    response = team.client("editor").post(
        editor_url(post), {"action": "publish", "publish_at": "2001-01-01T10:00"}
    )
    assert response.status_code == 400
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT


def test_an_approved_post_changed_by_its_author_goes_back_to_review(team: Team) -> None:
    """An approval covers the text that was approved."""
    post = draft_by(team, team.author)
    post.status = Post.Status.APPROVED
    post.save()
    lifecycle.post_save(
        post=post,
        by=team.author,
        changes=lifecycle.PostChanges(title="New", body_source="Changed."),
        base_version=post.version,
    )
    assert Post.objects.get(pk=post.pk).status == Post.Status.IN_REVIEW


def test_steps_the_lifecycle_does_not_have_are_refused(team: Team) -> None:
    """A published post cannot be "submitted"; only its own steps exist."""
    post = make_post(blog=team.blog, author=team.editor.author_profile)
    with pytest.raises(ValidationError):
        lifecycle.post_submit(post=post, by=team.editor)
    with pytest.raises(ValidationError):
        post.transition_to(Post.Status.APPROVED)


def test_unpublishing_is_logged_and_takes_the_post_down(team: Team, client: Client) -> None:
    post = make_post(blog=team.blog, author=team.author.author_profile)
    assert client.get(post.get_absolute_url()).status_code == 200
    team.client("editor").post(editor_url(post), {"action": "unpublish"})
    assert client.get(post.get_absolute_url()).status_code == 404
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.UNPUBLISH, actor=team.editor
    ).exists()


def test_the_next_step_is_the_primary_button(team: Team) -> None:
    """A contributor's draft offers "Submit for review"; an editor's review offers "Approve"."""
    post = draft_by(team, team.contributor)
    page = team.client("contributor").get(editor_url(post)).content.decode()
    assert 'value="submit" class="button--primary"' in page
    post.status = Post.Status.IN_REVIEW
    post.save()
    page = team.client("editor").get(editor_url(post)).content.decode()
    assert 'value="approve" class="button--primary"' in page
