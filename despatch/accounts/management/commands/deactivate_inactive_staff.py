"""``despatch deactivate-inactive-staff``: switch off staff accounts nobody has used lately."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from despatch.accounts.services import staff_deactivate_inactive


class Command(BaseCommand):
    help = (
        "Deactivate admin, editor, author, contributor and moderator accounts that have "
        "not signed in for a while (DESPATCH_STAFF_INACTIVE_DAYS, default 90). The worker "
        "runs this daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.DESPATCH_STAFF_INACTIVE_DAYS,
            help="Deactivate accounts unused for this many days (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the accounts without changing them."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users = staff_deactivate_inactive(days=options["days"], dry_run=options["dry_run"])
        verb = "Would deactivate" if options["dry_run"] else "Deactivated"
        for user in users:
            last = user.last_login.date().isoformat() if user.last_login else "never"
            self.stdout.write(f"{verb} {user.get_username()} (last signed in: {last})")
        style = self.style.WARNING if users else self.style.SUCCESS
        self.stdout.write(
            style(f"{verb} {len(users)} account(s) unused for {options['days']} days.")
        )
