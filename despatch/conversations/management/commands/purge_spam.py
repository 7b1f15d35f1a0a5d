"""``despatch purge-spam --older-than 30``: delete old spam, the app's only hard delete."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from despatch.conversations.privacy import spam_purge


class Command(BaseCommand):
    help = "Delete comments marked as spam more than N days ago. Nothing else is ever deleted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=30,
            metavar="DAYS",
            help="Purge spam decided more than this many days ago (default 30).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be purged; delete nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["older_than"]
        if days < 0:
            raise CommandError("--older-than must be zero or more days.")
        count = spam_purge(older_than_days=days, dry_run=options["dry_run"])
        if options["dry_run"]:
            self.stdout.write(f"{count} spam comment(s) older than {days} days would be purged.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Purged {count} spam comment(s) older than {days} days.")
            )
