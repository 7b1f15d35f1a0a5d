"""``despatch restore FILE``: load a JSON export into a new, empty site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from despatch.migration.backup import RestoreRefused, site_restore_json
from despatch.migration.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Restore a JSON export made by `despatch export` into an empty site (run `migrate` "
        "first). The media files are taken from FILE.media.zip beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The JSON export to restore.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Load everything in a transaction that is then rolled back; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        bar = ProgressBar(self.stdout)
        try:
            summary = site_restore_json(
                path=path,
                dry_run=options["dry_run"],
                progress=lambda done, total: bar.update(
                    done=done, total=total, fraction=done / total if total else 1.0, rate=0
                ),
            )
        except RestoreRefused as error:
            bar.finish()
            raise CommandError(f"{path.name} was not restored: {error}") from error
        bar.finish()
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label:<36} {count:>9,}")
        rows = sum(summary.counts.values())
        if summary.dry_run:
            self.stdout.write(
                self.style.WARNING(f"Dry run: {rows:,} rows would be restored; nothing changed.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored {rows:,} rows and {summary.media_files:,} media files."
                )
            )
