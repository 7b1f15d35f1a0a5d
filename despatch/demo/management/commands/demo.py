"""``despatch demo``: a working site with a demo network, from nothing, in one command."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from despatch.blogs.models import Blog
from despatch.demo.hooks import DEMO_CONVERSATIONS, optional_function
from despatch.demo.network import build_demo_network

DEMO_USERNAME = "admin"
# Printed on every run, so it has to be the same on every run: chosen by the
# person (environment) or a fixed default, never generated.
DEFAULT_PASSWORD = "despatch-demo"  # noqa: S105 - a local demo, and printed anyway


class Command(BaseCommand):
    help = (
        "Prepare the database, build the demo network if the site has no blogs yet, "
        "create a demo admin account, and start the web server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Stop after preparing the site instead of starting the server.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not options["no_serve"] and "serve" not in get_commands():
            raise CommandError(
                "The serve command is not available; run with --no-serve and use runserver."
            )

        self.stdout.write(self.style.MIGRATE_HEADING("Preparing the database…"))
        call_command("migrate", interactive=False, verbosity=0, stdout=self.stdout)

        conversations = None
        if Blog.objects.exists():
            self.stdout.write("The site already has blogs; the demo network is left as it is.")
        else:
            self.stdout.write(self.style.MIGRATE_HEADING("Building the demo network…"))
            network = build_demo_network()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {network.blogs} blogs, {network.authors} authors, "
                    f"{network.posts} posts and {network.tags} tags."
                )
            )
            # Only on a network just built: a site with blogs of its own must
            # never be given invented comments.
            build_conversations = optional_function(*DEMO_CONVERSATIONS)
            if build_conversations is not None:
                conversations = build_conversations()
                self.stdout.write(
                    self.style.SUCCESS(f"Added {conversations.comments_created} comments.")
                )

        password = os.environ.get("DESPATCH_DEMO_PASSWORD") or DEFAULT_PASSWORD
        User = get_user_model()
        admin = User.objects.filter(username=DEMO_USERNAME).first()
        if admin is None:
            admin = User.objects.create_superuser(
                username=DEMO_USERNAME, email="admin@example.org", password=password
            )
            self.stdout.write(
                self.style.SUCCESS(f"Created the demo admin account “{DEMO_USERNAME}”.")
            )

        address = f"http://{host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Despatch is ready at {address}"))
        self.stdout.write(f"  Admin: {address}admin/")
        if admin.check_password(password):
            self.stdout.write(f"  Sign in as “{DEMO_USERNAME}” with the password “{password}”.")
        else:
            self.stdout.write(
                f"  Sign in as “{DEMO_USERNAME}” with the password you gave it; it is no "
                "longer the demo password."
            )
        if conversations is not None:
            self.stdout.write(
                f"  Moderate comments as “{conversations.moderator_username}” with the "
                f"password “{conversations.moderator_password}”."
            )
        self.stdout.write("")

        if options["no_serve"]:
            return
        call_command("serve", host=host, port=port)
