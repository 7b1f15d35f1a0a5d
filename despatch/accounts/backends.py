"""The authentication backend: passwords with throttling, and permissions from roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import roles, throttling
from .audit import client_ip


class AccountBackend(ModelBackend):
    """Django's model backend, refusing locked names and addresses, aware of roles.

    Refusal happens here rather than in a view so that every sign-in form (the
    studio's, the admin's) is throttled alike.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        name = username or kwargs.get("username") or ""
        if throttling.seconds_locked(username=name, ip=client_ip(request)):
            # Stops every backend at once: the right password does not open a lock.
            raise PermissionDenied("Sign-in is locked for a while after failed attempts.")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        permissions = set(super().get_all_permissions(user_obj, obj))
        if obj is None and user_obj.is_active and not user_obj.is_anonymous:
            permissions |= roles.role_permissions(user_obj)
        return permissions

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if obj is not None:
            blog_id = getattr(obj, "blog_id", None)
            if blog_id is None and obj._meta.label_lower == "blogs.blog":
                blog_id = obj.pk
            if blog_id is None or not user_obj.is_active:
                return False
            return any(
                perm in roles.ROLE_PERMISSIONS.get(role, frozenset())
                for role in roles.roles_on(user_obj, blog_id)
            )
        return user_obj.is_active and perm in self.get_all_permissions(user_obj)
