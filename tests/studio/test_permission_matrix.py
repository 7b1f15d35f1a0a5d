"""The permission matrix (W1): every role × every action × own, another's and another blog's post,
through the real views. The expected answers are written out here, not asked of the code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from despatch.posts.lifecycle import PostChanges, post_save
from despatch.posts.models import Post, PublishingPolicy, ReviewComment
from tests.factories import make_post

from .conftest import Team, sign_in

pytestmark = pytest.mark.django_db

ROLES = [
    "contributor",
    "author",
    "self_publishing_author",
    "editor",
    "moderator",
    "admin",
    "other_editor",
    "anonymous",
]
OWNERSHIP = ["own", "others", "other_blog"]
WRITER_STEPS = {"view", "edit", "submit", "withdraw", "comment", "share", "restore"}
EVERYTHING = WRITER_STEPS | {"approve", "request_changes", "publish", "unpublish", "feature"}


def expected(role: str, ownership: str) -> set[str]:
    """What each role may do, by the product brief (W1)."""
    if role == "admin":
        return EVERYTHING
    if ownership == "other_blog" or role in {"moderator", "other_editor", "anonymous"}:
        return set()
    if role == "editor":
        return EVERYTHING
    if ownership == "others":
        return set()
    if role == "self_publishing_author":
        return WRITER_STEPS | {"publish", "unpublish"}
    return WRITER_STEPS  # contributor, and an author on a blog that reviews every post


def status_of(post: Post) -> str:
    return Post.objects.values_list("status", flat=True).get(pk=post.pk)


def step(action: str) -> Callable[..., dict[str, Any]]:
    """Post one lifecycle step, as the editor's buttons do."""

    def run(client: Client, post: Post) -> dict[str, Any]:
        data = {"action": action, "comment": "Please tighten the second paragraph."}
        response = client.post(reverse("studio:post-edit", kwargs={"pk": post.pk}), data)
        return {"response": response}

    return run


# For each action: the status the post starts in, how to attempt it, and how to tell it happened.
def _edit(client: Client, post: Post) -> dict[str, Any]:
    data = {
        "action": "save",
        "title": "Changed title",
        "body_source": "New text.",
        "version": post.version,
    }
    return {"response": client.post(reverse("studio:post-edit", kwargs={"pk": post.pk}), data)}


def _comment(client: Client, post: Post) -> dict[str, Any]:
    url = reverse("studio:post-review", kwargs={"pk": post.pk})
    return {"response": client.post(url, {"body": "A thought."})}


def _view(client: Client, post: Post) -> dict[str, Any]:
    return {"response": client.get(reverse("studio:post-edit", kwargs={"pk": post.pk}))}


def _share(client: Client, post: Post) -> dict[str, Any]:
    return {"response": client.post(reverse("studio:post-share", kwargs={"pk": post.pk}))}


def _feature(client: Client, post: Post) -> dict[str, Any]:
    url = reverse("studio:best-bits", kwargs={"blog_slug": post.blog.slug})
    return {"response": client.post(url, {"action": "add", "post": post.pk})}


def _restore(client: Client, post: Post) -> dict[str, Any]:
    url = reverse("studio:post-restore", kwargs={"pk": post.pk, "number": 1})
    return {"response": client.post(url, {"version": post.version})}


ACTIONS: dict[str, tuple[str, Callable[..., dict[str, Any]], Callable[[Post], bool]]] = {
    "view": (Post.Status.DRAFT, _view, lambda post: True),
    "edit": (
        Post.Status.DRAFT,
        _edit,
        lambda post: Post.objects.get(pk=post.pk).title == "Changed title",
    ),
    "submit": (
        Post.Status.DRAFT,
        step("submit"),
        lambda post: status_of(post) == Post.Status.IN_REVIEW,
    ),
    "withdraw": (
        Post.Status.IN_REVIEW,
        step("withdraw"),
        lambda post: status_of(post) == Post.Status.DRAFT,
    ),
    "comment": (
        Post.Status.IN_REVIEW,
        _comment,
        lambda post: ReviewComment.objects.filter(post=post).exists(),
    ),
    "approve": (
        Post.Status.IN_REVIEW,
        step("approve"),
        lambda post: status_of(post) == Post.Status.APPROVED,
    ),
    "request_changes": (
        Post.Status.IN_REVIEW,
        step("request_changes"),
        lambda post: status_of(post) == Post.Status.DRAFT,
    ),
    "publish": (
        Post.Status.APPROVED,
        step("publish"),
        lambda post: status_of(post) == Post.Status.PUBLISHED,
    ),
    "unpublish": (
        Post.Status.PUBLISHED,
        step("unpublish"),
        lambda post: status_of(post) == Post.Status.DRAFT,
    ),
    "share": (Post.Status.DRAFT, _share, lambda post: True),
    "feature": (
        Post.Status.PUBLISHED,
        _feature,
        lambda post: Post.objects.get(pk=post.pk).is_best_bit,
    ),
    "restore": (
        Post.Status.DRAFT,
        _restore,
        lambda post: Post.objects.get(pk=post.pk).revisions.count() == 3,
    ),
}


def make_subject(team: Team, role: str, ownership: str, status: str) -> Post:
    if ownership == "own":
        owner = (
            getattr(team, role)
            if role in {"contributor", "author", "self_publishing_author", "editor"}
            else team.other_author
        )
        blog = team.blog
    elif ownership == "others":
        owner, blog = team.other_author, team.blog
    else:
        owner, blog = team.other_editor, team.other_blog
    post = make_post(
        blog=blog,
        author=owner.author_profile,
        status=status,
        body_source="Ready to read, with nothing missing.",
    )
    # Two revisions, so that there is an earlier one to restore.
    for title in ("First title", "Second title"):
        post_save(
            post=post,
            by=team.admin,
            changes=PostChanges(title=title, body_source=post.body_source),
            base_version=post.version,
        )
    post.refresh_from_db()
    return post


CASES = [
    (role, ownership, action)
    for role in ROLES
    for ownership in OWNERSHIP
    for action in ACTIONS
    if not (ownership == "own" and role in {"moderator", "admin", "other_editor", "anonymous"})
    # The other blog is the other editor's own: that is the editor's own case above.
    and not (role == "other_editor" and ownership == "other_blog")
]


@pytest.mark.parametrize(("role", "ownership", "action"), CASES)
def test_permission_matrix(team: Team, role: str, ownership: str, action: str) -> None:
    """Each role can take exactly the steps the brief gives it, and no other, on any route."""
    if role == "self_publishing_author":
        PublishingPolicy.objects.create(blog=team.blog, authors_may_publish=True)
        team.self_publishing_author = team.author
        role_user = team.author
    else:
        role_user = getattr(team, role, None)
    start, attempt, happened = ACTIONS[action]
    post = make_subject(
        team, "author" if role == "self_publishing_author" else role, ownership, start
    )
    before = Post.objects.get(pk=post.pk)
    client = sign_in(Client(), role_user) if role_user is not None else Client()

    response = attempt(client, post)["response"]

    allowed = action in expected(role, ownership)
    if allowed:
        assert response.status_code in {200, 302}, f"{role} should {action}: {response.status_code}"
        assert happened(post), f"{role} could not {action} {ownership} post"
    else:
        assert response.status_code in {302, 400, 403, 404}, (
            f"{role} {action}: {response.status_code}"
        )
        if response.status_code == 302:
            assert "sign-in" in response["Location"] or action in {"feature"} or not happened(post)
        after = Post.objects.get(pk=post.pk)
        assert (after.status, after.title, after.version, after.is_best_bit) == (
            before.status,
            before.title,
            before.version,
            before.is_best_bit,
        ), f"{role} changed the post by trying to {action}"
        assert not ReviewComment.objects.filter(post=post, body="A thought.").exists()
