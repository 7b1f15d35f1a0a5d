"""Publishing a post: the one place that decides what publication changes.

Publishing is two steps. ``post_publish`` makes the post live (now, or at a
future time) and marks it as owed an announcement. The announcement, the
side effects that must happen once per publication (feeds, search, WebSub,
notifications, federation), is done by ``post_announce``, which a background
task runs: straight after the commit when published now, and from the
worker's regular sweep when a scheduled time comes. A post is readable from
its time on whatever the worker does (``Post.objects.published()``); the
announcement is claimed with a conditional update, so two workers, a retry
or a restart never do it twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from despatch.accounts.audit import audit_record
from despatch.accounts.models import AuditLogEntry

from . import permissions
from .models import Post
from .permissions import PostAction
from .signals import post_published, post_unpublished
from .statistics import refresh_blog_statistics

logger = logging.getLogger(__name__)


def freeze_signature(post: Post) -> None:
    """Copy the author's current job title and location onto the post (R10).

    A post keeps the signature it was published under: an ambassador who moves
    on still wrote last year's posts as ambassador to the old posting.
    """
    if not post.author_job_title and not post.author_location:
        post.author_job_title = post.author.job_title
        post.author_location = post.author.location


def publication_problems(post: Post) -> list[str]:
    """What stops a post going out: no title, no text, a picture without a description,
    a video without a transcript. Empty when it is ready."""
    from despatch.core.rendering import images_missing_alt

    from .lifecycle import videos_missing_transcript

    problems = []
    if not post.title.strip():
        problems.append(_("Give the post a title."))
    if not post.body_source.strip():
        problems.append(_("Write the post before it goes out."))
    for src in images_missing_alt(post.body_source):
        problems.append(
            _("Describe the picture %(src)s for readers who cannot see it.") % {"src": src}
        )
    if post.top_image and not post.top_image_alt.strip():
        problems.append(_("Describe the top image for readers who cannot see it."))
    for src in videos_missing_transcript(post.body_source):
        problems.append(_("Add a transcript under the video %(src)s.") % {"src": src})
    return problems


@transaction.atomic
def post_publish(*, post: Post, at: datetime | None = None, by: Any = None) -> Post:
    """Publish ``post`` now, or schedule it for ``at`` if that is in the future.

    With ``by`` (a person), their right to publish is checked and the act is
    written to the audit log; without it the caller is the system (imports,
    the demo), which answers for itself. Publishing an already published post
    again changes nothing unless a new time is given.
    """
    if by is not None:
        permissions.require(by, PostAction.PUBLISH, post)
        problems = publication_problems(post)
        if problems:
            raise ValidationError(problems, code="not_ready")
    now = timezone.now()
    if post.status == Post.Status.PUBLISHED and at is None:
        return post
    when = at or now
    target = Post.Status.SCHEDULED if when > now else Post.Status.PUBLISHED
    if post.status != target or target == Post.Status.SCHEDULED:
        post.transition_to(target)
    post.published_at = when
    post.awaiting_announcement = True
    freeze_signature(post)
    post.save()
    if by is not None:
        post.blog.authors.add(post.author)
        audit_record(
            actor=by,
            action=(
                AuditLogEntry.Action.SCHEDULE
                if target == Post.Status.SCHEDULED
                else AuditLogEntry.Action.PUBLISH
            ),
            subject=post,
            details={"published_at": when.isoformat(), "blog": post.blog.slug},
        )
    post_id = post.pk
    if target == Post.Status.PUBLISHED:
        transaction.on_commit(lambda: _enqueue_announcement(post_id))
    else:
        transaction.on_commit(lambda: _enqueue_announcement(post_id, run_after=when))
    return post


def _enqueue_announcement(post_id: int, run_after: datetime | None = None) -> None:
    """Queue the announcement; a scheduled one only where the backend can wait.

    The worker's sweep announces any post whose time has come in any case,
    so a backend that cannot defer (or a lost task) delays it by a minute at most.
    """
    from django_tasks import default_task_backend

    from .tasks import announce_post

    if run_after is None:
        announce_post.enqueue(post_id=post_id)
    elif default_task_backend.supports_defer:
        announce_post.using(run_after=run_after).enqueue(post_id=post_id)


@transaction.atomic
def post_unpublish(*, post: Post, by: Any = None) -> Post:
    """Take ``post`` off the site (or out of the schedule); it becomes a draft, its date kept."""
    if by is not None:
        permissions.require(by, PostAction.UNPUBLISH, post)
    if post.status == Post.Status.DRAFT:
        return post
    was_live = post.is_live
    post.transition_to(Post.Status.DRAFT)
    post.awaiting_announcement = False
    post.save()
    if by is not None:
        audit_record(
            actor=by,
            action=AuditLogEntry.Action.UNPUBLISH,
            subject=post,
            details={"blog": post.blog.slug, "was_live": was_live},
        )
    if was_live:
        post_unpublished.send(sender=Post, post=post)
    return post


def post_announce(*, post_id: int) -> bool:
    """Do the side effects of a post's publication, once; return whether this call did them.

    The claim and the receivers of ``post_published`` share one transaction:
    if a receiver fails, the claim is undone and the next sweep tries again.
    Receivers that reach outside the database should enqueue a task of their
    own, which with the database backend is part of the same transaction.
    """
    with transaction.atomic():
        claimed = (
            Post.objects.due_for_announcement()
            .filter(pk=post_id)
            .update(awaiting_announcement=False, status=Post.Status.PUBLISHED)
        )
        if not claimed:
            return False
        post = Post.objects.select_related("blog", "author").get(pk=post_id)
        # ``update`` bypassed the save signals: the archive and tag cloud count it now.
        refresh_blog_statistics(blog_ids=[post.blog_id])
        post_published.send(sender=Post, post=post)
    logger.info("Announced post %s (%s)", post.pk, post.get_absolute_url())
    return True


def announce_due_posts() -> int:
    """Announce every live post still owed its announcement; return how many were done."""
    done = 0
    for post_id in Post.objects.due_for_announcement().values_list("id", flat=True)[:500]:
        done += post_announce(post_id=post_id)
    return done
