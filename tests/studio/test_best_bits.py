"""Best bits (W7): editors pick and order a blog's featured posts; admins the network's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from despatch.accounts.models import AuditLogEntry
from despatch.posts.models import Post
from tests.factories import make_post

from .conftest import Team

pytestmark = pytest.mark.django_db


def feature(client: Client, url: str, post: Post, action: str = "add") -> None:
    client.post(url, {"action": action, "post": post.pk})


def test_an_editor_picks_and_orders_the_blogs_best_bits(team: Team, client: Client) -> None:
    first, second, third = (make_post(blog=team.blog, title=f"Speech {n}") for n in (1, 2, 3))
    editor = team.client("editor")
    url = reverse("studio:best-bits", kwargs={"blog_slug": team.blog.slug})
    for post in (first, second, third):
        feature(editor, url, post)
    feature(editor, url, third, "up")
    feature(editor, url, first, "remove")
    chosen = list(Post.objects.best_bits().filter(blog=team.blog).values_list("title", flat=True))
    assert chosen == ["Speech 3", "Speech 2"]
    page = client.get(
        reverse("posts:blog-best-bits", kwargs={"blog_slug": team.blog.slug})
    ).content.decode()
    assert page.index("Speech 3") < page.index("Speech 2")
    assert "Speech 1" not in page
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.BEST_BITS, actor=team.editor
    ).exists()


def test_drafts_cannot_be_featured(team: Team) -> None:
    draft = make_post(blog=team.blog, status=Post.Status.DRAFT)
    feature(
        team.client("editor"),
        reverse("studio:best-bits", kwargs={"blog_slug": team.blog.slug}),
        draft,
    )
    assert not Post.objects.get(pk=draft.pk).is_best_bit


def test_admins_choose_the_networks_best_bits_across_blogs(team: Team, client: Client) -> None:
    ours = make_post(blog=team.blog, title="From digital diplomacy")
    theirs = make_post(blog=team.other_blog, title="From human rights")
    admin = team.client("admin")
    url = reverse("studio:best-bits-network")
    feature(admin, url, ours)
    feature(admin, url, theirs)
    feature(admin, url, theirs, "up")
    assert list(Post.objects.network_best_bits().values_list("title", flat=True)) == [
        "From human rights",
        "From digital diplomacy",
    ]
    home = client.get(reverse("posts:network")).content.decode()
    best = home[home.index("best-bits-heading") :]
    assert best.index("From human rights") < best.index("From digital diplomacy")


def test_editors_do_not_choose_for_the_network_or_other_blogs(team: Team) -> None:
    post = make_post(blog=team.other_blog)
    editor = team.client("editor")
    assert (
        editor.post(
            reverse("studio:best-bits-network"), {"action": "add", "post": post.pk}
        ).status_code
        == 404
    )
    url = reverse("studio:best-bits", kwargs={"blog_slug": team.other_blog.slug})
    assert editor.post(url, {"action": "add", "post": post.pk}).status_code == 404
    post.refresh_from_db()
    assert post.network_best_bit_order is None and not post.is_best_bit
