"""``despatch import-wordpress FILE.xml``: bring a WordPress export into a blog."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from despatch.migration.importer import (
    ImportProgress,
    ImportRefused,
    ImportReport,
    wordpress_import,
)
from despatch.migration.progress import ProgressBar

KINDS = {
    "blog": "blogs",
    "author": "authors",
    "tag": "tags",
    "post": "posts",
    "comment": "comments",
    "old address": "old addresses",
    "media file": "media files",
}


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0–1.2): authors, posts with their tags and "
        "categories, comments with their moderation status, images, and old addresses. "
        "Safe to run again: what is already imported and unchanged is left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The WXR file exported from WordPress.")
        parser.add_argument(
            "--blog",
            metavar="SLUG",
            help="The blog to import into, made if missing (default: named after the export).",
        )
        parser.add_argument(
            "--media-dir",
            type=Path,
            metavar="DIR",
            help="A copy of the old site's wp-content/uploads: images are copied from it.",
        )
        parser.add_argument(
            "--pages-as-drafts",
            action="store_true",
            help="Import WordPress pages as draft posts instead of listing them as skipped.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, updated and skipped; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        media_dir: Path | None = options["media_dir"]
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"No such folder: {media_dir}")
        bar = ProgressBar(self.stdout)
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("Dry run: nothing will be changed."))
        try:
            report = wordpress_import(
                path=path,
                blog_slug=options["blog"],
                dry_run=options["dry_run"],
                media_dir=media_dir,
                pages_as_drafts=options["pages_as_drafts"],
                progress=lambda progress: self._draw(bar, progress),
            )
        except ImportRefused as error:
            bar.finish()
            raise CommandError(f"{path.name} was not imported: {error}") from error
        bar.finish()
        self._summarise(report)
        if report.error:
            kept = any(outcome != "skipped" for _kind, outcome in report.outcomes)
            done = (
                "Everything before that point was imported; fix or re-export the file and run "
                "the same command again to bring in the rest."
                if kept
                else "Nothing was imported."
            )
            raise CommandError(f"{path.name} cannot be read past {report.error}. {done}")

    def _draw(self, bar: ProgressBar, progress: ImportProgress) -> None:
        elapsed = max(time.monotonic() - progress.started_at, 1e-6)
        fraction = progress.bytes_done / progress.bytes_total if progress.bytes_total else 1.0
        report = progress.report
        posts = sum(report.total("post", outcome) for outcome in ("created", "updated"))
        comments = report.total("comment", "created") + report.total("comment", "updated")
        bar.update(
            done=progress.items_done,
            total=progress.items_total,
            fraction=fraction,
            rate=progress.items_done / elapsed,
            detail=f"posts {posts:,}  comments {comments:,}",
        )

    def _summarise(self, report: ImportReport) -> None:
        verb = "would be" if report.dry_run else "were"
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"WordPress import into “{report.blog or '(no blog)'}” "
                f"(WXR {report.wxr_version or '?'}, {report.seconds:.1f} s)"
            )
        )
        outcomes = sorted({outcome for _kind, outcome in report.outcomes})
        for kind, plural in KINDS.items():
            counts = [
                f"{report.outcomes[(kind, outcome)]:,} {outcome}"
                for outcome in outcomes
                if report.outcomes[(kind, outcome)]
            ]
            if counts:
                self.stdout.write(f"  {plural:<14} {', '.join(counts)}")
        if report.indexed_posts:
            self.stdout.write(
                f"  {'search index':<14} {report.indexed_posts:,} posts brought up to date "
                f"in {report.indexing_seconds:.1f} s"
            )
        if report.other_items:
            self.stdout.write(self.style.MIGRATE_HEADING("Other WordPress items"))
            for (kind, action), count in sorted(report.other_items.items()):
                self.stdout.write(f"  {count:>6,} {kind}: {action}")
        if report.notes:
            self.stdout.write(self.style.MIGRATE_HEADING("Notes"))
            for note, count in sorted(report.notes.items()):
                self.stdout.write(f"  {count:>6,} {note}")
        if report.problems:
            self.stdout.write(self.style.WARNING(f"Problems ({len(report.problems)}):"))
            for problem in report.problems[:50]:
                self.stdout.write(self.style.WARNING(f"  {problem}"))
            if len(report.problems) > 50:
                self.stdout.write(self.style.WARNING(f"  … and {len(report.problems) - 50} more"))
        if report.dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run: the counts above {verb} the result."))
        elif not report.error:
            self.stdout.write(self.style.SUCCESS("Import complete."))
