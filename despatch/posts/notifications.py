"""E-mails about the review of a post: to editors on a submission, to the author on a decision.

Sent from a background task after the commit, so a click in the studio never
waits on a mail server.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_tasks import task

from despatch.accounts.models import Role
from despatch.accounts.roles import members_of

from .models import Post
from .signals import post_published

logger = logging.getLogger(__name__)

SUBJECTS = {
    "submitted": _("For review: “%(title)s”"),
    "changes_requested": _("Changes asked for: “%(title)s”"),
    "approved": _("Approved: “%(title)s”"),
    "published": _("Now live: “%(title)s”"),
}


def _studio_link(post: Post) -> str:
    try:
        return settings.SITE_URL + reverse("studio:post-edit", kwargs={"pk": post.pk})
    except NoReverseMatch:
        return settings.SITE_URL


@task()
def send_workflow_email(post_id: int, kind: str, actor_id: int | None) -> int:
    """Send one workflow e-mail; returns the number of people it went to."""
    post = Post.objects.select_related("blog", "author__user").filter(pk=post_id).first()
    if post is None or kind not in SUBJECTS:
        return 0
    if kind == "submitted":
        people = members_of(post.blog_id, Role.EDITOR)
    else:
        author = post.author.user
        people = [author] if author is not None and author.is_active else []
    addresses = sorted({p.email for p in people if p.email and p.pk != actor_id})
    if not addresses:
        return 0
    subject = SUBJECTS[kind] % {"title": post.title}
    if kind == "published":
        body = _("“%(title)s” is now live on %(blog)s:\n\n%(url)s\n") % {
            "title": post.title,
            "blog": post.blog.name,
            "url": settings.SITE_URL + post.get_absolute_url(),
        }
    else:
        body = _("“%(title)s” on %(blog)s — open it in the studio:\n\n%(url)s\n") % {
            "title": post.title,
            "blog": post.blog.name,
            "url": _studio_link(post),
        }
    send_mail(subject, body, None, addresses)
    return len(addresses)


def workflow_notify(*, post_id: int, kind: str, actor_id: int | None) -> None:
    send_workflow_email.enqueue(post_id=post_id, kind=kind, actor_id=actor_id)


def tell_author_post_is_live(sender: type[Post], post: Post, **kwargs: object) -> None:
    """Connected to ``post_published``: the author hears once that their post is out.

    Enqueued inside the announcement's transaction: with the database task
    backend the e-mail task exists if and only if the announcement committed.
    """
    workflow_notify(post_id=post.pk, kind="published", actor_id=None)


def connect() -> None:
    post_published.connect(tell_author_post_is_live, dispatch_uid="posts.tell_author")
