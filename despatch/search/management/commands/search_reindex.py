"""``despatch search-reindex``: rebuild the search index from the posts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from despatch.search.backends import get_backend
from despatch.search.documents import indexable_posts
from despatch.search.indexing import search_reindex
from despatch.search.models import SearchEntry

BAR_WIDTH = 40


class Command(BaseCommand):
    help = (
        "Rebuild the search index and its vocabulary from every published and scheduled "
        "post. Safe to run on a live site: searches keep working while it runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say how many posts would be indexed and entries removed, and change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = get_backend()
        if options["dry_run"]:
            stale = SearchEntry.objects.exclude(post__in=indexable_posts()).count()
            self.stdout.write(
                f"Would index {indexable_posts().count():,} posts ({backend.vendor}) and "
                f"remove {stale:,} entries of posts that are no longer published."
            )
            return
        self.stdout.write(f"Reindexing posts for search ({backend.vendor})…")
        started = time.monotonic()
        total = search_reindex(progress=self._progress)
        if total:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {total:,} posts in {time.monotonic() - started:.1f} s; "
                "vocabulary recounted."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,} / {total:,} posts", ending=""
        )
        self.stdout.flush()
