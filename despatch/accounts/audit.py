"""Writing the audit log: one function that every consequential act calls."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import AuditLogEntry


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from, as Django sees it (the proxy sets REMOTE_ADDR)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditLogEntry:
    """Add one entry to the audit log; ``subject`` is any model instance, or nothing."""
    person = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditLogEntry.objects.create(
        actor=person,
        actor_name=(person.get_username() if person is not None else ""),
        action=action,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        subject_label=str(subject)[:250] if subject is not None else "",
        details=details or {},
        ip_address=client_ip(request),
    )


def audit_entries(
    *, action: str = "", actor_id: int | None = None, subject_type: str = ""
) -> QuerySet[AuditLogEntry]:
    """The log, newest first, narrowed by what an admin asked for."""
    entries = AuditLogEntry.objects.select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if subject_type:
        entries = entries.filter(subject_type=subject_type)
    return entries.order_by("-at", "-id")
