"""The rules of moderation, each a plain function: who moderates, when comments are
open, what a new comment's first status is, and how fast moderators answer.

Views, forms and templates ask these functions; none of them decides alone.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from despatch.accounts.models import Role
from despatch.core.fragments import cached_fragment
from despatch.core.page_cache import keep_no_later_than

from .models import BlogCommentPolicy, Comment, CommentClosure
from .spam import SpamAssessment

if TYPE_CHECKING:
    from despatch.posts.models import Post

MODERATE_PERMISSION = "conversations.moderate_comments"
# Surrogate key of the closures and policies that decide whether comments are open.
COMMENT_RULES = "comment-rules"
MODERATORS_GROUP = "Moderators"
# The median is taken over the latest decisions only, so it describes the team's
# pace now, at the cost of one small indexed read.
RESPONSE_TIME_SAMPLE = 500


# --- Who moderates -------------------------------------------------------------------


def can_moderate(user: Any) -> bool:
    """Moderators hold ``conversations.moderate_comments`` (the "Moderators" group has
    it); superusers hold every permission.

    The roles issue will narrow this per blog; every check in the app goes
    through this one function so that change is made here.
    """
    return bool(user and user.is_authenticated and user.is_active) and user.has_perm(
        MODERATE_PERMISSION
    )


def moderators_to_notify(blog_id: int) -> QuerySet[Any]:
    """Active people with an address who moderate comments on blog ``blog_id``.

    Those are the holders of the permission directly or through a group (they
    moderate the whole network) and the blog's own moderators by role.
    Superusers are not e-mailed for that alone: an administrator who wants the
    notifications joins the Moderators group.
    """
    app_label, codename = MODERATE_PERMISSION.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    network_wide = Q(groups__permissions=permission) | Q(user_permissions=permission)
    on_this_blog = Q(memberships__blog_id=blog_id, memberships__role=Role.MODERATOR)
    moderates = on_this_blog if permission is None else network_wide | on_this_blog
    return (
        get_user_model()
        .objects.filter(moderates)
        .filter(is_active=True)
        .exclude(email="")
        .distinct()
    )


def badge_for(user: Any, post: Post) -> str:
    """An author answering under their own post is "Author"; any other staff is "Official".

    Only a signed-in account earns a badge: anyone can type an official's name
    into the form.
    """
    if not (user and user.is_authenticated):
        return Comment.Badge.NONE
    if post.author.user_id is not None and post.author.user_id == user.pk:
        return Comment.Badge.AUTHOR
    if user.is_staff:
        return Comment.Badge.OFFICIAL
    return Comment.Badge.NONE


# --- When comments are open ---------------------------------------------------------


@dataclass(frozen=True)
class CommentsState:
    """Whether a post takes comments, and if not, the notice readers see instead."""

    is_open: bool
    notice: str = ""


def comments_state(
    post: Post,
    *,
    closures: list[CommentClosure],
    policy: BlogCommentPolicy | None,
    now: datetime | None = None,
) -> CommentsState:
    """Decide from closures in force and the blog's policy; makes no query.

    A network-wide closure (the election switch) speaks first, then the blog's,
    then the post's own; a blog's "close after N days" comes last.
    """
    now = now or timezone.now()
    if not post.is_live:
        return CommentsState(False, _("Comments open when this post is published."))
    ranked = sorted(closures, key=lambda c: (not c.is_network_wide, c.post_id is not None))
    if ranked:
        closure = ranked[0]
        if closure.note:
            return CommentsState(False, closure.note)
        if closure.is_network_wide:
            return CommentsState(False, _("Comments are closed across the network for now."))
        if closure.post_id is None:
            return CommentsState(False, _("Comments are closed on this blog."))
        return CommentsState(False, _("Comments are closed on this post."))
    closes_after = policy.close_after_days if policy is not None else None
    published = post.published_at
    if closes_after is not None and published and published + timedelta(days=closes_after) <= now:
        return CommentsState(
            False,
            _("Comments on this post closed %(days)s days after it was published.")
            % {"days": closes_after},
        )
    return CommentsState(True)


def closures_for(post: Post) -> list[CommentClosure]:
    """Closures in force that reach ``post``: its own, its blog's and the network's."""
    return list(
        CommentClosure.objects.in_force().filter(
            Q(blog__isnull=True, post__isnull=True) | Q(blog_id=post.blog_id) | Q(post_id=post.pk)
        )
    )


def policy_for(blog_id: int) -> BlogCommentPolicy | None:
    return BlogCommentPolicy.objects.filter(blog_id=blog_id).first()


@dataclass(frozen=True)
class CommentRules:
    """Every closure not yet ended and every blog's policy: a few rows for the network.

    Kept between requests (see ``comments_state_for``); whether a closure is in
    force is decided against the clock of each request, not when they were read.
    """

    closures: tuple[CommentClosure, ...]
    policies: dict[int, BlogCommentPolicy]

    @classmethod
    def read(cls) -> CommentRules:
        now = timezone.now()
        closures = CommentClosure.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        policies = {policy.blog_id: policy for policy in BlogCommentPolicy.objects.all()}
        return cls(closures=tuple(closures), policies=policies)

    def closures_for(self, post: Post, *, now: datetime) -> list[CommentClosure]:
        return [
            closure
            for closure in self._reaching(post)
            if closure.starts_at <= now and (closure.ends_at is None or closure.ends_at > now)
        ]

    def next_change_for(self, post: Post, *, now: datetime) -> datetime | None:
        """The next moment ``post``'s comments open or close by the clock alone.

        That is when a closure reaching it starts or ends, or when the blog's
        "close after N days" comes round; a page showing the form or the notice is
        true only until then.
        """
        moments = [
            moment
            for closure in self._reaching(post)
            for moment in (closure.starts_at, closure.ends_at)
            if moment is not None and moment > now
        ]
        policy = self.policies.get(post.blog_id)
        if policy is not None and policy.close_after_days is not None and post.published_at:
            closes_at = post.published_at + timedelta(days=policy.close_after_days)
            if closes_at > now:
                moments.append(closes_at)
        return min(moments, default=None)

    def _reaching(self, post: Post) -> list[CommentClosure]:
        return [
            closure
            for closure in self.closures
            if closure.is_network_wide
            or closure.blog_id == post.blog_id
            or closure.post_id == post.pk
        ]


def comments_state_for(post: Post, request: HttpRequest | None = None) -> CommentsState:
    """The state of ``post``'s comments.

    Given the request of a page, the rules are read from a fragment kept under
    ``COMMENT_RULES`` (no query at all); otherwise two queries, which is what a
    comment being submitted gets: it must see the rules as they are this instant.
    """
    if request is None:
        return comments_state(post, closures=closures_for(post), policy=policy_for(post.blog_id))
    rules = cached_fragment(
        request, name="comment-rules", keys=[COMMENT_RULES], render=CommentRules.read
    )
    now = timezone.now()
    next_change = rules.next_change_for(post, now=now)
    if next_change is not None:
        keep_no_later_than(request, next_change)
    return comments_state(
        post,
        closures=rules.closures_for(post, now=now),
        policy=rules.policies.get(post.blog_id),
        now=now,
    )


# --- What a new comment becomes -----------------------------------------------------------


def is_trusted_commenter(email: str) -> bool:
    """Someone with an approved comment and no spam from the same address.

    The address is not verified, so trust is only a shortcut past the queue for
    comments the spam rules find clean; anything suspicious is still held.
    """
    statuses = set(
        Comment.objects.by_address(email)
        .filter(status__in=[Comment.Status.APPROVED, Comment.Status.SPAM])
        .values_list("status", flat=True)
        .distinct()
    )
    return Comment.Status.APPROVED in statuses and Comment.Status.SPAM not in statuses


def initial_status(
    *,
    assessment: SpamAssessment,
    policy: BlogCommentPolicy | None,
    trusted_commenter: bool,
    badge: str,
) -> Comment.Status:
    """Pre-moderation unless the blog trusts known commenters and this one is clean."""
    if badge:
        return Comment.Status.APPROVED
    if assessment.is_spam:
        return Comment.Status.SPAM
    trusting = policy is not None and policy.moderation == BlogCommentPolicy.Moderation.TRUST_KNOWN
    if trusting and trusted_commenter and not assessment.must_be_held:
        return Comment.Status.APPROVED
    return Comment.Status.PENDING


# --- How fast moderators answer --------------------------------------------------------


def median_response_time() -> timedelta | None:
    """The median time from submission to a moderator's first decision, recently."""
    seconds = list(
        Comment.objects.filter(response_seconds__isnull=False)
        .order_by("-decided_at")
        .values_list("response_seconds", flat=True)[:RESPONSE_TIME_SAMPLE]
    )
    if not seconds:
        return None
    return timedelta(seconds=round(statistics.median(seconds)))
