"""What every studio page shares: signed-in staff only, and the navigation's context."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from despatch.accounts import roles
from despatch.accounts.models import Role
from despatch.posts import permissions


def moderation_url() -> str:
    """The moderation queue's address, once the conversations app serves it."""
    for name in (
        "conversations:moderation",
        "conversations:queue",
        "conversations:moderation-queue",
    ):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


class StudioMixin(LoginRequiredMixin):
    """Studio pages are for staff: anyone signed in with a role, or an admin."""

    request: HttpRequest
    section = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not roles.is_staff_member(request.user):
            raise PermissionDenied("The studio is for the network's writers and editors.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        parent = getattr(super(), "get_context_data", None)
        context = parent(**kwargs) if parent is not None else dict(kwargs)
        context.update(studio_context(self.request, section=self.section))
        return context


def studio_context(request: HttpRequest, *, section: str) -> dict[str, Any]:
    """What the studio's navigation needs to know about the person."""
    user = request.user
    return {
        "section": section,
        "is_admin": roles.is_admin(user),
        "can_write": roles.is_admin(user)
        or roles.has_any_role(user, Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR),
        "is_editor": roles.is_admin(user) or roles.has_any_role(user, Role.EDITOR),
        "can_moderate": user.has_perm("conversations.moderate_comments"),
        "moderation_url": moderation_url(),
    }


class AdminOnlyMixin(StudioMixin):
    """Users, roles, blogs' settings and the audit log are for admins."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not permissions.can_manage_network(request.user):
            raise PermissionDenied("Only admins manage people, blogs and the audit log.")
        return super().dispatch(request, *args, **kwargs)
