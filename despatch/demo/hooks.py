"""Optional contributions of other apps to the demo and the seeded corpus.

The demo app depends on every other app, but some of them (comments, for a
start) arrive later than the demo does. Each contribution is a function in a
module of its own app; the demo calls it when that module exists and carries
on without it when it does not, so neither app has to wait for the other.

The contributions looked for:

``despatch.conversations.seeding.seed_comments(*, posts, per_post, rng) -> int``
    Add about ``per_post`` approved comments to each of ``posts`` (an iterable
    of posts with ``id``, ``blog_id`` and ``published_at`` loaded, possibly
    100,000 of them) with bulk inserts, drawing every choice from ``rng`` (a
    seeded ``random.Random``) so that seeding stays deterministic; keep each
    post's ``approved_comment_count`` in step; return how many comments were made.

``despatch.search.seeding.index_posts(*, posts) -> int``
    Add ``posts`` (an unevaluated queryset of the seeded posts, possibly
    100,000 of them: read it in chunks) to the search index in bulk, since
    bulk inserts send none of the signals that normally keep it in step;
    return how many were indexed.

``despatch.conversations.demo.build_demo_conversations() -> result``
    Give the demo network's posts their conversations, idempotently. The
    result's ``comments_created``, ``moderator_username`` and
    ``moderator_password`` are reported by ``despatch demo``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

COMMENT_SEEDING = ("despatch.conversations.seeding", "seed_comments")
SEARCH_INDEXING = ("despatch.search.seeding", "index_posts")
DEMO_CONVERSATIONS = ("despatch.conversations.demo", "build_demo_conversations")


def optional_function(module_name: str, function_name: str) -> Callable[..., Any] | None:
    """Return ``module_name.function_name`` if that module exists, else ``None``.

    Only a missing module means "not there yet"; an error inside an existing
    module is a bug and is raised as usual.
    """
    if importlib.util.find_spec(module_name) is None:
        return None
    return getattr(importlib.import_module(module_name), function_name)
