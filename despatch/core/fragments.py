"""Parts of pages kept between requests, correct by construction.

A fragment (a rendered sidebar block, a post's comment thread, or the data behind
one) is stored under the versions of the surrogate keys naming what it shows (see
:mod:`despatch.core.surrogates`). Invalidating any of those keys gives it a new
version, so the next request looks for a fragment that was never stored and
renders afresh: no fragment outlives a change to what it shows, and nothing needs
deleting. Versions are read before rendering, so what is stored is never older
than the versions it is filed under.

Fragments are shared by every reader, so what goes in one must be the same for
everybody: never a CSRF token, a form, or a signed-in reader's name. Bodies live
in each app server's own memory (the ``pages`` cache); the versions are shared.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.cache import caches
from django.db import connections
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation

from . import surrogates
from .page_cache import seconds_to_keep

T = TypeVar("T")

_MISSING = object()


def _in_transaction() -> bool:
    # Inside a transaction a page may read rows whose invalidation has not run yet
    # (it runs on commit), or rows that will be rolled back: neither may be served
    # from, or stored into, a cache shared with other requests.
    return any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


# Keys nearly every render reads (those of the page cache's horizons), fetched
# with the first batch so that reading them later costs no second round trip.
_READ_WITH_EVERY_PAGE: set[str] = set()


def read_with_every_page(*keys: str) -> None:
    """Have the first fragment lookup of each request also fetch ``keys``' versions."""
    _READ_WITH_EVERY_PAGE.update(keys)


def _versions(request: HttpRequest, keys: set[str]) -> dict[str, str] | None:
    """The versions of ``keys``, read once per request for every key the page has named.

    The surrogate generation is read once per request, and versions this process
    has read since it last moved come from memory. Otherwise the first fragment
    of a page fetches, in the same round trip, the versions of all the keys the
    view has declared so far, so a page with several fragments costs one lookup
    in the shared cache rather than one per fragment.
    """
    known: dict[str, str] = getattr(request, "_fragment_versions", {})
    missing = keys - known.keys()
    if missing:
        if not hasattr(request, "_fragment_generation"):
            request._fragment_generation = surrogates.generation()  # type: ignore[attr-defined]
        also_wanted = getattr(request, "surrogate_keys", set()) | _READ_WITH_EVERY_PAGE
        wanted = missing | (also_wanted - known.keys())
        fetched = surrogates.versions_at(request._fragment_generation, wanted)  # type: ignore[attr-defined]
        if fetched is None:
            return None
        known = {**known, **fetched}
        request._fragment_versions = known  # type: ignore[attr-defined]
    return {key: known[key] for key in keys}


def _timeout(request: HttpRequest) -> float:
    """Keep fragments no longer than a whole page, nor past a scheduled post's time.

    The moment is worked out once per request (it may cost a query) and each
    fragment is kept until then, however late in the render it is stored.
    """
    keep_until: float | None = getattr(request, "_fragment_keep_until", None)
    if keep_until is None:
        # The horizon bounds how long a part is kept, not what it shows: a part
        # being kept together does not learn its keys.
        recorders = _recorders(request)
        request._fragment_key_recorders = []  # type: ignore[attr-defined]
        try:
            keep_until = time.time() + seconds_to_keep(request)
        finally:
            request._fragment_key_recorders = recorders  # type: ignore[attr-defined]
        request._fragment_keep_until = keep_until  # type: ignore[attr-defined]
    return max(0.0, keep_until - time.time())


def cached_fragment(
    request: HttpRequest | None,
    *,
    name: str,
    keys: Iterable[str],
    render: Callable[[], T],
    shown_by_page: bool = True,
    keep_seconds: Callable[[T], float] | None = None,
) -> T:
    """Return what ``render()`` returns for fragment ``name``, from the cache when possible.

    ``name`` tells fragments apart (include every argument the rendering depends
    on); ``keys`` name everything it shows, and are added to the page's own
    surrogate keys. A view whose own, narrower keys already cover what the
    fragment holds passes ``shown_by_page=False``: the fragment's keys are then
    broad because its name cannot say which rows it will find (a post looked up
    by its address), and the page must not be refreshed by all of them. Without
    a request, inside a transaction or when the shared cache is down,
    ``render()`` is simply called. ``keep_seconds`` says how long a rendered value
    stays true by itself, in place of the page cache's horizons (0: not at all).
    """
    key_set = set(keys)
    if request is None:
        return render()
    _record(request, key_set, keeps_own_time=keep_seconds is not None)
    if key_set and shown_by_page:
        surrogates.add_surrogate_keys(request, key_set)
    if _in_transaction():
        return render()
    versions = _versions(request, key_set)
    if versions is None:
        return render()
    cache_key = _cache_key(name, versions)
    store = caches["pages"]
    value = store.get(cache_key, _MISSING)
    if value is _MISSING:
        value = render()
        seconds = keep_seconds(value) if keep_seconds is not None else _timeout(request)
        if seconds > 0:
            store.set(cache_key, value, seconds)
    return value  # type: ignore[return-value]


def kept_as_written(template_name: str, context: dict[str, Any] | None = None) -> str:
    """Render ``template_name``, a part of a page that shows no row, once per language.

    It depends only on the code, the settings (``context`` holds nothing else)
    and the language, so it is kept under no key, read even inside a
    transaction, and rendered afresh by a deploy, which starts new processes.
    """
    kept_as = f"as-written:{template_name}:{translation.get_language()}:{get_script_prefix()}"
    store = caches["pages"]
    html: str | None = store.get(kept_as)
    if html is None:
        html = render_to_string(template_name, context)
        store.set(kept_as, html, None)
    return html


def kept_together(
    request: HttpRequest | None, *, name: str, keys: Iterable[str], render: Callable[[], str]
) -> str:
    """Return ``render()``, a part of a page made mostly of fragments, kept as one.

    One look-up replaces a look-up per fragment inside, and the template around
    them. ``keys`` name what the part shows besides its fragments; the keys of
    the fragments inside are learnt from its last render, so a change to any of
    them retires it as it retires them. A render is kept only under keys that
    include every key it met: the first render learns them and keeps nothing,
    and so does any render that meets a key its stamp did not name. What was
    kept therefore never depends on a key it was not filed under, even if what
    was learnt is forgotten (the memory cache drops it). As in any fragment,
    nothing inside may differ between readers. A render is not kept either when
    it acts on the request (allows an inline style by its hash, cuts the page's
    lifetime short), since serving the kept part would skip that, or when a
    fragment inside keeps its own time (``keep_seconds``), which the part would
    outlive.
    """
    if request is None:
        return render()
    store = caches["pages"]
    learnt_as = "fragment-keys:" + hashlib.sha256(name.encode()).hexdigest()
    own_keys = set(keys)
    known_keys = own_keys | set(store.get(learnt_as, ()))
    seen = _PartRender()

    def render_and_learn() -> str:
        recorders = _recorders(request)
        recorders.append(seen)
        before = _marks_on(request)
        try:
            return render()
        finally:
            recorders.pop()
            seen.acted = _marks_on(request) != before
            store.set(learnt_as, tuple(sorted(seen.keys - own_keys)), None)

    def keep_seconds(_html: str) -> float:
        keepable = seen.keys <= known_keys and not (seen.acted or seen.timed)
        return _timeout(request) if keepable else 0

    return cached_fragment(
        request,
        name=f"together:{name}",
        keys=known_keys,
        render=render_and_learn,
        keep_seconds=keep_seconds,
    )


def _marks_on(request: HttpRequest) -> tuple[object, frozenset[str]]:
    """What rendering may leave on a request besides keys: a shorter page lifetime
    (``keep_no_later_than``) and inline styles to allow (``accent_style``)."""
    return (
        getattr(request, "_keep_until", None),
        frozenset(getattr(request, "csp_style_hashes", ())),
    )


@dataclass
class _PartRender:
    """What a render of a part kept together met on its way."""

    # The keys of the fragments inside.
    keys: set[str] = field(default_factory=set)
    # A fragment inside keeps its own time.
    timed: bool = False
    # The render left a mark on the request (see ``_marks_on``).
    acted: bool = False


def _recorders(request: HttpRequest) -> list[_PartRender]:
    recorders: list[_PartRender] | None = getattr(request, "_fragment_key_recorders", None)
    if recorders is None:
        recorders = request._fragment_key_recorders = []  # type: ignore[attr-defined]
    return recorders


def _record(request: HttpRequest, keys: set[str], *, keeps_own_time: bool) -> None:
    """Tell every part being kept together what one of its fragments shows."""
    for part in getattr(request, "_fragment_key_recorders", ()):
        part.keys |= keys
        part.timed |= keeps_own_time


def _cache_key(name: str, versions: dict[str, str]) -> str:
    # The active language and time zone change how the same rows are rendered.
    stamp = "|".join(
        [
            name,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            *(f"{key}={version}" for key, version in sorted(versions.items())),
        ]
    )
    return "fragment:" + hashlib.sha256(stamp.encode()).hexdigest()
