"""Conversations for the demo network: approved threads with authors' replies, some in
French and Arabic on those blogs, a few comments waiting in the queue, a little
spam, and a moderator to sign in as.

Running it again changes nothing: posts that already have demo comments are
left alone, and the moderator's password is only reset to the demo password.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from despatch.posts.models import Post

from . import learning
from .models import Comment
from .moderation import MODERATORS_GROUP
from .services import recount_approved_comments
from .spam import SubmissionFacts, assess, find_blocked_terms
from .text import count_links, fingerprint

DEMO_DOMAIN = "readers.example"
MODERATOR_USERNAME = "moderator"
POSTS_PER_BLOG = 2


@dataclass(frozen=True)
class DemoConversations:
    comments_created: int
    moderator_username: str
    moderator_password: str


# Each thread: (name, text, replies by the post's author). Written for this demo.
THREADS: dict[str, list[tuple[str, str, list[str]]]] = {
    "en": [
        (
            "Hannah Okafor",
            "Thank you for writing this so plainly. I teach a sixth-form politics class and "
            "we spent a lesson on it.\n\nOne question from the students: how do small "
            "delegations keep up when the negotiations run in several rooms at once?",
            [
                "What a lovely thing to hear, and please thank your students for the question. "
                "Small delegations team up: two or three countries share notes and divide the "
                "rooms between them. It is one of the quiet strengths of the process."
            ],
        ),
        (
            "Marc Duval",
            "I think the post is too optimistic. Agreements like this are only as good as "
            "their enforcement, and the reporting deadlines have slipped before.",
            [
                "A fair challenge. Enforcement is the hard part, and we will report here on "
                "whether the first deadlines are met, whichever way it goes."
            ],
        ),
        (
            "Sadia Rahman",
            "Is there a recording of the closing session? I would like to watch "
            "the statements in full.",
            [],
        ),
        (
            "Tom Whitfield",
            "Good to see officials taking questions in the open. More of this, please.",
            [],
        ),
    ],
    "fr": [
        (
            "Camille Moreau",
            "Merci pour ce billet très clair. Pourriez-vous préciser comment les associations "
            "locales peuvent participer à la consultation ?",
            [
                "Merci de votre question. Les associations peuvent envoyer leurs contributions "
                "par le formulaire de l’ambassade jusqu’à la fin du mois ; nous publierons une "
                "synthèse ici."
            ],
        ),
        (
            "Yannick Lefèvre",
            "Un témoignage précieux. On oublie trop souvent le travail patient "
            "des équipes sur le terrain.",
            [],
        ),
        (
            "Aïcha Benali",
            "Le calendrier annoncé me paraît ambitieux. Quelles sont les "
            "prochaines étapes concrètes ?",
            [],
        ),
    ],
    "ar": [
        (
            "ليلى حداد",
            "شكراً على هذا المقال الواضح. هل ستُنشر الكلمة الختامية كاملة باللغة العربية؟",
            ["نعم، سننشر النص الكامل بالعربية على موقع السفارة الأسبوع المقبل. شكراً لاهتمامك."],
        ),
        (
            "كريم منصور",
            "مقال مفيد جداً، ونتمنى أن نرى المزيد من هذه المدونات التي تشرح عمل "
            "الدبلوماسية بلغة بسيطة.",
            [],
        ),
        ("سارة العلي", "ما هي الخطوات القادمة بعد هذا الاجتماع؟ وهل سيتم إشراك الشباب؟", []),
    ],
}

PENDING = [
    (
        "Priya Nair",
        "I would like to know whether the scholarship programme mentioned here is "
        "open to applicants from outside the capital.",
    ),
    (
        "Jonas Berg",
        "The second chart seems to contradict the figures in the annual report. "
        "Could someone check?",
    ),
    (
        "Elena Petrova",
        "Thank you for the update. Will there be a public event where we can "
        "ask questions in person?",
    ),
]

SPAM = [
    (
        "Best Deals 4U",
        "Great post!!! Visit our online casino for a crypto giveaway "
        "https://casino.example.com https://bonus.example.com https://win.example.com",
    ),
    (
        "SEO Expert",
        "Nice article. We offer buy followers packages and essay writing service "
        "at low price, see http://cheap.example.net and http://more.example.net and "
        "http://even-more.example.net",
    ),
    ("Cheap Pills", "viagra cialis without prescription, fast shipping, http://pills.example.org"),
    (
        "Lucky Winner",
        "Congratulations, you have been selected! Claim your prize now at "
        "http://prize.example.com http://claim.example.com http://free.example.com",
    ),
    (
        "Work Online",
        "work from home and earn 5000 a week, no experience needed, http://jobs.example.biz",
    ),
]


def demo_password() -> str:
    return os.environ.get("DESPATCH_DEMO_PASSWORD", "despatch-demo")


def demo_moderator() -> tuple[object, str]:
    """The ``moderator`` account: staff (so it can sign in) and in the Moderators group."""
    password = demo_password()
    user_model = get_user_model()
    moderator, _created = user_model.objects.get_or_create(
        username=MODERATOR_USERNAME,
        defaults={
            "first_name": "Demo",
            "last_name": "Moderator",
            "email": f"moderator@{DEMO_DOMAIN}",
            "is_staff": True,
        },
    )
    moderator.set_password(password)
    moderator.save()
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return moderator, password


def _email(name: str, number: int) -> str:
    return f"reader{number}-{zlib.crc32(name.encode()) % 10_000}@{DEMO_DOMAIN}"


@transaction.atomic
def build_demo_conversations() -> DemoConversations:
    """Give the demo posts their conversations; return what was made and how to sign in."""
    moderator, password = demo_moderator()
    now = timezone.now()
    chosen: list[Post] = []
    per_blog: dict[int, int] = {}
    for post in (
        Post.objects.published()
        .select_related("blog", "author")
        .order_by("blog_id", "-published_at")
    ):
        if per_blog.get(post.blog_id, 0) < POSTS_PER_BLOG:
            per_blog[post.blog_id] = per_blog.get(post.blog_id, 0) + 1
            chosen.append(post)
    already = set(
        Comment.objects.filter(author_email__endswith=f"@{DEMO_DOMAIN}").values_list(
            "post_id", flat=True
        )
    )
    created: list[Comment] = []
    for index, post in enumerate(chosen):
        if post.pk in already:
            continue
        language = post.content_language.split("-")[0]
        threads = THREADS.get(language, THREADS["en"])
        start = max(post.published_at or now, now - timedelta(days=20))
        minute = 30
        for number, (name, text, replies) in enumerate(threads):
            if (index + number) % 4 == 3:
                continue  # not every post gets every comment
            at = min(start + timedelta(minutes=minute), now)
            comment = _comment(post, name=name, email=_email(name, number), text=text, at=at)
            comment.status = Comment.Status.APPROVED
            comment.decided_at = min(at + timedelta(hours=2 + number), now)
            comment.decided_by = moderator  # type: ignore[assignment]
            comment.response_seconds = int((comment.decided_at - at).total_seconds())
            comment.save()
            created.append(comment)
            minute += 95
            for reply_text in replies:
                at = min(start + timedelta(minutes=minute), now)
                reply = _comment(
                    post,
                    name=post.author.display_name,
                    email=f"author-{post.author.slug}@{DEMO_DOMAIN}",
                    text=reply_text,
                    at=at,
                    parent=comment,
                )
                reply.user = post.author.user
                reply.badge = Comment.Badge.AUTHOR
                reply.status = Comment.Status.APPROVED
                reply.decided_at = at
                reply.save()
                created.append(reply)
                minute += 40
        if index < len(PENDING):
            name, text = PENDING[index]
            comment = _comment(
                post,
                name=name,
                email=_email(name, 90),
                text=text,
                at=now - timedelta(hours=index + 1),
            )
            comment.save()
            created.append(comment)
        if index < len(SPAM):
            name, text = SPAM[index]
            comment = _comment(
                post, name=name, email=_email(name, 99), text=text, at=now - timedelta(minutes=30)
            )
            facts = SubmissionFacts(
                text=text,
                seconds_to_fill=1.2,
                link_count=count_links(text),
                blocked_terms=find_blocked_terms(text, _blocked_terms()),
            )
            assessment = assess(facts, min_fill_seconds=3, max_links=2)
            comment.spam_score = assessment.score
            comment.spam_reasons = [reason.as_json() for reason in assessment.reasons]
            comment.status = Comment.Status.SPAM if assessment.is_spam else Comment.Status.PENDING
            if assessment.is_spam:
                comment.decided_at = comment.submitted_at
            comment.save()
            created.append(comment)
    for comment in created:
        if comment.status in (Comment.Status.APPROVED, Comment.Status.SPAM) and not comment.badge:
            learning.learn_from_decision(comment)
    recount_approved_comments(post_ids={comment.post_id for comment in created})
    return DemoConversations(
        comments_created=len(created),
        moderator_username=MODERATOR_USERNAME,
        moderator_password=password,
    )


def _comment(
    post: Post, *, name: str, email: str, text: str, at: object, parent: Comment | None = None
) -> Comment:
    return Comment(
        post=post,
        blog_id=post.blog_id,
        parent=parent,
        author_name=name,
        author_email=email,
        body=text,
        fingerprint=fingerprint(text),
        submitted_at=at,
        notify_on_reply=parent is None,
    )


def _blocked_terms() -> list[str]:
    from .models import BlockedTerm

    return list(BlockedTerm.objects.values_list("term", flat=True))
