"""Private preview links (W3): signed, expiring, readable without an account; else a 404."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from despatch.posts.models import Post
from despatch.posts.previews import preview_token
from tests.factories import make_post

from .conftest import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(team: Team) -> Post:
    return make_post(
        blog=team.blog,
        author=team.contributor.author_profile,
        status=Post.Status.DRAFT,
        title="Not out yet",
        body_source="Our *draft* position.",
    )


def test_an_author_shares_a_link_that_works_without_an_account(
    team: Team, draft: Post, client: Client
) -> None:
    page = team.client("contributor").post(reverse("studio:post-share", kwargs={"pk": draft.pk}))
    url = re.search(r'value="(http[^"]+/studio/preview/[^"]+)"', page.content.decode()).group(1)
    response = client.get(url.replace("http://testserver", ""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not out yet" in html and "<em>draft</em>" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_forged_link_is_a_404(draft: Post, client: Client) -> None:
    forged = signing.dumps({"post": draft.pk}, salt="another purpose")
    assert client.get(reverse("studio:preview-link", kwargs={"token": forged})).status_code == 404
    assert (
        client.get(reverse("studio:preview-link", kwargs={"token": "nonsense"})).status_code == 404
    )


def test_an_altered_link_is_a_404(draft: Post, client: Client) -> None:
    token = preview_token(draft)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("studio:preview-link", kwargs={"token": altered})).status_code == 404


def test_an_expired_link_is_a_404(draft: Post, client: Client, settings) -> None:
    token = preview_token(draft)
    url = reverse("studio:preview-link", kwargs={"token": token})
    assert client.get(url).status_code == 200
    with mock.patch(
        "django.core.signing.time.time", return_value=signing.time.time() + 8 * 24 * 3600
    ):
        assert client.get(url).status_code == 404


def test_a_link_to_a_deleted_post_is_a_404(draft: Post, client: Client) -> None:
    url = reverse("studio:preview-link", kwargs={"token": preview_token(draft)})
    Post.objects.filter(pk=draft.pk).delete()
    assert client.get(url).status_code == 404


def test_only_people_who_may_see_the_post_can_make_a_link(team: Team, draft: Post) -> None:
    response = team.client("other_author").post(
        reverse("studio:post-share", kwargs={"pk": draft.pk})
    )
    assert response.status_code == 404
