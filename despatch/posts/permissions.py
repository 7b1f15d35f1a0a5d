"""Who may do what to a post (W1): the permission matrix, in one place.

Roles are held per blog (``accounts.roles``). The matrix here turns a role on
the post's blog, and whether the post is the person's own, into a yes or no
for each action. Whether the post's current status allows the step at all is
the lifecycle's business (``Post.TRANSITIONS``); ``available_actions`` joins
the two for the studio's buttons.

Every service that changes a post calls ``require`` with the person acting,
so a view, a tampered form, the admin or any later API is refused alike.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from despatch.accounts import roles
from despatch.accounts.models import Role

from .models import Post, PublishingPolicy


class PostAction(models.TextChoices):
    VIEW = "view", _("See in the studio")
    EDIT = "edit", _("Edit")
    SUBMIT = "submit", _("Submit for review")
    WITHDRAW = "withdraw", _("Withdraw to draft")
    COMMENT = "comment", _("Comment on the review")
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Ask for changes")
    PUBLISH = "publish", _("Publish or schedule")
    UNPUBLISH = "unpublish", _("Unpublish")
    SHARE_PREVIEW = "share_preview", _("Share a private preview")
    FEATURE = "feature", _("Pick as a best bit")


# What the owner of a post may do with it, by their role on its blog.
_OWNER_ACTIONS = frozenset(
    {
        PostAction.VIEW,
        PostAction.EDIT,
        PostAction.SUBMIT,
        PostAction.WITHDRAW,
        PostAction.COMMENT,
        PostAction.SHARE_PREVIEW,
    }
)
_PUBLISHER_ACTIONS = frozenset({PostAction.PUBLISH, PostAction.UNPUBLISH})
# Whatever an owner without publish rights may not touch once the post is out.
_LOCKED_WHEN_LIVE = frozenset({PostAction.EDIT})


def authors_may_publish(blog_id: int) -> bool:
    """Whether the blog lets authors publish their own posts without an editor."""
    return PublishingPolicy.objects.filter(blog_id=blog_id, authors_may_publish=True).exists()


def is_own(user: Any, post: Post) -> bool:
    author = post.author
    return author is not None and author.user_id is not None and author.user_id == user.pk


def can(user: Any, action: str, post: Post) -> bool:
    """Whether ``user`` may take ``action`` on ``post``, by role alone (not by status)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if roles.is_admin(user):
        return True
    held = roles.roles_on(user, post.blog_id)
    if Role.EDITOR in held:
        return True
    if not (held & {Role.AUTHOR, Role.CONTRIBUTOR}) or not is_own(user, post):
        return False
    may_publish = Role.AUTHOR in held and authors_may_publish(post.blog_id)
    if action in _PUBLISHER_ACTIONS:
        return may_publish
    if action in _LOCKED_WHEN_LIVE and post.status in {
        Post.Status.SCHEDULED,
        Post.Status.PUBLISHED,
    }:
        # Changing a live post publishes the change: only publishers may.
        return may_publish
    return action in _OWNER_ACTIONS


def require(user: Any, action: str, post: Post) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may take ``action`` on ``post``."""
    if not can(user, action, post):
        raise PermissionDenied(
            _("You may not %(action)s this post.") % {"action": PostAction(action).label.lower()}
        )


def can_write_on(user: Any, blog_id: int) -> bool:
    """Whether ``user`` may start a post on the blog."""
    return roles.is_admin(user) or bool(
        roles.roles_on(user, blog_id) & {Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR}
    )


def can_edit_blog(user: Any, blog_id: int) -> bool:
    """Editors look after their blog's media and best bits; admins after every blog."""
    return roles.is_admin(user) or roles.has_role(user, Role.EDITOR, blog_id=blog_id)


def can_manage_network(user: Any) -> bool:
    """Users, blogs' settings, roles, the network's best bits and the audit log: admins only."""
    return roles.is_admin(user)


def writable_blog_ids(user: Any) -> set[int] | None:
    """Blogs ``user`` can write on; ``None`` means every blog (an admin)."""
    if roles.is_admin(user):
        return None
    return roles.blog_ids_with_role(user, Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR)


def visible_posts(user: Any, queryset: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """The posts ``user`` sees in the studio: every post of blogs they edit, their own elsewhere."""
    posts = queryset if queryset is not None else Post.objects.all()
    if roles.is_admin(user):
        return posts
    edited = roles.blog_ids_with_role(user, Role.EDITOR)
    written = roles.blog_ids_with_role(user, Role.AUTHOR, Role.CONTRIBUTOR)
    return posts.filter(Q(blog_id__in=edited) | Q(blog_id__in=written, author__user_id=user.pk))


# Which lifecycle step each action takes, for the buttons the studio offers.
ACTION_TARGETS: dict[str, str] = {
    PostAction.SUBMIT: Post.Status.IN_REVIEW,
    PostAction.WITHDRAW: Post.Status.DRAFT,
    PostAction.REQUEST_CHANGES: Post.Status.DRAFT,
    PostAction.APPROVE: Post.Status.APPROVED,
    PostAction.PUBLISH: Post.Status.PUBLISHED,
    PostAction.UNPUBLISH: Post.Status.DRAFT,
}
# Steps that only make sense from particular states, beyond what the map allows.
ACTION_FROM: dict[str, frozenset[str]] = {
    PostAction.SUBMIT: frozenset({Post.Status.DRAFT}),
    PostAction.WITHDRAW: frozenset({Post.Status.IN_REVIEW, Post.Status.APPROVED}),
    PostAction.REQUEST_CHANGES: frozenset({Post.Status.IN_REVIEW, Post.Status.APPROVED}),
    PostAction.APPROVE: frozenset({Post.Status.IN_REVIEW}),
    PostAction.PUBLISH: frozenset(
        {Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.APPROVED, Post.Status.SCHEDULED}
    ),
    PostAction.UNPUBLISH: frozenset({Post.Status.SCHEDULED, Post.Status.PUBLISHED}),
}


def step_allowed(action: str, post: Post) -> bool:
    """Whether the post's status allows the step ``action`` takes."""
    if action not in ACTION_TARGETS:
        return True
    return post.status in ACTION_FROM[action] and post.can_transition_to(ACTION_TARGETS[action])


def available_actions(user: Any, post: Post) -> list[str]:
    """The lifecycle steps ``user`` may take on ``post`` now, in the order buttons show them."""
    return [
        action
        for action in ACTION_TARGETS
        if step_allowed(action, post) and can(user, action, post)
    ]
