"""Keep the sign-in throttle and the audit log in step with Django's sign-in signals."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import throttling
from .audit import audit_record, client_ip
from .models import AuditLogEntry


def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    if throttling.record_failure(username=username, ip=client_ip(request)):
        audit_record(
            actor=None,
            action=AuditLogEntry.Action.SIGN_IN_LOCKED,
            details={"username": username[:150]},
            request=request,
        )


def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    throttling.record_success(username=user.get_username())
