"""Middleware every response passes through: security headers, database outages and the
site's language and time zone."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

# Video embeds come only from the privacy-enhanced players that the renderer writes.
EMBED_ORIGINS = "https://www.youtube-nocookie.com https://player.vimeo.com"


def content_security_policy(style_hashes: set[str]) -> str:
    """Return the Content-Security-Policy header: only our own scripts, styles and frames.

    Inline ``<style>`` blocks (a blog's accent colour) are allowed by their hash,
    never by ``'unsafe-inline'``.
    """
    styles = " ".join(["'self'", *(f"'{digest}'" for digest in sorted(style_hashes))])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data: https:",
            "media-src 'self' https:",
            f"frame-src {EMBED_ORIGINS}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecureHeadersMiddleware:
    """Add the Content-Security-Policy and Permissions-Policy headers to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_style_hashes = set()  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(
                request.csp_style_hashes  # type: ignore[attr-defined]
            )
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        return response


class SiteLocaleMiddleware:
    """Make the site's language and time zone the active ones while a request is answered.

    Django falls back to both when none is active, but only after asgiref's
    ``Local`` has raised and caught an exception, at every look-up; a page makes
    a hundred of them (each translated string, date and kept fragment).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        translation.activate(settings.LANGUAGE_CODE)
        timezone.activate(timezone.get_default_timezone())
        try:
            return self.get_response(request)
        finally:
            translation.deactivate()
            timezone.deactivate()


class DatabaseUnavailableMiddleware:
    """Answer 503 with ``Retry-After`` when the database cannot be reached.

    Readers get a plain page instead of a traceback, and the next request tries
    the database again, so the site recovers by itself when it comes back.
    """

    retry_after_seconds = 30

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as error:
            return self._unavailable(error)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            return self._unavailable(exception)
        return None

    def _unavailable(self, error: Exception) -> HttpResponse:
        logger.error("Database unavailable: %s", error)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.retry_after_seconds)
        response["Cache-Control"] = "no-store"
        return response
