"""What needs each person's attention in the studio, each list one query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from despatch.accounts import roles
from despatch.accounts.models import Role

from .models import Post
from .permissions import visible_posts


def studio_posts(user: Any) -> QuerySet[Post]:
    """The posts ``user`` sees in the studio, with what a row shows, latest change first."""
    return (
        visible_posts(user)
        .select_related("blog", "author")
        .defer("body_html", "blog__description", "author__biography")
        .order_by("-updated_at", "-id")
    )


@dataclass
class Worklist:
    drafts: list[Post]
    to_review: list[Post]
    in_review: list[Post]
    scheduled: list[Post]
    recently_published: list[Post]


def worklist(user: Any, *, limit: int = 10) -> Worklist:
    """The dashboard: your drafts, what waits for your review, what is scheduled, what went out."""
    mine = studio_posts(user).filter(author__user_id=user.pk)
    if roles.is_admin(user):
        reviewable = studio_posts(user)
    else:
        reviewable = studio_posts(user).filter(
            blog_id__in=roles.blog_ids_with_role(user, Role.EDITOR)
        )
    now = timezone.now()
    return Worklist(
        drafts=list(mine.filter(status=Post.Status.DRAFT)[:limit]),
        to_review=list(
            reviewable.filter(status__in=[Post.Status.IN_REVIEW, Post.Status.APPROVED])
            .exclude(author__user_id=user.pk)
            .order_by("updated_at")[:limit]
        ),
        in_review=list(
            mine.filter(status__in=[Post.Status.IN_REVIEW, Post.Status.APPROVED])[:limit]
        ),
        scheduled=list(
            studio_posts(user)
            .filter(status=Post.Status.SCHEDULED, published_at__gt=now)
            .order_by("published_at")[:limit]
        ),
        recently_published=list(studio_posts(user).published().order_by("-published_at")[:limit]),
    )
