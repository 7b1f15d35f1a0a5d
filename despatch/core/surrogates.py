"""Surrogate keys: what a page shows, so that exactly the right pages are refreshed.

A view names the things it shows (``post-12``, ``blog-3-posts``, ``comments``…)
with :func:`add_surrogate_keys`. When one of those things changes, its owner calls
:func:`invalidate_surrogate_keys`, which gives each key a new version. Cached pages
remember the versions they were rendered with and are served only while those are
still current, so a change can never leave a stale page behind. The same keys go out
in ``Surrogate-Key`` / ``Cache-Tag`` headers and to a CDN purge hook.

Versions live in the ``default`` cache, which every app server shares (Redis when
``CACHE_URL`` is set, the database otherwise).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest

logger = logging.getLogger(__name__)

GENERATION_KEY = "surrogate:__generation__"
VERSION_PREFIX = "surrogate:"
# Versions outlive any cached page; losing one only causes a re-render.
VERSION_TIMEOUT = 60 * 60 * 24 * 30


def add_surrogate_keys(request: HttpRequest, keys: Iterable[str]) -> None:
    """Record that the page being rendered for ``request`` shows the things named by ``keys``."""
    collected = getattr(request, "surrogate_keys", None)
    if collected is None:
        collected = set()
        request.surrogate_keys = collected  # type: ignore[attr-defined]
    collected.update(keys)


def _shared_cache():
    return caches["default"]


def generation() -> str | None:
    """A token that changes on every invalidation anywhere; ``None`` if the cache is down."""
    try:
        cache = _shared_cache()
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, VERSION_TIMEOUT)
            value = cache.get(GENERATION_KEY)
    except Exception:
        logger.warning("Cache unavailable while reading the surrogate generation", exc_info=True)
        return None
    return value


def current_versions(keys: Iterable[str]) -> dict[str, str] | None:
    """Return the version of each key, minting versions for keys never seen.

    ``None`` means the shared cache could not be reached: callers then neither
    serve nor store cached pages.
    """
    names = {f"{VERSION_PREFIX}{key}": key for key in keys}
    try:
        cache = _shared_cache()
        found = cache.get_many(names)
        for name in names.keys() - found.keys():
            cache.add(name, uuid.uuid4().hex, VERSION_TIMEOUT)
            found[name] = cache.get(name)
    except Exception:
        logger.warning("Cache unavailable while reading surrogate versions", exc_info=True)
        return None
    if any(value is None for value in found.values()):
        return None
    return {names[name]: value for name, value in found.items()}


def _bump(keys: list[str]) -> None:
    try:
        cache = _shared_cache()
        # The generation changes first: a page rendered before this change and
        # stored after it sees the new generation and is not stored at all.
        cache.set(GENERATION_KEY, uuid.uuid4().hex, VERSION_TIMEOUT)
        cache.set_many(
            {f"{VERSION_PREFIX}{key}": uuid.uuid4().hex for key in keys}, VERSION_TIMEOUT
        )
    except Exception:
        logger.warning("Cache unavailable: could not invalidate %s", keys, exc_info=True)
    from .tasks import purge_cdn

    purge_cdn.enqueue(keys=keys)


def invalidate_surrogate_keys(keys: Iterable[str]) -> None:
    """Mark every page showing any of ``keys`` as stale, once the transaction commits."""
    key_list = sorted(set(keys))
    if key_list:
        transaction.on_commit(lambda: _bump(key_list))
