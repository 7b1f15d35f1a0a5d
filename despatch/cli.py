"""The ``despatch`` command: Django's management commands under the product's name."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command, e.g. ``despatch demo`` or ``despatch serve --port 8000``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "despatch.settings")
    from django.core.management import execute_from_command_line

    arguments = sys.argv[1:]
    if arguments and not arguments[0].startswith("-"):
        # The documented names read naturally with dashes (``despatch purge-spam``);
        # Django's command modules cannot have dashes in their names.
        arguments[0] = arguments[0].replace("-", "_")
    execute_from_command_line(["despatch", *arguments])


if __name__ == "__main__":
    main()
