"""Revisions (W4): every save is kept, any two can be compared, any one restored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from despatch.posts.lifecycle import PostChanges, post_restore, post_save
from despatch.posts.models import Post, Revision
from despatch.posts.revisions import compare, diff_text
from tests.factories import make_post

from .conftest import Team

pytestmark = pytest.mark.django_db


def write(post: Post, by, title: str, body: str) -> Post:
    return post_save(
        post=post,
        by=by,
        changes=PostChanges(title=title, body_source=body),
        base_version=post.version,
    )


@pytest.fixture
def history(team: Team) -> Post:
    post = make_post(
        blog=team.blog, author=team.contributor.author_profile, status=Post.Status.DRAFT
    )
    write(post, team.contributor, "First", "One.\nTwo.\nThree.")
    write(post, team.contributor, "Second", "One.\nTwo, changed.\nThree.")
    write(post, team.editor, "Third", "One.\nThree.\nFour.")
    return post


def test_every_save_is_kept_with_who_and_when(history: Post, team: Team) -> None:
    revisions = list(history.revisions.order_by("number"))
    assert [r.title for r in revisions] == ["First", "Second", "Third"]
    assert [r.saved_by for r in revisions] == [team.contributor, team.contributor, team.editor]


def test_the_list_of_revisions_is_a_page(history: Post, team: Team) -> None:
    page = team.client("contributor").get(
        reverse("studio:post-revisions", kwargs={"pk": history.pk})
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('name="from"') == 3


def test_any_two_revisions_can_be_compared_side_by_side(history: Post, team: Team) -> None:
    url = reverse("studio:post-compare", kwargs={"pk": history.pk})
    html = team.client("contributor").get(url, {"from": 1, "to": 3}).content.decode()
    assert "Revision 1 compared with 3" in html
    assert "diff__row--removed" in html or "diff__row--changed" in html
    assert "Four." in html


def test_the_diff_marks_the_words_that_changed_within_a_line() -> None:
    rows = diff_text("We signed the treaty today.", "We ratified the treaty today.")
    assert [row.kind for row in rows] == ["changed"]
    assert "<del>signed</del>" in rows[0].old and "<ins>ratified</ins>" in rows[0].new


def test_the_diff_escapes_what_authors_wrote() -> None:
    rows = diff_text("<script>alert(1)</script>", "<b>bold</b>")
    assert "<script>" not in rows[0].old and "&lt;script&gt;" in rows[0].old


def test_compare_names_only_the_fields_that_differ(history: Post) -> None:
    first, third = history.revisions.get(number=1), history.revisions.get(number=3)
    assert [diff.name for diff in compare(first, third)] == ["title", "body_source"]


def test_restoring_makes_a_new_revision_and_loses_nothing(history: Post, team: Team) -> None:
    history.refresh_from_db()
    client = team.client("contributor")
    url = reverse("studio:post-restore", kwargs={"pk": history.pk, "number": 1})
    client.post(url, {"version": history.version})
    history.refresh_from_db()
    assert history.title == "First"
    assert history.body_source == "One.\nTwo.\nThree."
    latest = history.revisions.order_by("-number").first()
    assert latest.number == 4
    assert latest.kind == Revision.Kind.RESTORE
    assert "Restored from revision 1" in latest.note
    assert history.revisions.filter(title="Third").exists()


def test_restoring_from_a_stale_page_is_refused(history: Post, team: Team) -> None:
    history.refresh_from_db()
    stale = history.version - 1
    with pytest.raises(Exception, match="version"):
        post_restore(
            post=history,
            revision=history.revisions.get(number=1),
            by=team.contributor,
            base_version=stale,
        )
