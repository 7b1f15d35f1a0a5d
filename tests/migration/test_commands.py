"""The commands: thin wrappers that report clearly, refuse clearly and survive a kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from despatch.posts.models import Post

from .conftest import WXR_DIR, wxr_item

ROOT = Path(__file__).resolve().parents[2]


def run(*arguments: str) -> str:
    out = StringIO()
    call_command(*arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_import_prints_a_summary_with_counts_other_items_and_problems():
    output = run("import_wordpress", str(WXR_DIR / "embassy-1.2.xml"))
    assert "posts          8 created, 3 skipped" in output
    assert "comments       7 created, 1 skipped" in output
    assert "search index   8 posts brought up to date in" in output
    assert "page: not imported" in output
    assert "item abc “Broken number”" in output
    assert "Import complete." in output
    assert "\r" not in output, "no progress bar when the output is not a terminal"


@pytest.mark.django_db
def test_import_dry_run_says_so_and_leaves_nothing():
    output = run("import_wordpress", str(WXR_DIR / "embassy-1.2.xml"), "--dry-run")
    assert output.startswith("Dry run: nothing will be changed.")
    assert "posts          8 created" in output
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_import_refusals_and_breaks_end_with_a_clear_error(tmp_path):
    """Not WXR: refused. Truncated: what was complete is kept and the error says where."""
    plain_rss = tmp_path / "plain-rss.xml"
    plain_rss.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        "<item><title>A story</title></item></channel></rss>"
    )
    with pytest.raises(CommandError, match="was not imported: this does not appear"):
        run("import_wordpress", str(plain_rss))
    with pytest.raises(CommandError, match=r"cannot be read past line 47, column 28") as error:
        run("import_wordpress", str(WXR_DIR / "truncated.xml"))
    assert "Everything before that point was imported" in str(error.value)
    assert Post.objects.count() == 2
    with pytest.raises(CommandError, match="No such file"):
        run("import_wordpress", "/nowhere.xml")


@pytest.mark.django_db
def test_export_and_restore_commands(tmp_path, media_root):
    """`despatch export` writes JSON and the media zip; `restore --dry-run` reads them back."""
    run("import_wordpress", str(WXR_DIR / "embassy-1.2.xml"))
    output = run("export", str(tmp_path / "site.json"))
    assert "posts.Post" in output and (tmp_path / "site.media.zip").is_file()
    wxr = run("export", "--format", "wxr", str(tmp_path / "site.xml"))
    assert "Wrote 8 posts" in wxr
    with pytest.raises(CommandError, match="not empty"):
        run("restore", str(tmp_path / "site.json"))
    with pytest.raises(CommandError, match="applies to WXR"):
        run("export", "--blog", "x", str(tmp_path / "other.json"))


@pytest.mark.slow
def test_an_import_killed_with_sigkill_completes_on_a_second_run(tmp_path, write_wxr):
    """kill -9 half-way through, run again: every post and comment once, none twice."""
    posts, comments = 600, 5
    export = write_wxr(*(wxr_item(number, comments=comments) for number in range(1, posts + 1)))
    database = tmp_path / "killed.sqlite3"
    env = {
        **os.environ,
        "DESPATCH_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "despatch.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    command = [*manage, "import_wordpress", str(export), "--blog", "killed"]
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)

    def imported_posts() -> int:
        with sqlite3.connect(database, timeout=30) as db:
            return db.execute("SELECT count(*) FROM posts_post").fetchone()[0]

    deadline = time.monotonic() + 300
    while imported_posts() < 50 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert 0 < imported_posts() < posts, "the kill should land part-way through"
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM posts_post").fetchone()[0] == posts
        assert db.execute("SELECT count(*) FROM conversations_comment").fetchone()[0] == (
            posts * comments
        )
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT slug FROM posts_post GROUP BY slug HAVING count(*) > 1)"
        ).fetchone()[0]
        assert duplicates == 0
