"""Writes that touch several models and have side effects, each in one transaction.

``comment_submit`` takes a reader's comment through the spam defence into the
queue; ``comment_moderate`` carries out a moderator's decision and keeps the
post's comment count, the spam model, the log and the e-mails in step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from despatch.core.surrogates import invalidate_surrogate_keys
from despatch.posts import cache_keys

from . import learning, moderation, ratelimits, tasks
from .models import BlockedTerm, Comment, CommentClosure, ModerationLogEntry
from .spam import SpamAssessment, SubmissionFacts, assess, find_blocked_terms
from .text import count_links, fingerprint, normalise_for_comparison

if TYPE_CHECKING:
    from despatch.posts.models import Post

# Short texts ("Thank you!") are repeated innocently; only longer ones count as copies.
DUPLICATE_MIN_CHARACTERS = 40
DUPLICATE_WINDOW = timedelta(days=30)

ACTION_FOR_STATUS = {
    Comment.Status.APPROVED: ModerationLogEntry.Action.APPROVE,
    Comment.Status.REJECTED: ModerationLogEntry.Action.REJECT,
    Comment.Status.SPAM: ModerationLogEntry.Action.SPAM,
    Comment.Status.PENDING: ModerationLogEntry.Action.HOLD,
}


class CommentsClosed(Exception):
    """The post does not take comments now; ``notice`` says why, for the reader."""

    def __init__(self, notice: str) -> None:
        super().__init__(notice)
        self.notice = notice


class RateLimited(Exception):
    """Too many comments from one address; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class CommentDraft:
    """A comment as the form received it, with what the spam defence observed."""

    name: str
    email: str
    body: str
    website: str = ""
    parent: Comment | None = None
    notify_on_reply: bool = False
    honeypot: str = ""
    seconds_to_fill: float | None = None


@transaction.atomic
def comment_submit(
    *, post: Post, draft: CommentDraft, ip_address: str | None, user: Any = None
) -> Comment:
    """Store a reader's comment with its spam assessment, and queue the e-mails.

    Sending the same text twice from the same address under the same post
    returns the first comment instead of storing a second one, even when both
    requests arrive at once (a database constraint settles the race).
    """
    state = moderation.comments_state_for(post)
    if not state.is_open:
        raise CommentsClosed(state.notice)
    verdict = ratelimits.hit("email", draft.email.lower())
    if not verdict.allowed:
        raise RateLimited(verdict.retry_after)

    digest = fingerprint(draft.body)
    earlier = _own_earlier_copy(post=post, email=draft.email, digest=digest)
    if earlier is not None:
        return earlier

    badge = moderation.badge_for(user, post)
    assessment = SpamAssessment(score=0.0) if badge else _assess(draft, digest=digest)
    policy = moderation.policy_for(post.blog_id)
    status = moderation.initial_status(
        assessment=assessment,
        policy=policy,
        trusted_commenter=moderation.is_trusted_commenter(draft.email),
        badge=badge,
    )
    comment = Comment(
        post=post,
        blog_id=post.blog_id,
        parent=_thread_parent(post=post, parent=draft.parent),
        user=user if user is not None and user.is_authenticated else None,
        author_name=draft.name.strip(),
        author_email=draft.email,
        author_website=draft.website,
        body=draft.body.strip(),
        status=status,
        badge=badge,
        spam_score=assessment.score,
        spam_reasons=[reason.as_json() for reason in assessment.reasons],
        fingerprint=digest,
        ip_address=ip_address,
        notify_on_reply=draft.notify_on_reply,
    )
    if status != Comment.Status.PENDING:
        comment.decided_at = comment.submitted_at
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        # A twin request committed first; its comment is this comment.
        earlier = _own_earlier_copy(post=post, email=draft.email, digest=digest)
        if earlier is None:
            raise
        return earlier

    if status == Comment.Status.APPROVED:
        _shift_approved_counts(Counter({post.pk: 1}))
        refresh_pages_showing(posts={(post.pk, post.blog_id)})
    if status != Comment.Status.PENDING:
        ModerationLogEntry.objects.create(
            comment=comment,
            comment_number=comment.pk,
            actor=comment.user,
            action=ACTION_FOR_STATUS[status],
            to_status=status,
            note=_("Automatic, on arrival"),
        )
    if status != Comment.Status.SPAM:
        comment_id = comment.pk
        transaction.on_commit(lambda: tasks.notify_new_comment.enqueue(comment_id))
    if status == Comment.Status.APPROVED and comment.parent_id:
        reply_id = comment.pk
        transaction.on_commit(lambda: tasks.notify_reply.enqueue(reply_id))
    return comment


def refresh_pages_showing(*, posts: Iterable[tuple[int, int]]) -> None:
    """Mark stale every cached page that shows these posts' comments or comment counts.

    ``posts`` holds (post id, blog id) pairs. The post's own key covers the
    listings that show its comment count.
    """
    keys = {cache_keys.COMMENTS}
    for post_id, blog_id in posts:
        keys.update(
            {
                cache_keys.post_key(post_id),
                cache_keys.post_comments_key(post_id),
                cache_keys.blog_comments_key(blog_id),
            }
        )
    if len(keys) > 1:
        invalidate_surrogate_keys(keys)


def refresh_pages_for_closure(closure: CommentClosure) -> None:
    """A closure opened or ended: the pages whose form it replaces must re-render."""
    from despatch.blogs.models import Blog

    keys = [moderation.COMMENT_RULES]
    if closure.post_id is not None:
        keys += [cache_keys.post_comments_key(closure.post_id)]
    elif closure.blog_id is not None:
        keys += [cache_keys.blog_comments_key(closure.blog_id)]
    else:
        blog_ids = Blog.objects.values_list("pk", flat=True)
        keys += [cache_keys.blog_comments_key(blog_id) for blog_id in blog_ids]
    invalidate_surrogate_keys(keys)


def _own_earlier_copy(*, post: Post, email: str, digest: str) -> Comment | None:
    return Comment.objects.by_address(email).filter(post=post, fingerprint=digest).first()


def _thread_parent(*, post: Post, parent: Comment | None) -> Comment | None:
    """Replies are one level deep: answering a reply answers the comment it replied to."""
    if parent is None or parent.post_id != post.pk:
        return None
    if parent.parent_id is not None:
        return parent.parent
    return parent


def _assess(draft: CommentDraft, *, digest: str) -> SpamAssessment:
    everything = " ".join([draft.name, draft.website, draft.body])
    earlier_copies = 0
    if len(normalise_for_comparison(draft.body)) >= DUPLICATE_MIN_CHARACTERS:
        earlier_copies = (
            Comment.objects.filter(
                fingerprint=digest, submitted_at__gte=timezone.now() - DUPLICATE_WINDOW
            )[:10]
            .values("pk")
            .count()
        )
    facts = SubmissionFacts(
        text=draft.body,
        honeypot=draft.honeypot,
        seconds_to_fill=draft.seconds_to_fill,
        link_count=count_links(draft.body) + (1 if draft.website else 0),
        blocked_terms=find_blocked_terms(
            everything, BlockedTerm.objects.values_list("term", flat=True)
        ),
        earlier_copies=earlier_copies,
        learned=learning.score_text(draft.body, website=draft.website),
    )
    return assess(
        facts,
        min_fill_seconds=settings.DESPATCH_COMMENTS_MIN_FILL_SECONDS,
        max_links=settings.DESPATCH_COMMENTS_MAX_LINKS,
    )


def _shift_approved_counts(deltas: Counter[int]) -> None:
    """Move each post's approved-comment count by its delta, relative to the stored value."""
    from despatch.posts.models import Post

    for post_id, delta in deltas.items():
        if delta:
            Post.objects.filter(pk=post_id).update(
                approved_comment_count=F("approved_comment_count") + delta
            )


def recount_approved_comments(*, post_ids: Iterable[int]) -> None:
    """Recount posts' approved comments from the rows themselves (after bulk writes)."""
    from despatch.posts.models import Post

    approved = (
        Comment.objects.approved()
        .filter(post_id=OuterRef("pk"))
        .order_by()
        .values("post_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    Post.objects.filter(pk__in=list(post_ids)).update(
        approved_comment_count=Coalesce(Subquery(approved), 0)
    )


@dataclass
class ModerationResult:
    changed: list[Comment] = field(default_factory=list)
    unchanged: list[Comment] = field(default_factory=list)


@transaction.atomic
def comment_moderate(
    *, comment_ids: Iterable[int], to: str, by: Any, rule: str = ""
) -> ModerationResult:
    """Approve, reject (under a house rule) or mark as spam one or many comments.

    Comments already in ``to``, or that cannot move there, are left as they are
    and reported back. Rows are locked in id order, so two moderators working
    the same page never decide the same comment twice.
    """
    if not moderation.can_moderate(by):
        raise PermissionDenied(_("Only moderators can moderate comments."))
    target = Comment.Status(to)
    now = timezone.now()
    result = ModerationResult()
    deltas: Counter[int] = Counter()
    shown_differently: set[tuple[int, int]] = set()
    locked = list(
        Comment.objects.select_for_update().filter(pk__in=list(comment_ids)).order_by("pk")
    )
    log = []
    for comment in locked:
        if not comment.can_transition_to(target):
            result.unchanged.append(comment)
            continue
        previous = comment.transition_to(target, by=by, rule=rule, at=now)
        if Comment.Status.APPROVED in (target, previous):
            shown_differently.add((comment.post_id, comment.blog_id))
        deltas[comment.post_id] += (target == Comment.Status.APPROVED) - (
            previous == Comment.Status.APPROVED
        )
        log.append(
            ModerationLogEntry(
                comment=comment,
                comment_number=comment.pk,
                actor=by,
                action=ACTION_FOR_STATUS[target],
                from_status=previous,
                to_status=target,
                rule=comment.rejection_rule,
                at=now,
            )
        )
        result.changed.append(comment)
    Comment.objects.bulk_update(
        result.changed,
        ["status", "rejection_rule", "decided_at", "decided_by", "response_seconds"],
    )
    _shift_approved_counts(deltas)
    refresh_pages_showing(posts=shown_differently)
    ModerationLogEntry.objects.bulk_create(log)
    for comment in result.changed:
        learning.learn_from_decision(comment)
        if target == Comment.Status.APPROVED and comment.parent_id:
            reply_id = comment.pk
            transaction.on_commit(lambda reply_id=reply_id: tasks.notify_reply.enqueue(reply_id))
    return result


# --- Closing and reopening comments ---------------------------------------------------


@transaction.atomic
def comments_close_network(*, by: Any, note: str = "") -> CommentClosure:
    """Close every comment form on the network at once, e.g. for an election period."""
    if not (by and by.is_superuser):
        raise PermissionDenied(_("Only administrators can close comments across the network."))
    current = CommentClosure.objects.in_force().network_wide().first()
    if current is not None:
        return current
    closure = CommentClosure.objects.create(note=note.strip(), created_by=by)
    refresh_pages_for_closure(closure)
    ModerationLogEntry.objects.create(
        actor=by, action=ModerationLogEntry.Action.CLOSE, note=_("Across the network")
    )
    return closure


@transaction.atomic
def comments_reopen_network(*, by: Any) -> int:
    """End every network-wide closure in force; they stay on record."""
    if not (by and by.is_superuser):
        raise PermissionDenied(_("Only administrators can reopen comments across the network."))
    now = timezone.now()
    in_force = list(CommentClosure.objects.in_force(now).network_wide())
    ended = CommentClosure.objects.filter(pk__in=[c.pk for c in in_force]).update(ends_at=now)
    for closure in in_force:
        refresh_pages_for_closure(closure)
    if ended:
        ModerationLogEntry.objects.create(
            actor=by, action=ModerationLogEntry.Action.REOPEN, note=_("Across the network")
        )
    return ended


def replies_unsubscribe(*, email: str) -> int:
    """Stop every reply e-mail to ``email``; return how many comments asked for them."""
    return (
        Comment.objects.by_address(email).filter(notify_on_reply=True).update(notify_on_reply=False)
    )
