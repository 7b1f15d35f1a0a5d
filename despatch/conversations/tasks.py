"""E-mails about comments, sent from background tasks so a request never waits on SMTP.

Tasks are enqueued with ``transaction.on_commit`` by the services: with the
default immediate backend they run straight after the commit; pointing
``TASKS`` at a queue backend and running a worker moves them out of the
request with no change here. Each takes only a comment's id, and re-reads
the comment, so a late run sends what is true then.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Comment, normalise_email

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "conversations.unsubscribe-replies"


def unsubscribe_token(email: str) -> str:
    """A signed token naming an address, good for stopping reply e-mails to it."""
    return signing.dumps(normalise_email(email), salt=UNSUBSCRIBE_SALT, compress=True)


def email_from_unsubscribe_token(token: str) -> str | None:
    try:
        return str(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except signing.BadSignature:
        return None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@task()
def notify_new_comment(comment_id: int) -> int:
    """Tell the post's author and the moderators that a comment has arrived.

    Returns how many e-mails were sent. Whoever wrote the comment is not told
    about their own words.
    """
    from .moderation import moderators_to_notify

    comment = (
        Comment.objects.select_related("post__blog", "post__author__user")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.status == Comment.Status.SPAM:
        return 0
    # Address -> whether it is the post's author (who gets a differently worded e-mail).
    recipients: dict[str, bool] = {}
    author_user = comment.post.author.user
    if author_user is not None and author_user.is_active and author_user.email:
        recipients[normalise_email(author_user.email)] = True
    for moderator in moderators_to_notify(comment.post.blog_id):
        recipients.setdefault(normalise_email(moderator.email), False)
    recipients.pop(comment.author_email, None)
    if not recipients:
        return 0
    context = {
        "comment": comment,
        "post": comment.post,
        "post_url": absolute(comment.post.get_absolute_url()),
        "queue_url": absolute(reverse("conversations:queue")),
        "network_name": settings.NETWORK_NAME,
        "awaits_moderation": comment.status == Comment.Status.PENDING,
    }
    subject = _("New comment on “%(title)s”") % {"title": comment.post.title}
    messages = [
        EmailMessage(
            subject=subject,
            body=render_to_string(
                "conversations/email/new_comment.txt", {**context, "to_author": to_author}
            ),
            to=[address],
        )
        for address, to_author in recipients.items()
    ]
    return get_connection().send_messages(messages) or 0


@task()
def notify_reply(comment_id: int) -> int:
    """Tell a commenter who asked for it that their comment has a published reply."""
    reply = Comment.objects.select_related("parent", "post__blog").filter(pk=comment_id).first()
    if reply is None or reply.status != Comment.Status.APPROVED or reply.parent is None:
        return 0
    parent = reply.parent
    if not (parent.notify_on_reply and parent.author_email) or (
        parent.author_email == reply.author_email
    ):
        return 0
    unsubscribe_url = absolute(
        reverse(
            "conversations:unsubscribe", kwargs={"token": unsubscribe_token(parent.author_email)}
        )
    )
    body = render_to_string(
        "conversations/email/reply.txt",
        {
            "reply": reply,
            "parent": parent,
            "post": reply.post,
            "reply_url": absolute(reply.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url,
            "network_name": settings.NETWORK_NAME,
        },
    )
    message = EmailMessage(
        subject=_("A reply to your comment on “%(title)s”") % {"title": reply.post.title},
        body=body,
        to=[parent.author_email],
        headers={
            # RFC 8058: mail clients offer a one-click "unsubscribe" that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    return message.send()
