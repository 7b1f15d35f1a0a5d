"""Approved comments in bulk for the synthetic corpus (``despatch seed``).

Speed matters more than variety here: a million comments are written in
batches, from a small bank of texts rendered once, and each post's count is
moved with one statement per thousand posts.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Comment
from .text import fingerprint, render_comment_text

if TYPE_CHECKING:
    from despatch.posts.models import Post

BATCH_SIZE = 2000

FIRST_NAMES = [
    "Amara", "Bilal", "Chiara", "Dmitri", "Elif", "Femi", "Greta", "Hiroshi", "Ines",
    "Jonas", "Kavya", "Luis", "Mariam", "Niamh", "Olu", "Priya", "Quentin", "Rania",
    "Sipho", "Tomasz", "Uma", "Valentina", "Wei", "Yara", "Zeynep",
]  # fmt: skip
LAST_INITIALS = "ABCDEFGHJKLMNOPRSTVWZ"

COMMENT_BANK = [
    "Thank you for explaining this so clearly. I had not understood how the review works.",
    "Could you say more about how civil society groups were involved in the negotiations?",
    "I was at the conference too, and the mood in the corridors matched what you describe.",
    "This is a helpful summary. Is there a public record of the final text?",
    "I disagree with the conclusion: the timetable seems far too slow for the people affected.",
    "As a student of international relations, I found the part about consensus fascinating.",
    "Will the embassy publish the speech in full? I would like to share it with my class.",
    "Good to see an ambassador writing in plain language about difficult subjects.",
    "How does this fit with the commitments made at the last summit?",
    "The figures in the second paragraph surprised me. Where do they come from?",
    "My town has a twinning link with yours, and we would love to hear more about it.",
    "Thank you for answering questions here. It makes a real difference.",
    "I work for a small NGO in this field. We would welcome a chance to meet the team.",
    "The report is here for anyone who wants to read it: https://www.example.org/report",
    "A balanced post. I hope the follow-up meeting keeps this level of openness.",
    "Is there a way for citizens abroad to take part in the consultation?",
    "Interesting, but the post does not mention the cost. Who pays for the programme?",
    "I read this twice. The point about listening before speaking is well made.",
    "Please keep writing these. They are a rare look at how diplomacy works day to day.",
    "Were young people consulted? Their future is the one most at stake.",
]


def _names(rng: random.Random) -> Iterator[str]:
    while True:
        yield f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}."


def seed_comments(*, posts: Iterable[Post], per_post: int, rng: random.Random) -> int:
    """Insert ``per_post`` approved comments under each of ``posts``; return how many.

    Each post's ``approved_comment_count`` goes up by ``per_post``, so listings
    match what the post pages show.
    """
    if per_post <= 0:
        return 0
    rendered = [(text, render_comment_text(text), fingerprint(text)) for text in COMMENT_BANK]
    names = _names(rng)
    now = timezone.now()
    batch: list[Comment] = []
    post_ids: list[int] = []
    created = 0
    for post in posts:
        post_ids.append(post.pk)
        published = post.published_at or now
        span = max(1, int((now - published).total_seconds()) // 60)
        for number in range(per_post):
            text, html, digest = rendered[(number + post.pk) % len(rendered)]
            at = published + timedelta(minutes=rng.randint(1, min(span, 60 * 24 * 30)))
            batch.append(
                Comment(
                    post_id=post.pk,
                    blog_id=post.blog_id,
                    author_name=next(names),
                    # Unique per row, so the "once per author" constraint never bites.
                    author_email=f"reader-{rng.getrandbits(64):016x}@example.invalid",
                    body=text,
                    body_html=html,
                    fingerprint=digest,
                    status=Comment.Status.APPROVED,
                    submitted_at=min(at, now),
                    decided_at=min(at, now),
                )
            )
        if len(batch) >= BATCH_SIZE:
            created += _flush(batch, post_ids, per_post)
            batch, post_ids = [], []
    created += _flush(batch, post_ids, per_post)
    return created


def _flush(batch: list[Comment], post_ids: list[int], per_post: int) -> int:
    from despatch.posts.models import Post

    if not batch and not post_ids:
        return 0
    with transaction.atomic():
        Comment.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        for start in range(0, len(post_ids), 1000):
            Post.objects.filter(pk__in=post_ids[start : start + 1000]).update(
                approved_comment_count=F("approved_comment_count") + per_post
            )
    return len(batch)
