"""Commenters' personal data: retention, export, erasure, and the purge of old spam,
through the commands the digital team runs."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from despatch.conversations.models import Comment, ModerationLogEntry

from .conftest import make_comment

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_purge_spam_deletes_only_old_spam(post):
    old = timezone.now() - timedelta(days=40)
    old_spam = make_comment(post, status=Comment.Status.SPAM, decided_at=old, body="Old spam one.")
    recent_spam = make_comment(
        post, status=Comment.Status.SPAM, decided_at=timezone.now(), body="New spam."
    )
    old_rejected = make_comment(post, status=Comment.Status.REJECTED, decided_at=old, body="Rude.")
    assert "1 spam comment(s)" in run("purge_spam", "--older-than", "30", "--dry-run")
    assert Comment.objects.filter(pk=old_spam.pk).exists()
    assert "Purged 1 spam comment(s)" in run("purge_spam", "--older-than", "30")
    remaining = set(Comment.objects.values_list("pk", flat=True))
    assert remaining == {recent_spam.pk, old_rejected.pk}
    entry = ModerationLogEntry.objects.get(action=ModerationLogEntry.Action.PURGE)
    assert "1 spam" in entry.note
    with pytest.raises(CommandError):
        call_command("purge_spam", "--older-than", "-1")


def test_prune_drops_ip_addresses_after_the_retention_period(post, settings):
    settings.DESPATCH_COMMENTS_IP_RETENTION_DAYS = 90
    old = make_comment(
        post, ip_address="203.0.113.1", submitted_at=timezone.now() - timedelta(days=91)
    )
    new = make_comment(post, ip_address="203.0.113.2")
    assert "1 IP address(es)" in run("prune_personal_data", "--dry-run")
    assert "Dropped 1 IP address(es) older than 90 days" in run("prune_personal_data")
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.ip_address is None and new.ip_address == "203.0.113.2"
    assert "Dropped 1" in run("prune_personal_data", "--days", "0")


def test_export_gives_everything_stored_under_an_address(post, tmp_path):
    make_comment(
        post, author_email="hannah@readers.example", ip_address="203.0.113.5", body="Mine."
    )
    make_comment(post, author_email="other@readers.example", body="Not mine.")
    data = json.loads(run("commenter_data", "export", "Hannah@Readers.example"))
    assert [c["comment"] for c in data["comments"]] == ["Mine."]
    assert data["comments"][0]["ip_address"] == "203.0.113.5"
    assert data["comments"][0]["post_url"] == post.get_absolute_url()
    target = tmp_path / "export.json"
    assert "Wrote 1 comment(s)" in run(
        "commenter_data", "export", "hannah@readers.example", "--output", str(target)
    )
    assert json.loads(target.read_text())["email"] == "hannah@readers.example"
    assert ModerationLogEntry.objects.filter(action=ModerationLogEntry.Action.EXPORT).count() == 2


def test_erase_anonymises_every_comment_of_an_address(post):
    mine = make_comment(
        post,
        author_name="Hannah Okafor",
        author_email="hannah@readers.example",
        author_website="https://hannah.example",
        ip_address="203.0.113.5",
        notify_on_reply=True,
        body="My view on the treaty.",
    )
    other = make_comment(post, author_email="other@readers.example")
    assert "1 comment(s) would be anonymised" in run(
        "commenter_data", "erase", "hannah@readers.example", "--dry-run"
    )
    assert "Anonymised 1 comment(s)" in run("commenter_data", "erase", "hannah@readers.example")
    mine.refresh_from_db()
    assert (mine.author_name, mine.author_email, mine.author_website, mine.ip_address) == (
        "Former commenter",
        "",
        "",
        None,
    )
    assert not mine.notify_on_reply and mine.body == "My view on the treaty."
    other.refresh_from_db()
    assert other.author_email == "other@readers.example"
    entry = ModerationLogEntry.objects.get(action=ModerationLogEntry.Action.ERASE)
    assert "hannah" not in entry.note  # the log never keeps the erased address
    assert json.loads(run("commenter_data", "export", "hannah@readers.example"))["comments"] == []


def test_erase_can_remove_the_text_too(post):
    mine = make_comment(post, author_email="hannah@readers.example", body="Please remove this.")
    run("commenter_data", "erase", "hannah@readers.example", "--remove-text")
    mine.refresh_from_db()
    assert "Please remove this." not in mine.body and "Please remove this." not in mine.body_html


def test_commenter_data_refuses_what_is_not_an_address():
    with pytest.raises(CommandError):
        call_command("commenter_data", "export", "not-an-address")


def test_erasing_a_commenter_marks_the_pages_showing_their_name_stale(
    post, django_capture_on_commit_callbacks
):
    from despatch.core import surrogates

    make_comment(post, author_email="leaving@example.org", author_name="Jo Leaving")
    keys = [f"post-{post.pk}-comments", f"blog-{post.blog_id}-comments", "comments"]
    before = surrogates.current_versions(keys)
    with django_capture_on_commit_callbacks(execute=True):
        assert run("commenter_data", "erase", "leaving@example.org").strip()
    after = surrogates.current_versions(keys)
    assert all(before[key] != after[key] for key in keys)
