"""Background work on accounts, run by ``despatch worker``."""

from __future__ import annotations

from django_tasks import task

from .services import staff_deactivate_inactive


@task()
def deactivate_inactive_staff() -> int:
    """Deactivate staff accounts unused for the configured period; run daily by the worker."""
    return len(staff_deactivate_inactive())
