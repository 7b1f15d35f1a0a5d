"""Surrogate keys: what a page shows, so that exactly the right pages are refreshed.

A view names the things it shows (``post-12``, ``blog-3-posts``, ``comments``…)
with :func:`add_surrogate_keys`. When one of those things changes, its owner calls
:func:`invalidate_surrogate_keys`, which gives each key a new version. Cached pages
remember the versions they were rendered with and are served only while those are
still current, so a change can never leave a stale page behind. The same keys go out
in ``Surrogate-Key`` / ``Cache-Tag`` headers and to a CDN purge hook.

Versions live in the ``default`` cache, which every app server shares (Redis when
``CACHE_URL`` is set, the database otherwise). Reading them for every cached page
would cost a round trip per request, so every invalidation also changes one token,
the *generation*, and a page cache only re-reads versions when the generation has
moved since it last did. Where every process that can write shares one machine
(SQLite), the generation is 16 bytes in a file beside the database, mapped into
memory; otherwise it is a key of the shared cache.
"""

from __future__ import annotations

import logging
import mmap
import os
import threading
import uuid
from collections.abc import Collection, Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)

GENERATION_KEY = "surrogate:__generation__"
GENERATION_BYTES = 16
VERSION_PREFIX = "surrogate:"
# Versions outlive any cached page; losing one only causes a re-render.
VERSION_TIMEOUT = 60 * 60 * 24 * 30
# The longest wait between two retries of an invalidation the shared cache missed.
RETRY_MAX_SECONDS = 60


def add_surrogate_keys(request: HttpRequest, keys: Iterable[str]) -> None:
    """Record that the page being rendered for ``request`` shows the things named by ``keys``."""
    collected = getattr(request, "surrogate_keys", None)
    if collected is None:
        collected = set()
        request.surrogate_keys = collected  # type: ignore[attr-defined]
    collected.update(keys)


def _shared_cache():
    return caches["default"]


class _GenerationFile:
    """The generation kept in a small file that every process on this machine maps.

    Each process maps the file once and reads it from memory: a system call per
    request would give up the GIL and, under load, wait to take it back. Writers
    overwrite the same bytes in place (never replacing or truncating the file), so
    a mapping never goes stale. A torn read (a writer half-way through) yields a
    token that matches nothing, which only makes the reader compare versions again.
    """

    def __init__(self) -> None:
        self._files: dict[str, tuple[int, mmap.mmap]] = {}
        self._lock = threading.Lock()

    def _open(self, path: str) -> tuple[int, mmap.mmap]:
        opened = self._files.get(path)
        if opened is None:
            with self._lock:
                opened = self._files.get(path)
                if opened is None:
                    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                    if os.fstat(descriptor).st_size < GENERATION_BYTES:
                        os.pwrite(descriptor, os.urandom(GENERATION_BYTES), 0)
                    mapping = mmap.mmap(descriptor, GENERATION_BYTES, access=mmap.ACCESS_READ)
                    opened = self._files[path] = (descriptor, mapping)
        return opened

    def read(self, path: str) -> str:
        return self._open(path)[1][:GENERATION_BYTES].hex()

    def change(self, path: str) -> None:
        os.pwrite(self._open(path)[0], os.urandom(GENERATION_BYTES), 0)


_generation_file = _GenerationFile()


def generation() -> str | None:
    """A token that changes on every invalidation anywhere; ``None`` if it cannot be read."""
    path = settings.DESPATCH_PAGE_CACHE_GENERATION_FILE
    try:
        if path:
            return _generation_file.read(path)
        cache = _shared_cache()
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, VERSION_TIMEOUT)
            value = cache.get(GENERATION_KEY)
    except Exception:
        logger.warning("Could not read the surrogate generation", exc_info=True)
        return None
    return value


def _change_generation() -> None:
    path = settings.DESPATCH_PAGE_CACHE_GENERATION_FILE
    if path:
        _generation_file.change(path)
    else:
        _store({GENERATION_KEY: uuid.uuid4().hex})


class NotStored(Exception):
    """The shared cache did not take a write (Redis tolerates its outages quietly)."""


def _store(values: dict[str, str]) -> None:
    if _shared_cache().set_many(values, VERSION_TIMEOUT):
        raise NotStored(", ".join(sorted(values)))


class _KnownVersions:
    """Versions this process has read, trusted while the generation stays where it was.

    Every invalidation moves the generation, so versions read after the generation
    showed ``token`` are current for as long as it still shows ``token``: a page
    then finds its versions in memory, with no round trip to the shared cache.
    Entries are filed only under the token read *before* they were fetched, which
    is what makes a change landing during the fetch safe: it has moved the
    generation, and nobody reading the new one trusts what was filed under the old.
    """

    # Far more keys than a site names between two changes; past it, start again.
    MAX_KEYS = 100_000

    def __init__(self) -> None:
        # One attribute, replaced whole, so a reader never pairs one token with
        # another token's versions. Entries are only ever added to a dict in place.
        self._memo: tuple[str | None, dict[str, str]] = (None, {})
        self._lock = threading.Lock()

    def at(self, token: str) -> dict[str, str]:
        memo_token, versions = self._memo
        return versions if memo_token == token else {}

    def remember(self, token: str, versions: dict[str, str]) -> None:
        with self._lock:
            memo_token, known = self._memo
            if memo_token != token or len(known) + len(versions) > self.MAX_KEYS:
                self._memo = (token, dict(versions))
            else:
                known.update(versions)

    def forget(self) -> None:
        with self._lock:
            self._memo = (None, {})


_known_versions = _KnownVersions()


def forget_known_versions() -> None:
    """Drop the versions this process remembers (for tests that roll the shared cache back)."""
    _known_versions.forget()


def current_versions(keys: Iterable[str]) -> dict[str, str] | None:
    """Return the version of each key, minting versions for keys never seen.

    ``None`` means the shared cache could not be reached: callers then neither
    serve nor store cached pages.
    """
    return versions_at(generation(), set(keys))


def versions_at(token: str | None, keys: Collection[str]) -> dict[str, str] | None:
    """Like :func:`current_versions`, for a caller that has read the generation already.

    Versions remembered at ``token`` are answered from memory; the others are
    fetched (in one round trip) and remembered at ``token``. ``token`` must have
    been read before this call, never after. With ``None`` (the generation could
    not be read) every version is fetched and nothing is remembered.
    """
    known = _known_versions.at(token) if token is not None else {}
    found = {key: known[key] for key in keys if key in known}
    wanted = set(keys) - found.keys()
    if not wanted:
        return found
    names = {f"{VERSION_PREFIX}{key}": key for key in wanted}
    try:
        cache = _shared_cache()
        fetched = cache.get_many(names)
        for name in names.keys() - fetched.keys():
            cache.add(name, uuid.uuid4().hex, VERSION_TIMEOUT)
            fetched[name] = cache.get(name)
    except Exception:
        logger.warning("Cache unavailable while reading surrogate versions", exc_info=True)
        return None
    if any(value is None for value in fetched.values()):
        return None
    fetched_versions = {names[name]: value for name, value in fetched.items()}
    if token is not None:
        _known_versions.remember(token, fetched_versions)
    return {**found, **fetched_versions}


def _bump(keys: list[str]) -> None:
    if not _give_new_versions(keys):
        _retry_later(keys, attempt=1)
    from .tasks import purge_cdn

    purge_cdn.enqueue(keys=keys)


def _give_new_versions(keys: list[str]) -> bool:
    """Give every key a new version; ``False`` when the shared cache did not take them."""
    try:
        # The generation changes before the versions: a page rendered before this
        # change and stored after it sees a new generation and is not stored. It
        # changes again after them: a page cache that compared versions in between
        # (and found the old ones) compares again at its next request.
        _change_generation()
        _store({f"{VERSION_PREFIX}{key}": uuid.uuid4().hex for key in keys})
        _change_generation()
    except Exception:
        logger.warning("Cache unavailable: could not invalidate %s", keys, exc_info=True)
        return False
    return True


def _retry_later(keys: list[str], *, attempt: int) -> None:
    """Have the task worker give ``keys`` new versions once the shared cache is back.

    Pages and fragments are not served from the cache while it is down, but one
    that comes back with its data (a network cut, not a restart) still holds the
    old versions: without the retry, pages kept before the outage would be served
    again as if nothing had changed. The retry waits longer each time, up to
    ``RETRY_MAX_SECONDS``.
    """
    from django_tasks import default_task_backend

    from .tasks import invalidate_surrogate_keys_again

    if not default_task_backend.supports_defer:
        logger.error("Invalidation of %s lost: the task backend cannot retry later", keys)
        return
    delay = timedelta(seconds=min(2**attempt, RETRY_MAX_SECONDS))
    try:
        invalidate_surrogate_keys_again.using(run_after=timezone.now() + delay).enqueue(
            keys=keys, attempt=attempt
        )
    except Exception:
        logger.exception("Invalidation of %s lost: its retry could not be queued", keys)


def retry_invalidation(*, keys: list[str], attempt: int) -> None:
    """Give ``keys`` the new versions an earlier invalidation could not; again later if
    the shared cache is still down."""
    if not _give_new_versions(keys):
        _retry_later(keys, attempt=attempt + 1)


def invalidate_surrogate_keys(keys: Iterable[str]) -> None:
    """Mark every page showing any of ``keys`` as stale, once the transaction commits."""
    key_list = sorted(set(keys))
    if key_list:
        transaction.on_commit(lambda: _bump(key_list))
