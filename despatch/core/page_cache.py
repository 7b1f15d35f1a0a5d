"""Whole-page caching for anonymous readers, correct by construction.

Only pages whose views declared surrogate keys are cached, and a cached page is
served only while every key it was rendered with still has the same version (see
:mod:`despatch.core.surrogates`). Readers with a session cookie — signed-in staff,
anyone with a pending message — always get a fresh page and never fill the cache.

The middleware comes first in ``MIDDLEWARE``: a page is stored with every header
the rest of the stack gave it, and a hit is answered before any other middleware,
URL resolving or view runs. Page bodies are kept in each app server's own memory;
the small version stamps are shared, so an invalidation on one server is seen by
all. A hit compares versions only when the surrogate generation has moved since
the page was last compared, so a quiet site answers from memory alone.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

from . import surrogates

# The value of the CSRF field in a rendered form: the part that differs per reader.
CSRF_TOKEN_VALUE = re.compile(rb'(?<=name="csrfmiddlewaretoken" value=")[^"]*')
# How long a reader waits for another thread's render of the same page before
# rendering it too.
RENDER_WAIT_SECONDS = 10
# Set again for every reply: the length follows the body, the rest is per reader.
UNSTORED_HEADERS = frozenset({"content-length", "set-cookie"})
CSRF_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# Random bytes become CSRF characters through this table; the top few bytes are
# dropped, as keeping them would make the first few characters likelier than the rest.
CSRF_CHAR_FOR_BYTE = bytes(
    ord(CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)]) for byte in range(256)
)
CSRF_BIASED_BYTES = bytes(range(256 - 256 % len(CSRF_ALLOWED_CHARS), 256))


@dataclass
class CachedPage:
    status: int
    headers: list[tuple[str, str]]
    # The body, cut where each reader's own CSRF token goes (one part: no form).
    parts: list[bytes]
    versions: dict[str, str]
    # The surrogate generation at which ``versions`` were last known current.
    generation: str
    etag: str | None
    last_modified: int | None
    expires_at: float

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)


class PageStore:
    """This process's cached pages, least recently used dropped first.

    Bounded by a number of pages and a number of bytes, so that memory stays flat
    however many addresses readers (or robots) ask for.
    """

    def __init__(self) -> None:
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._renders: dict[str, threading.Event] = {}

    def get(self, key: str) -> CachedPage | None:
        page = self._pages.get(key)
        if page is None:
            return None
        if page.expires_at <= time.monotonic():
            self.discard(key)
            return None
        return page

    def put(self, key: str, page: CachedPage) -> None:
        max_pages = settings.DESPATCH_PAGE_CACHE_ENTRIES
        max_bytes = settings.DESPATCH_PAGE_CACHE_MEGABYTES * 1024 * 1024
        with self._lock:
            self._remove(key)
            self._pages[key] = page
            self._bytes += page.size
            while self._pages and (len(self._pages) > max_pages or self._bytes > max_bytes):
                self._remove(next(iter(self._pages)))

    def touch(self, key: str) -> None:
        """Mark ``key`` as just used, so that it is among the last to be dropped."""
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)

    def discard(self, key: str) -> None:
        with self._lock:
            self._remove(key)

    def claim_render(self, key: str) -> threading.Event | None:
        """Claim the render of ``key``: ``None`` if granted, else the claim to wait for.

        When a change empties a page that many readers want at once, one thread
        renders it and the others wait, instead of each rendering its own copy.
        """
        with self._lock:
            if key in self._renders:
                return self._renders[key]
            self._renders[key] = threading.Event()
            return None

    def release_render(self, key: str) -> None:
        with self._lock:
            self._renders.pop(key).set()

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def _remove(self, key: str) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self._bytes -= page.size


pages = PageStore()


def _is_anonymous_read(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _cache_key(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}{request.get_full_path()}"


def _public_headers(response: HttpResponse, keys: set[str], seconds: float | None) -> None:
    """Describe the page to CDNs: what it shows, and (unless the view said already,
    ``seconds`` then ``None``) how long they may keep it."""
    tags = " ".join(sorted(keys))
    response["Surrogate-Key"] = tags
    response["Cache-Tag"] = tags.replace(" ", ",")
    if seconds is None:
        return
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=min(settings.DESPATCH_CDN_MAX_AGE, int(seconds)),
        stale_while_revalidate=60,
    )


def keep_no_later_than(request: HttpRequest, moment: datetime) -> None:
    """Let a view say when the page it is rendering stops being true by itself.

    A post page whose comments close after N days, or when a closure starts, must
    not be served from any cache past that moment.
    """
    current: datetime | None = getattr(request, "_keep_until", None)
    if current is None or moment < current:
        request._keep_until = moment  # type: ignore[attr-defined]


def seconds_to_keep(request: HttpRequest | None = None) -> float:
    """Keep what is rendered no longer than the configured time, nor past the next
    change the site makes by itself.

    ``DESPATCH_PAGE_CACHE_HORIZONS`` names functions of the request returning the
    next time content changes by itself (a scheduled post going live), or ``None``.
    The result is exact, never rounded up: a page kept a moment past its horizon
    would hide a post that has just gone live.
    """
    return _seconds_until(
        import_string(path)(request) for path in settings.DESPATCH_PAGE_CACHE_HORIZONS
    )


def _page_seconds(request: HttpRequest) -> float:
    """How long this page may be kept: ``seconds_to_keep``, and no later than its view said."""
    return min(seconds_to_keep(request), _seconds_until([getattr(request, "_keep_until", None)]))


def _seconds_until(moments: Iterable[datetime | None]) -> float:
    seconds = float(settings.DESPATCH_PAGE_CACHE_SECONDS)
    now = timezone.now()
    for moment in moments:
        if moment is not None:
            seconds = min(seconds, max(0.0, (moment - now).total_seconds()))
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
            return self._render(request, key=None)
        key = _cache_key(request)
        page = pages.get(key)
        if page is not None and self._still_current(key, page):
            pages.touch(key)
            return self._replay(request, page)
        rendering = pages.claim_render(key)
        if rendering is None:
            try:
                return self._render(request, key=key)
            finally:
                pages.release_render(key)
        # Another thread is rendering this page: wait for it, then serve what it
        # stored if that is still current, as any hit would.
        rendering.wait(RENDER_WAIT_SECONDS)
        page = pages.get(key)
        if page is not None and self._still_current(key, page):
            return self._replay(request, page)
        return self._render(request, key=key)

    @staticmethod
    def _still_current(key: str, page: CachedPage) -> bool:
        generation = surrogates.generation()
        if generation is None:
            return False
        if generation == page.generation:
            return True
        # Something changed somewhere: compare this page's versions once, and
        # remember the generation they were current at. The generation is read
        # first, so a change landing during the comparison moves it again.
        if surrogates.current_versions(page.versions) != page.versions:
            pages.discard(key)
            return False
        page.generation = generation
        return True

    def _render(self, request: HttpRequest, *, key: str | None) -> HttpResponse:
        generation_before = surrogates.generation() if key is not None else None
        response = self.get_response(request)
        keys: set[str] = getattr(request, "surrogate_keys", set())
        if not keys or response.status_code != 200 or response.streaming:
            return response
        storable = key is not None and generation_before is not None and self._storable(response)
        sets_own_lifetime = response.has_header("Cache-Control")
        # Working out the horizon may cost a query; a feed naming its own lifetime,
        # with no page cache to fill, does not need it.
        seconds = _page_seconds(request) if storable or not sets_own_lifetime else 0.0
        _public_headers(response, keys, None if sets_own_lifetime else seconds)
        # Counted from now, not from when the page is stored: storing waits on
        # the shared cache, and a page must not outlive its horizon by that wait.
        expires_at = time.monotonic() + seconds
        if storable and seconds > 0:
            versions = surrogates.current_versions(keys)
            # A change during the render may be missing from it: such a page is
            # served to this reader but not kept.
            if versions is not None and surrogates.generation() == generation_before:
                pages.put(key, self._page(response, versions, generation_before, expires_at))
        return response

    @staticmethod
    def _storable(response: HttpResponse) -> bool:
        cookies = {name for name in response.cookies if name != settings.CSRF_COOKIE_NAME}
        cache_control = response.get("Cache-Control", "")
        return not cookies and "private" not in cache_control and "no-store" not in cache_control

    @staticmethod
    def _page(
        response: HttpResponse, versions: dict[str, str], generation: str, expires_at: float
    ) -> CachedPage:
        parts = CSRF_TOKEN_VALUE.split(response.content)
        has_csrf_field = len(parts) > 1
        if has_csrf_field:
            # Each reader's copy differs by their token: a CDN must not share it,
            # and a tag of one reader's copy describes nobody else's.
            patch_vary_headers(response, ["Cookie"])
        etag = None if has_csrf_field else response.get("ETag")
        return CachedPage(
            status=response.status_code,
            headers=[
                (name, value)
                for name, value in response.items()
                if name.lower() not in UNSTORED_HEADERS
                and not (has_csrf_field and name.lower() == "etag")
            ],
            parts=parts,
            versions=versions,
            generation=generation,
            etag=etag,
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            expires_at=expires_at,
        )

    def _replay(self, request: HttpRequest, page: CachedPage) -> HttpResponse:
        has_csrf_field = len(page.parts) > 1
        new_secret = None
        if has_csrf_field:
            # Each reader gets their own CSRF token (and cookie), never the one
            # rendered for whoever filled the cache.
            token, new_secret = reader_csrf_token(request)
            content = token.encode().join(page.parts)
        else:
            content = page.parts[0]
        response = HttpResponse(content, status=page.status)
        for name, value in page.headers:
            response.headers[name] = value
        response.headers["Content-Length"] = str(len(content))
        response.headers["X-Despatch-Cache"] = "hit"
        if new_secret is not None:
            set_csrf_cookie(response, new_secret)
        elif not has_csrf_field and (
            "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META
        ):
            return (
                get_conditional_response(
                    request, etag=page.etag, last_modified=page.last_modified, response=response
                )
                or response
            )
        return response


def _random_csrf_string(length: int) -> str:
    """A uniformly random string of ``CSRF_ALLOWED_CHARS``, as Django's own would be.

    Django's ``get_random_string`` draws one character at a time, which costs
    more than all the rest of a cached hit; this draws the bytes at once.
    """
    text = b""
    while len(text) < length:
        text += os.urandom(length).translate(CSRF_CHAR_FOR_BYTE, CSRF_BIASED_BYTES)
    return text[:length].decode()


def reader_csrf_token(request: HttpRequest) -> tuple[str, str | None]:
    """Return a masked CSRF token for the reader's form, and a new secret if they need one.

    Equivalent to ``get_token()`` after ``CsrfViewMiddleware`` has read the
    cookie: a reader whose cookie holds a well-formed secret gets it masked
    afresh (so the page never carries the secret itself); anyone else gets a new
    secret, to be set as their cookie.
    """
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    new_secret = None
    if len(secret) != CSRF_SECRET_LENGTH or not all(char in CSRF_CHAR_INDEX for char in secret):
        secret = new_secret = _random_csrf_string(CSRF_SECRET_LENGTH)
    return _masked(secret), new_secret


def form_csrf_token(request: HttpRequest) -> str:
    """``django.middleware.csrf.get_token()``, drawing its random characters at once.

    As there, the secret ``CsrfViewMiddleware`` read from the reader's cookie is
    used when there is one, and a new one is made otherwise; either way the
    middleware sends it back as the cookie with the response.
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = _random_csrf_string(CSRF_SECRET_LENGTH)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return _masked(secret)


def _masked(secret: str) -> str:
    """The secret under a fresh random mask, so that no page ever carries it as it is."""
    mask = _random_csrf_string(CSRF_SECRET_LENGTH)
    base = len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(CSRF_CHAR_INDEX[plain] + CSRF_CHAR_INDEX[key]) % base]
        for plain, key in zip(secret, mask, strict=True)
    )
    return mask + cipher


def set_csrf_cookie(response: HttpResponse, secret: str) -> None:
    """Set the CSRF cookie as ``CsrfViewMiddleware`` would."""
    response.set_cookie(
        settings.CSRF_COOKIE_NAME,
        secret,
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )
