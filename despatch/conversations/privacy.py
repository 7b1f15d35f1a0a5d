"""Commenters' personal data (C8): what is kept, for how long, and how to hand it over
or erase it; and the one hard delete the app allows, the purge of old spam.

A commenter's e-mail address and IP address are kept only for moderation:
neither is ever shown to readers, IP addresses are dropped after the retention
period, and everything stored under one address can be exported or erased.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Comment, ModerationLogEntry, normalise_email
from .services import refresh_pages_showing


def commenter_export(*, email: str) -> dict[str, Any]:
    """Everything stored about the comments written with ``email``, ready for JSON.

    The log records that an export was made, never for whom.
    """
    comments = list(Comment.objects.by_address(email).select_related("post__blog").order_by("pk"))
    ModerationLogEntry.objects.create(
        action=ModerationLogEntry.Action.EXPORT,
        note=_("%(count)s comment(s) exported") % {"count": len(comments)},
    )
    return {
        "email": normalise_email(email),
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "id": comment.pk,
                "post": comment.post.title,
                "post_url": comment.post.get_absolute_url(),
                "in_reply_to": comment.parent_id,
                "name": comment.author_name,
                "email": comment.author_email,
                "website": comment.author_website,
                "comment": comment.body,
                "status": comment.status,
                "submitted_at": comment.submitted_at.isoformat(),
                "decided_at": comment.decided_at.isoformat() if comment.decided_at else None,
                "ip_address": comment.ip_address,
                "email_me_replies": comment.notify_on_reply,
            }
            for comment in comments
        ],
    }


@transaction.atomic
def commenter_erase(*, email: str, remove_text: bool = False, by: Any = None) -> int:
    """Anonymise every comment written with ``email``; return how many there were.

    Name, address, website and IP go; the text stays (it is part of a public
    conversation others answered) unless ``remove_text`` asks for it to go too.
    The log records that an erasure happened, never the address erased.
    """
    comments = list(
        Comment.objects.by_address(email).select_related("post").select_for_update(of=("self",))
    )
    for comment in comments:
        comment.author_name = _("Former commenter")
        comment.author_email = ""
        comment.author_website = ""
        comment.ip_address = None
        comment.notify_on_reply = False
        comment.user = None
        if remove_text:
            comment.body = _("[Removed at the commenter’s request.]")
        comment.save()
    if comments:
        # Cached pages and feeds still carry the name and words just erased.
        refresh_pages_showing(posts={(each.post_id, each.post.blog_id) for each in comments})
        ModerationLogEntry.objects.create(
            actor=by,
            action=ModerationLogEntry.Action.ERASE,
            note=_("%(count)s comment(s) anonymised%(text)s")
            % {"count": len(comments), "text": _(", text removed") if remove_text else ""},
        )
    return len(comments)


def retention_cutoff(days: int, *, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=days)


@transaction.atomic
def personal_data_prune(*, older_than_days: int, dry_run: bool = False) -> int:
    """Drop the IP addresses of comments submitted more than ``older_than_days`` ago."""
    stale = Comment.objects.filter(
        ip_address__isnull=False, submitted_at__lt=retention_cutoff(older_than_days)
    )
    if dry_run:
        return stale.count()
    dropped = stale.update(ip_address=None)
    if dropped:
        ModerationLogEntry.objects.create(
            action=ModerationLogEntry.Action.PRUNE,
            note=_("%(count)s IP address(es) older than %(days)s days")
            % {"count": dropped, "days": older_than_days},
        )
    return dropped


@transaction.atomic
def spam_purge(*, older_than_days: int, dry_run: bool = False) -> int:
    """Delete spam decided more than ``older_than_days`` ago: the only hard delete.

    What the spam model learned from those comments stays learned.
    """
    cutoff = retention_cutoff(older_than_days)
    old_spam = Comment.objects.filter(status=Comment.Status.SPAM, decided_at__lt=cutoff)
    if dry_run:
        return old_spam.count()
    _total, by_model = old_spam.delete()
    purged_comments = by_model.get(Comment._meta.label, 0)
    if purged_comments:
        ModerationLogEntry.objects.create(
            action=ModerationLogEntry.Action.PURGE,
            note=_("%(count)s spam comment(s) older than %(days)s days")
            % {"count": purged_comments, "days": older_than_days},
        )
    return purged_comments
