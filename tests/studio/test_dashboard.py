"""The dashboard: each person lands on what needs them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from despatch.posts.models import Post
from tests.factories import make_post

from .conftest import Team

pytestmark = pytest.mark.django_db


def test_a_contributor_sees_their_drafts_and_what_is_in_review(team: Team) -> None:
    make_post(
        blog=team.blog,
        author=team.contributor.author_profile,
        status=Post.Status.DRAFT,
        title="My draft",
    )
    make_post(
        blog=team.blog,
        author=team.contributor.author_profile,
        status=Post.Status.IN_REVIEW,
        title="Sent off",
    )
    make_post(
        blog=team.blog,
        author=team.author.author_profile,
        status=Post.Status.DRAFT,
        title="Not mine",
    )
    html = team.client("contributor").get(reverse("studio:dashboard")).content.decode()
    assert "My draft" in html and "Sent off" in html
    assert "Not mine" not in html
    assert "Waiting for your review" not in html


def test_an_editor_sees_submissions_waiting_and_what_is_scheduled(team: Team) -> None:
    make_post(
        blog=team.blog,
        author=team.contributor.author_profile,
        status=Post.Status.IN_REVIEW,
        title="Please review",
    )
    make_post(
        blog=team.blog,
        author=team.author.author_profile,
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=2),
        title="Goes out Friday",
    )
    make_post(
        blog=team.other_blog,
        author=team.other_editor.author_profile,
        status=Post.Status.IN_REVIEW,
        title="Someone else's blog",
    )
    html = team.client("editor").get(reverse("studio:dashboard")).content.decode()
    review = html[html.index("Waiting for your review") :]
    assert "Please review" in review
    assert "Goes out Friday" in html and "scheduled for" in html
    assert "Someone else&#x27;s blog" not in html


def test_a_moderator_sees_the_comments_waiting(team: Team) -> None:
    html = team.client("moderator").get(reverse("studio:dashboard")).content.decode()
    assert "Comments awaiting moderation" in html
    assert "Write a post" not in html


def test_a_moderator_by_role_reaches_the_moderation_queue(team: Team) -> None:
    """The moderator role brings the moderation permission that the queue asks for."""
    client = team.client("moderator")
    html = client.get(reverse("studio:dashboard")).content.decode()
    queue = reverse("conversations:queue")
    assert f'href="{queue}"' in html
    assert client.get(queue).status_code == 200
    assert team.client("contributor").get(queue).status_code in {302, 403, 404}
