"""Whole-page caching for anonymous readers, correct by construction.

Only pages whose views declared surrogate keys are cached, and a cached page is
served only while every key it was rendered with still has the same version (see
:mod:`despatch.core.surrogates`). Readers with a session cookie — signed-in staff,
anyone with a pending message — always get a fresh page and never fill the cache.

Page bodies are kept in each app server's own memory (the ``pages`` cache); the
small version stamps are shared, so an invalidation on one server is seen by all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.module_loading import import_string

from . import surrogates

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
CSRF_PLACEHOLDER = b'name="csrfmiddlewaretoken" value="\x00csrf\x00"'
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Surrogate-Key",
    "Cache-Tag",
    "Cache-Control",
    "Last-Modified",
    "ETag",
    "Link",
)


@dataclass
class CachedPage:
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    versions: dict[str, str]
    has_csrf_field: bool
    # The Content-Security-Policy is written further out, from the hashes of the
    # inline styles the page was rendered with; a replayed page brings them back.
    style_hashes: frozenset[str]


def _is_anonymous_read(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _cache_key(request: HttpRequest) -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    return "page:" + hashlib.sha256(address.encode()).hexdigest()


def _public_headers(response: HttpResponse, keys: set[str]) -> None:
    """Describe the page to CDNs: what it shows, and how long they may keep it."""
    tags = " ".join(sorted(keys))
    response["Surrogate-Key"] = tags
    response["Cache-Tag"] = tags.replace(" ", ",")
    if not response.has_header("Cache-Control"):
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.DESPATCH_CDN_MAX_AGE,
            stale_while_revalidate=60,
        )


def _seconds_to_keep() -> int:
    """Keep a page no longer than the configured time, nor past the next known change.

    ``DESPATCH_PAGE_CACHE_HORIZONS`` names functions returning the next time
    content changes by itself (a scheduled post going live), or ``None``.
    """
    seconds = settings.DESPATCH_PAGE_CACHE_SECONDS
    now = timezone.now()
    for path in settings.DESPATCH_PAGE_CACHE_HORIZONS:
        horizon = import_string(path)()
        if horizon is not None:
            seconds = min(seconds, max(1, int((horizon - now).total_seconds()) + 1))
    return seconds


class PageCacheMiddleware:
    """Serve and store whole pages for anonymous readers; see the module docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_anonymous_read(request):
            response = self.get_response(request)
            keys = getattr(request, "surrogate_keys", None)
            if keys and response.status_code == 200:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        if not settings.DESPATCH_PAGE_CACHE:
            return self._render(request, store=False)
        key = _cache_key(request)
        cached = self._lookup(key)
        if cached is not None:
            return self._replay(request, cached)
        return self._render(request, store=True, key=key)

    def _lookup(self, key: str) -> CachedPage | None:
        cached: CachedPage | None = caches["pages"].get(key)
        if cached is None:
            return None
        if surrogates.current_versions(cached.versions) != cached.versions:
            return None
        return cached

    def _render(self, request: HttpRequest, *, store: bool, key: str = "") -> HttpResponse:
        generation_before = surrogates.generation() if store else None
        response = self.get_response(request)
        keys: set[str] = getattr(request, "surrogate_keys", set())
        if not keys or response.status_code != 200 or response.streaming:
            return response
        _public_headers(response, keys)
        if store and self._storable(response):
            versions = surrogates.current_versions(keys)
            if (
                versions is not None
                and generation_before is not None
                and surrogates.generation() == generation_before
            ):
                self._store(key, response, versions, getattr(request, "csp_style_hashes", set()))
        return response

    @staticmethod
    def _storable(response: HttpResponse) -> bool:
        cookies = {name for name in response.cookies if name != settings.CSRF_COOKIE_NAME}
        cache_control = response.get("Cache-Control", "")
        return not cookies and "private" not in cache_control and "no-store" not in cache_control

    @staticmethod
    def _store(
        key: str, response: HttpResponse, versions: dict[str, str], style_hashes: set[str]
    ) -> None:
        content, replaced = CSRF_FIELD.subn(CSRF_PLACEHOLDER, response.content)
        page = CachedPage(
            status=response.status_code,
            headers=[
                (name, response[name]) for name in STORED_HEADERS if response.has_header(name)
            ],
            content=content,
            versions=versions,
            has_csrf_field=bool(replaced),
            style_hashes=frozenset(style_hashes),
        )
        caches["pages"].set(key, page, _seconds_to_keep())

    @staticmethod
    def _replay(request: HttpRequest, cached: CachedPage) -> HttpResponse:
        content = cached.content
        if cached.has_csrf_field:
            # Each reader gets their own CSRF token (and cookie), never the one
            # rendered for whoever filled the cache.
            token = get_token(request).encode()
            content = content.replace(b"\x00csrf\x00", token)
        request.csp_style_hashes = set(cached.style_hashes)  # type: ignore[attr-defined]
        response = HttpResponse(content, status=cached.status)
        for name, value in cached.headers:
            response[name] = value
        if cached.has_csrf_field:
            patch_vary_headers(response, ["Cookie"])
        response["X-Despatch-Cache"] = "hit"
        return response
