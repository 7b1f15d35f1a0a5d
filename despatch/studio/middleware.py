"""The door to the studio and the admin: people whose role needs two factors pass with two.

Who needs a second factor is decided in ``accounts.two_factor``; this only
sends them to the second step (or to set one up) before any other page of
the studio or the admin, so no view can forget to check.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from despatch.accounts.two_factor import has_two_factor, is_verified, requires_two_factor

GUARDED_PREFIXES = ("/studio/", "/admin/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(GUARDED_PREFIXES) and not self._exempt(request.path):
            user = getattr(request, "user", None)
            if (
                user is not None
                and user.is_authenticated
                and requires_two_factor(user)
                and not is_verified(request)
            ):
                step = "studio:two-factor" if has_two_factor(user) else "studio:two-factor-setup"
                return redirect(f"{reverse(step)}?next={request.get_full_path()}")
        response = self.get_response(request)
        if request.path.startswith("/studio/"):
            # Nothing in the studio may be kept by a shared cache or the browser's history.
            response.setdefault("Cache-Control", "private, no-store")
        return response

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("studio:sign-in"),
            reverse("studio:sign-out"),
            reverse("studio:two-factor"),
            reverse("studio:two-factor-setup"),
            reverse("studio:password-reset"),
            reverse("studio:preview-link", kwargs={"token": "x"}).removesuffix("x/"),
            "/studio/static/",
        )
        return path.startswith(exempt) or path.startswith(reverse("studio:password-reset"))
