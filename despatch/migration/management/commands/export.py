"""``despatch export --format json|wxr FILE``: everything out, for a backup or the way out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from despatch.blogs.models import Blog
from despatch.migration.backup import site_export_json
from despatch.migration.progress import ProgressBar
from despatch.migration.wxr_export import site_export_wxr


class Command(BaseCommand):
    help = (
        "Export the site. JSON: everything (blogs, users without password hashes unless "
        "--include-credentials, profiles, posts, revisions, tags, comments, moderation "
        "decisions), with the media files in FILE.media.zip beside it; `despatch restore` "
        "reads it back. WXR: the posts and comments, for WordPress's importer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Where to write the export.")
        parser.add_argument(
            "--format", choices=["json", "wxr"], default="json", help="json (default) or wxr."
        )
        parser.add_argument(
            "--include-credentials",
            action="store_true",
            help="JSON only: include password hashes and two-factor devices. Keep the file safe.",
        )
        parser.add_argument(
            "--blog", metavar="SLUG", help="WXR only: export this blog alone (default: all)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}")
        if options["format"] == "wxr":
            blog = None
            if options["blog"]:
                blog = Blog.objects.filter(slug=options["blog"]).first()
                if blog is None:
                    raise CommandError(f"No blog “{options['blog']}”.")
            count = site_export_wxr(path=path, blog=blog)
            self.stdout.write(self.style.SUCCESS(f"Wrote {count:,} posts to {path} (WXR 1.2)."))
            return
        if options["blog"]:
            raise CommandError("--blog applies to WXR exports; a JSON export is the whole site.")
        bar = ProgressBar(self.stdout)
        summary = site_export_json(
            path=path,
            include_credentials=options["include_credentials"],
            progress=lambda done, total: bar.update(
                done=done, total=total, fraction=done / total if total else 1.0, rate=0
            ),
        )
        bar.finish()
        for label, count in summary.counts.items():
            if count:
                self.stdout.write(f"  {label:<36} {count:>9,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {sum(summary.counts.values()):,} rows to {path} and "
                f"{summary.media_files:,} media files to {summary.media_path}."
            )
        )
        if options["include_credentials"]:
            self.stdout.write(
                self.style.WARNING("The file holds password hashes: store it like a password.")
            )
