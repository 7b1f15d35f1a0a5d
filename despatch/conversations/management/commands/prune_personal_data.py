"""``despatch prune-personal-data``: drop commenters' IP addresses after the retention period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from despatch.conversations.privacy import personal_data_prune


class Command(BaseCommand):
    help = (
        "Drop the IP addresses of comments older than the retention period "
        "(DESPATCH_COMMENTS_IP_RETENTION_DAYS, 90 days unless configured). Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Override the retention period for this run.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be dropped; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.DESPATCH_COMMENTS_IP_RETENTION_DAYS
        if days < 0:
            raise CommandError("--days must be zero or more.")
        count = personal_data_prune(older_than_days=days, dry_run=options["dry_run"])
        if options["dry_run"]:
            self.stdout.write(f"{count} IP address(es) older than {days} days would be dropped.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Dropped {count} IP address(es) older than {days} days.")
            )
