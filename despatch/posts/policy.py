"""A blog's settings as editors and admins change them, recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from despatch.accounts.audit import audit_record
from despatch.accounts.models import AuditLogEntry
from despatch.blogs.models import Blog

from . import permissions
from .models import PublishingPolicy


@transaction.atomic
def blog_settings_update(
    *, blog: Blog, changes: dict[str, Any], authors_may_publish: bool, by: Any
) -> Blog:
    """Change a blog's settings and its publishing policy (admins only), logging what changed."""
    if not permissions.can_manage_network(by):
        raise PermissionDenied("Only admins change a blog's settings.")
    changed: dict[str, Any] = {}
    for name, value in changes.items():
        if getattr(blog, name) != value:
            changed[name] = {"from": str(getattr(blog, name)), "to": str(value)}
            setattr(blog, name, value)
    blog.full_clean()
    blog.save()
    policy, _created = PublishingPolicy.objects.get_or_create(blog=blog)
    if policy.authors_may_publish != authors_may_publish:
        changed["authors_may_publish"] = {
            "from": policy.authors_may_publish,
            "to": authors_may_publish,
        }
        policy.authors_may_publish = authors_may_publish
        policy.save(update_fields=["authors_may_publish"])
    if changed:
        audit_record(
            actor=by, action=AuditLogEntry.Action.BLOG_SETTINGS, subject=blog, details=changed
        )
    return blog
