"""``despatch commenter-data export|erase EMAIL``: a commenter's right of access and erasure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from despatch.conversations.models import Comment
from despatch.conversations.privacy import commenter_erase, commenter_export


class Command(BaseCommand):
    help = (
        "Export (as JSON) or erase everything stored about the comments written with one "
        "e-mail address. Erasing anonymises the comments; --remove-text removes their text too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email", help="The commenter's e-mail address.")
        parser.add_argument(
            "--output", type=Path, help="Write the export to this file instead of the screen."
        )
        parser.add_argument(
            "--remove-text",
            action="store_true",
            help="When erasing, replace the comments' text as well as the commenter's details.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="When erasing, count the comments; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"]
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an e-mail address.") from error
        if options["action"] == "export":
            self.export(email, options["output"])
        else:
            self.erase(email, remove_text=options["remove_text"], dry_run=options["dry_run"])

    def export(self, email: str, output: Path | None) -> None:
        data = commenter_export(email=email)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if output is None:
            self.stdout.write(text)
            return
        output.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {len(data['comments'])} comment(s) to {output}.")
        )

    def erase(self, email: str, *, remove_text: bool, dry_run: bool) -> None:
        if dry_run:
            count = Comment.objects.by_address(email).count()
            self.stdout.write(f"{count} comment(s) would be anonymised.")
            return
        count = commenter_erase(email=email, remove_text=remove_text)
        self.stdout.write(self.style.SUCCESS(f"Anonymised {count} comment(s)."))
