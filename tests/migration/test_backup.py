"""Export everything as JSON, restore it into an empty site, and get the same export back."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.hashers import is_password_usable
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from despatch.accounts.models import User
from despatch.conversations.models import Comment, ModerationLogEntry
from despatch.migration.backup import (
    EXPORTED_MODELS,
    NOT_EXPORTED,
    RestoreRefused,
    site_export_json,
    site_restore_json,
)
from despatch.migration.importer import wordpress_import
from despatch.posts.models import Post, TagUsage
from tests.factories import make_blog, make_post, make_user

from .conftest import WXR_DIR


def normalised(path: Path) -> str:
    """The export with the time it was made blanked out."""
    return "\n".join(
        line for line in path.read_text().splitlines() if not line.startswith(' "exported_at"')
    )


def test_every_installed_model_is_either_exported_or_excused():
    """Adding a model means adding one line to EXPORTED_MODELS or NOT_EXPORTED."""
    declared = {entry.label for entry in EXPORTED_MODELS} | set(NOT_EXPORTED)
    installed = {model._meta.label for model in apps.get_models()}
    assert installed - declared == set(), "declare these in despatch/migration/backup.py"
    assert declared - installed == set(), "these are declared but not installed"


def build_network(media_root: Path) -> None:
    """A demo network plus everything the demo leaves out: users, moderation, media, imports."""
    call_command("seed", blogs=2, posts=12, authors=3, tags=6, comments_per_post=2, verbosity=0)
    editor = make_user(username="editor", email="editor@example.org", is_staff=True)
    make_user(username="reader")
    blog = make_blog(slug="with-media", name="With media")
    buffer = ContentFile(b"", name="top.png")
    image = Image.new("RGB", (10, 6), "#1d4e89")
    image.save(buffer.file, format="PNG")
    post = make_post(blog=blog, title="With a picture", tags=["Café", "Arms Trade Treaty"])
    post.top_image.save("top.png", ContentFile(buffer.file.getvalue()))
    comment = Comment.objects.create(
        post=post, author_name="Zoë", author_email="zoe@example.org", body="Très bien."
    )
    Comment.objects.create(
        post=post, parent=comment, author_name="Ana", author_email="ana@example.org", body="Sí."
    )
    ModerationLogEntry.objects.create(
        comment=comment, comment_number=comment.pk, actor=editor, action="approve"
    )
    wordpress_import(path=WXR_DIR / "embassy-1.2.xml")


@pytest.mark.django_db(transaction=True)
def test_round_trip_export_restore_export_is_identical(tmp_path, media_root):
    """M2: demo network → export → restore into a fresh database → the same export again."""
    build_network(media_root)
    first, second = tmp_path / "first" / "site.json", tmp_path / "second" / "site.json"
    first.parent.mkdir()
    second.parent.mkdir()
    exported = site_export_json(path=first)
    assert exported.counts["posts.Post"] == Post.objects.count() > 20
    assert exported.media_files >= 1
    call_command("flush", interactive=False, verbosity=0)
    for stored in media_root.rglob("*"):
        if stored.is_file():
            stored.unlink()
    assert not Post.objects.exists()
    restored = site_restore_json(path=first)
    assert restored.counts == {k: v for k, v in exported.counts.items() if v}
    assert restored.media_files == exported.media_files
    site_export_json(path=second)
    assert normalised(first) == normalised(second)
    assert (first.with_name("site.media.zip")).read_bytes() == (
        second.with_name("site.media.zip").read_bytes()
    )
    # Derived counts are rebuilt, and the site works: new rows get fresh numbers.
    assert TagUsage.objects.exists()
    fresh = make_post(title="After the restore")
    assert fresh.pk > max(row["pk"] for row in _rows(first, "posts.post"))


def _rows(path: Path, model: str) -> list[dict]:
    return [row for row in json.loads(path.read_text())["objects"] if row["model"] == model]


@pytest.mark.django_db
def test_passwords_leave_only_when_asked_for(tmp_path, media_root):
    """Without --include-credentials no password hash is written, and restored users reset."""
    make_user(username="alice", password="a long and secret passphrase")
    plain, full = tmp_path / "plain.json", tmp_path / "full.json"
    site_export_json(path=plain)
    site_export_json(path=full, include_credentials=True)
    assert "pbkdf2" not in plain.read_text()
    assert "password" not in _rows(plain, "accounts.user")[0]["fields"]
    assert _rows(full, "accounts.user")[0]["fields"]["password"].startswith("pbkdf2")
    User.objects.all().delete()
    site_restore_json(path=plain)
    assert not is_password_usable(User.objects.get(username="alice").password)


@pytest.mark.django_db
def test_restore_refuses_a_site_that_is_not_empty(tmp_path, media_root):
    """A restore only goes into a new site: it never merges into live content."""
    make_post()
    path = tmp_path / "site.json"
    site_export_json(path=path)
    with pytest.raises(RestoreRefused, match="not empty"):
        site_restore_json(path=path)


@pytest.mark.django_db
def test_restore_dry_run_changes_nothing(tmp_path, media_root):
    """--dry-run loads everything in a transaction that is rolled back."""
    make_post()
    path = tmp_path / "site.json"
    site_export_json(path=path)
    Post.objects.all().delete()
    from despatch.blogs.models import Blog

    Blog.objects.all().delete()
    summary = site_restore_json(path=path, dry_run=True)
    assert summary.counts["posts.Post"] == 1
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_a_media_archive_with_unsafe_names_is_refused(tmp_path, media_root):
    """A zip entry that would land outside the media folder stops the restore."""
    path = tmp_path / "site.json"
    site_export_json(path=path)
    with zipfile.ZipFile(path.with_name("site.media.zip"), "w") as archive:
        archive.writestr("../outside.txt", "escape")
    with pytest.raises(RestoreRefused, match="unsafe name"):
        site_restore_json(path=path)
    assert not (tmp_path / "outside.txt").exists()
