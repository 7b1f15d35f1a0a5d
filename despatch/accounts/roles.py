"""Who holds which role where: the one place that reads memberships.

Every check of a person's standing goes through these functions. They cache
a person's memberships on the user object for the rest of the request, so a
page that asks about twenty posts makes one query, not twenty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from .audit import audit_record
from .models import AuditLogEntry, Membership, Role, User

_CACHE_ATTRIBUTE = "_despatch_roles"

# Roles that include others: an editor can do whatever an author can, and an
# author whatever a contributor can, on the same blog.
IMPLIED_ROLES: dict[str, frozenset[str]] = {
    Role.EDITOR: frozenset({Role.EDITOR, Role.AUTHOR, Role.CONTRIBUTOR}),
    Role.AUTHOR: frozenset({Role.AUTHOR, Role.CONTRIBUTOR}),
    Role.CONTRIBUTOR: frozenset({Role.CONTRIBUTOR}),
    Role.MODERATOR: frozenset({Role.MODERATOR}),
}

# Django permissions that a role brings with it, answered by ``RoleBackend``, so
# code that asks ``user.has_perm(...)`` (the moderation queue) sees roles too.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MODERATOR: frozenset({"conversations.moderate_comments"}),
}

# Roles whose holders must sign in with a second factor (W6), with admins.
TWO_FACTOR_ROLES = frozenset({Role.EDITOR})


def is_admin(user: Any) -> bool:
    """Admins (superusers) may do everything: users, blogs, roles and every post."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def _memberships(user: Any) -> dict[int, frozenset[str]]:
    """The user's roles by blog id, with implied roles expanded; one query per request."""
    if not (user and user.is_authenticated and user.is_active):
        return {}
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    by_blog: dict[int, set[str]] = {}
    for blog_id, role in Membership.objects.filter(user_id=user.pk).values_list("blog_id", "role"):
        by_blog.setdefault(blog_id, set()).update(IMPLIED_ROLES.get(role, {role}))
    roles = {blog_id: frozenset(held) for blog_id, held in by_blog.items()}
    setattr(user, _CACHE_ATTRIBUTE, roles)
    return roles


def forget_roles(user: Any) -> None:
    """Drop the cached memberships after they change."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def roles_on(user: Any, blog_id: int | None) -> frozenset[str]:
    """The roles ``user`` holds on one blog, implied ones included."""
    if blog_id is None:
        return frozenset()
    return _memberships(user).get(blog_id, frozenset())


def has_role(user: Any, role: str, *, blog_id: int | None) -> bool:
    return role in roles_on(user, blog_id)


def blog_ids_with_role(user: Any, *roles: str) -> set[int]:
    """Blogs on which ``user`` holds any of ``roles``."""
    wanted = set(roles)
    return {blog_id for blog_id, held in _memberships(user).items() if held & wanted}


def has_any_role(user: Any, *roles: str) -> bool:
    return bool(blog_ids_with_role(user, *roles))


def role_permissions(user: Any) -> set[str]:
    """Django permission names that ``user``'s roles bring, on any blog."""
    held: set[str] = set()
    for roles in _memberships(user).values():
        for role in roles:
            held |= ROLE_PERMISSIONS.get(role, frozenset())
    return held


def is_staff_member(user: Any) -> bool:
    """Anyone who works on the site: admins, Django staff and every role holder."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_staff or _memberships(user))
    )


def members_of(blog_id: int, *roles: str) -> QuerySet[User]:
    """Active people holding one of ``roles`` on a blog, e.g. its editors, told of a submission."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__blog_id=blog_id, memberships__role__in=roles)
        .distinct()
    )


# --- Changing roles -----------------------------------------------------------------


@transaction.atomic
def membership_grant(*, user: User, blog: Any, role: str, by: User | None) -> Membership:
    """Give ``user`` ``role`` on ``blog`` (no change if they hold it), and log it."""
    membership, created = Membership.objects.get_or_create(
        user=user, blog=blog, role=role, defaults={"granted_by": by}
    )
    if created:
        audit_record(
            actor=by,
            action=AuditLogEntry.Action.ROLE_GRANT,
            subject=user,
            details={"role": role, "blog": str(blog), "blog_id": blog.pk},
        )
    forget_roles(user)
    return membership


@transaction.atomic
def membership_revoke(*, user: User, blog: Any, role: str, by: User | None) -> bool:
    """Take ``role`` on ``blog`` away from ``user``; return whether they held it."""
    deleted, _rows = Membership.objects.filter(user=user, blog=blog, role=role).delete()
    if deleted:
        audit_record(
            actor=by,
            action=AuditLogEntry.Action.ROLE_REVOKE,
            subject=user,
            details={"role": role, "blog": str(blog), "blog_id": blog.pk},
        )
    forget_roles(user)
    return bool(deleted)


@transaction.atomic
def memberships_set(
    *, user: User, blog: Any, roles: Iterable[str], by: User | None
) -> tuple[set[str], set[str]]:
    """Make ``user``'s roles on ``blog`` exactly ``roles``; return (granted, revoked)."""
    wanted = set(roles) & set(Role.values)
    held = set(Membership.objects.filter(user=user, blog=blog).values_list("role", flat=True))
    for role in sorted(wanted - held):
        membership_grant(user=user, blog=blog, role=role, by=by)
    for role in sorted(held - wanted):
        membership_revoke(user=user, blog=blog, role=role, by=by)
    return wanted - held, held - wanted


@transaction.atomic
def admin_set(*, user: User, is_admin: bool, by: User | None) -> bool:
    """Make ``user`` an admin (superuser with the Django admin) or take it away."""
    if user.is_superuser == is_admin:
        return False
    user.is_superuser = is_admin
    user.is_staff = is_admin
    user.save(update_fields=["is_superuser", "is_staff"])
    audit_record(
        actor=by,
        action=AuditLogEntry.Action.ADMIN_GRANT if is_admin else AuditLogEntry.Action.ADMIN_REVOKE,
        subject=user,
    )
    return True
