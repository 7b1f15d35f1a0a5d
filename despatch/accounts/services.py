"""Changes to accounts that touch more than one row or leave a trace in the audit log."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .audit import audit_record
from .models import AuditLogEntry, User


def inactive_staff(*, days: int, now: datetime | None = None) -> QuerySet[User]:
    """Active staff (admins, Django staff, role holders) who have not signed in for ``days``.

    Someone who never signed in counts from the day the account was made, so
    an invitation nobody took up also lapses.
    """
    cutoff = (now or timezone.now()) - timedelta(days=days)
    staff = Q(is_superuser=True) | Q(is_staff=True) | Q(memberships__isnull=False)
    unused = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(staff)
        .filter(unused)
        .distinct()
        .order_by("username")
    )


def staff_deactivate_inactive(
    *, days: int | None = None, dry_run: bool = False, now: datetime | None = None
) -> list[User]:
    """Deactivate staff accounts unused for ``days`` (default: the setting); return them.

    A deactivated account keeps its posts, roles and history and can be
    switched back on by an admin; it just cannot sign in.
    """
    period = days if days is not None else settings.DESPATCH_STAFF_INACTIVE_DAYS
    users = list(inactive_staff(days=period, now=now))
    if dry_run:
        return users
    for user in users:
        with transaction.atomic():
            get_user_model().objects.filter(pk=user.pk).update(is_active=False)
            user.is_active = False
            audit_record(
                actor=None,
                action=AuditLogEntry.Action.DEACTIVATE,
                subject=user,
                details={
                    "inactive_days": period,
                    "last_login": user.last_login.isoformat() if user.last_login else None,
                },
            )
    return users


@transaction.atomic
def user_create(
    *, username: str, email: str, first_name: str = "", last_name: str = "", by: User | None
) -> User:
    """Make an account whose password nobody knows; the person chooses one from the e-mail.

    A random password rather than an unusable one: Django sends reset links only
    to accounts with a usable password.
    """
    user = get_user_model().objects.create(
        username=username, email=email, first_name=first_name, last_name=last_name
    )
    user.set_password(secrets.token_urlsafe(32))
    user.save(update_fields=["password"])
    audit_record(actor=by, action=AuditLogEntry.Action.USER_CREATE, subject=user)
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool, by: User | None) -> None:
    """Switch an account on or off (an admin bringing back a deactivated colleague)."""
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    if not is_active:
        audit_record(actor=by, action=AuditLogEntry.Action.DEACTIVATE, subject=user)
    else:
        # Counted from now, or the next daily run would deactivate them again.
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        audit_record(actor=by, action=AuditLogEntry.Action.REACTIVATE, subject=user)
