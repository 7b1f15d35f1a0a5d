"""``despatch seed``: fill the database with a synthetic corpus of any size."""

from __future__ import annotations

import itertools
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from despatch.demo.corpus import (
    CorpusSpec,
    SeedConflictError,
    find_conflicts,
    index_for_search,
    plan_corpus,
    seed_comments,
    seed_corpus,
)

BAR_WIDTH = 40


class Command(BaseCommand):
    help = (
        "Create a synthetic corpus of blogs, authors, tags and posts for benchmarks. "
        "The same arguments always produce the same content."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--blogs", type=int, default=5, help="Number of blogs (default 5).")
        parser.add_argument(
            "--posts", type=int, default=1000, help="Number of posts (default 1000)."
        )
        parser.add_argument(
            "--comments-per-post", type=int, default=0, help="Comments per post (default 0)."
        )
        parser.add_argument(
            "--authors", type=int, default=10, help="Number of authors (default 10)."
        )
        parser.add_argument("--tags", type=int, default=100, help="Number of tags (default 100).")
        parser.add_argument(
            "--tags-per-post", type=int, default=3, help="Distinct tags on each post (default 3)."
        )
        parser.add_argument(
            "--distinct-bodies",
            type=int,
            default=500,
            help="How many different post bodies to render and share out (default 500).",
        )
        parser.add_argument("--random-seed", type=int, default=0, help="Seed (default 0).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the blogs, authors and first posts that would be made, and write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            spec = CorpusSpec(
                blogs=options["blogs"],
                posts=options["posts"],
                authors=options["authors"],
                tags=options["tags"],
                tags_per_post=options["tags_per_post"],
                random_seed=options["random_seed"],
                distinct_bodies=options["distinct_bodies"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error

        if options["dry_run"]:
            self._describe(spec)
            return

        started = time.monotonic()
        self.stdout.write(
            f"Seeding {spec.posts:,} posts on {spec.blogs:,} blogs by {spec.authors:,} authors "
            f"with {spec.tags_per_post} of {spec.tags:,} tags each…"
        )
        try:
            result = seed_corpus(spec, progress=self._progress)
        except SeedConflictError as error:
            raise CommandError(
                f"{error} Seed into an empty database, or choose another --random-seed."
            ) from error
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.post_count:,} posts on {len(result.blog_ids):,} blogs "
                f"in {time.monotonic() - started:.1f} s; tag clouds and archives recounted."
            )
        )

        indexed = index_for_search(result=result)
        if indexed is None:
            self.stdout.write(
                self.style.WARNING(
                    "The posts are not in the search index: the search app does not provide "
                    "despatch.search.seeding.index_posts yet."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Indexed {indexed:,} posts for search."))

        per_post = options["comments_per_post"]
        if per_post > 0:
            comments = seed_comments(result=result, per_post=per_post, random_seed=spec.random_seed)
            if comments is None:
                self.stdout.write(
                    self.style.WARNING(
                        "No comments were made: the conversations app does not provide "
                        "despatch.conversations.seeding.seed_comments yet."
                    )
                )
            else:
                self.stdout.write(self.style.SUCCESS(f"Added {comments:,} comments."))

    def _describe(self, spec: CorpusSpec) -> None:
        plan = plan_corpus(spec)
        self.stdout.write(f"Would seed {spec.posts:,} posts on these blogs:")
        for blog in plan.blogs:
            self.stdout.write(f"  {blog.name} (/{blog.slug}/)")
        self.stdout.write(f"by {len(plan.authors):,} authors, among them:")
        for author in plan.authors[:5]:
            self.stdout.write(f"  {author.display_name}, {author.job_title}, {author.location}")
        self.stdout.write("The oldest posts would be:")
        for post in itertools.islice(plan.posts(now=timezone.now()), 5):
            self.stdout.write(f"  {post.published_at:%Y-%m-%d} {post.title}")
        conflicts = find_conflicts(plan)
        if conflicts:
            self.stdout.write(
                self.style.WARNING(f"It would be refused: {', '.join(conflicts)} already exist.")
            )
        self.stdout.write("Nothing was written (--dry-run).")

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,} / {total:,} posts", ending=""
        )
        self.stdout.flush()
