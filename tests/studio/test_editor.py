"""Writing (W2): the editor works without JavaScript, previews exactly as readers will see,
autosaves, and refuses to silently overwrite someone else's save."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from despatch.core.rendering import render_markdown
from despatch.posts.models import Post, Revision
from tests.factories import make_post, make_tag

from .conftest import Team

pytestmark = pytest.mark.django_db

SOURCE = "## A heading\n\n> We will not stay silent.\n> — The Ambassador\n\nSome **bold** words."


def draft(team: Team, user=None) -> Post:
    author = (user or team.contributor).author_profile
    return make_post(blog=team.blog, author=author, status=Post.Status.DRAFT, body_source="Start.")


def form_data(post: Post, **changes) -> dict:
    data = {
        "title": post.title,
        "body_source": post.body_source,
        "slug": post.slug,
        "excerpt": "",
        "tags": "",
        "language": "",
        "top_image": "",
        "top_image_alt": "",
        "version": post.version,
        "action": "save",
    }
    data.update(changes)
    return data


def test_starting_a_post_makes_a_draft_on_the_writers_blog(team: Team) -> None:
    client = team.client("contributor")
    response = client.post(
        reverse("studio:post-new"), {"title": "Notes from Geneva", "blog": team.blog.pk}
    )
    post = Post.objects.get(title="Notes from Geneva")
    assert response["Location"] == reverse("studio:post-edit", kwargs={"pk": post.pk})
    assert post.status == Post.Status.DRAFT
    assert post.author.user == team.contributor
    assert post.revisions.count() == 1


def test_nobody_starts_a_post_on_a_blog_they_do_not_write_on(team: Team) -> None:
    client = team.client("contributor")
    response = client.post(
        reverse("studio:post-new"), {"title": "Sneaky", "blog": team.other_blog.pk}
    )
    assert response.status_code == 403
    assert not Post.objects.filter(title="Sneaky").exists()


def test_the_editor_is_a_plain_form_with_every_field(team: Team) -> None:
    """Without JavaScript: title, text, address, excerpt, tags, language, top image, buttons."""
    post = draft(team)
    page = team.client("contributor").get(reverse("studio:post-edit", kwargs={"pk": post.pk}))
    html = page.content.decode()
    for name in (
        "title",
        "body_source",
        "slug",
        "excerpt",
        "tags",
        "language",
        "top_image",
        "top_image_alt",
        "version",
    ):
        assert f'name="{name}"' in html, name
    assert 'value="preview"' in html and 'value="save"' in html
    assert "core/despatch.css" in html, "the preview pane uses the public stylesheet"
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def test_the_preview_button_renders_with_the_public_renderer_without_saving(team: Team) -> None:
    post = draft(team)
    response = team.client("contributor").post(
        reverse("studio:post-edit", kwargs={"pk": post.pk}),
        form_data(post, body_source=SOURCE, action="preview"),
    )
    assert render_markdown(SOURCE) in response.content.decode()
    assert Post.objects.get(pk=post.pk).body_source == "Start."


def test_the_live_preview_is_exactly_the_public_renderer(team: Team) -> None:
    post = draft(team)
    response = team.client("contributor").post(
        reverse("studio:post-render", kwargs={"pk": post.pk}), {"body_source": SOURCE}
    )
    assert response.content.decode() == render_markdown(SOURCE)


def test_saving_keeps_a_revision_and_the_tags(team: Team) -> None:
    post = draft(team)
    make_tag("Arms Trade Treaty")
    client = team.client("contributor")
    client.post(
        reverse("studio:post-edit", kwargs={"pk": post.pk}),
        form_data(post, body_source=SOURCE, tags="arms trade treaty, Human rights"),
    )
    post.refresh_from_db()
    assert post.body_source == SOURCE
    assert sorted(post.tags.values_list("name", flat=True)) == ["Arms Trade Treaty", "Human rights"]
    assert post.version == 2
    assert post.revisions.count() == 1  # the factory's post had none; the save added one


def test_autosave_answers_with_the_new_version_and_keeps_one_autosave_revision(team: Team) -> None:
    post = draft(team)
    client = team.client("contributor")
    url = reverse("studio:post-autosave", kwargs={"pk": post.pk})
    first = client.post(url, form_data(post, body_source="One."))
    assert first.status_code == 200
    second = client.post(
        url, form_data(post, body_source="One. Two.", version=first.json()["version"])
    )
    assert second.json()["version"] == post.version + 2
    autosaves = Revision.objects.filter(post=post, kind=Revision.Kind.AUTOSAVE)
    assert autosaves.count() == 1
    assert autosaves.get().body_source == "One. Two."


def test_a_second_save_from_an_old_version_is_refused_with_a_diff(team: Team) -> None:
    """Two people edit at once: the later save does not silently overwrite the earlier."""
    post = draft(team, team.contributor)
    contributor, editor = team.client("contributor"), team.client("editor")
    url = reverse("studio:post-edit", kwargs={"pk": post.pk})
    editor.post(url, form_data(post, body_source="The editor's sentence."))

    response = contributor.post(url, form_data(post, body_source="The contributor's sentence."))
    assert response.status_code == 409
    html = response.content.decode()
    assert "saved this post while you were editing" in html
    assert "editor&#x27;s" in html and "contributor&#x27;s" in html, (
        "both versions shown in the diff"
    )
    assert "<del>" in html or "diff__row--changed" in html
    assert Post.objects.get(pk=post.pk).body_source == "The editor's sentence."
    # The page offers the contributor's text again, now based on the latest version.
    assert f'name="version" value="{post.version + 1}"' in html


def test_an_autosave_from_an_old_version_is_refused_too(team: Team) -> None:
    post = draft(team)
    client = team.client("contributor")
    url = reverse("studio:post-autosave", kwargs={"pk": post.pk})
    client.post(url, form_data(post, body_source="Newer."))
    stale = client.post(url, form_data(post, body_source="Stale tab."))
    assert stale.status_code == 409
    assert stale.json()["conflict"] is True
    assert Post.objects.get(pk=post.pk).body_source == "Newer."


def test_tag_suggestions_come_from_existing_tags(team: Team) -> None:
    make_tag("Arms Trade Treaty")
    make_tag("Arctic")
    make_tag("Human rights")
    response = team.client("contributor").get(reverse("studio:tag-suggest"), {"q": "ar"})
    assert response.json() == {"tags": ["Arctic", "Arms Trade Treaty"]}


def test_readers_without_an_account_are_sent_to_sign_in(team: Team, client: Client) -> None:
    post = draft(team)
    response = client.get(reverse("studio:post-edit", kwargs={"pk": post.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("studio:sign-in"))


def test_word_count_and_reading_time_are_shown(team: Team) -> None:
    post = draft(team)
    post.body_source = " ".join(["word"] * 460)
    post.save()
    html = (
        team.client("contributor")
        .get(reverse("studio:post-edit", kwargs={"pk": post.pk}))
        .content.decode()
    )
    assert "460 words" in html
    assert "2 minutes to read" in html
