"""Search engines, chosen by settings: ``SEARCH_BACKENDS["default"]["BACKEND"]``.

``BACKEND`` is the dotted path of an engine class, or of a module whose
``SearchBackend`` attribute makes one (as ``despatch.search.backends.database``
does, picking SQLite or PostgreSQL by the database in use). The other keys are
the engine's parameters: ``DATABASE`` (the connection alias) and
``RANK_WINDOW`` (how many of the newest matches relevance is judged among).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import BaseSearchBackend, Order, SearchFilters, SearchHits

__all__ = ["BaseSearchBackend", "Order", "SearchFilters", "SearchHits", "get_backend"]

DEFAULT_BACKENDS: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "despatch.search.backends.database"},
}


def get_backend(alias: str = "default") -> BaseSearchBackend:
    """Return the search engine configured under ``alias`` in ``SEARCH_BACKENDS``."""
    backends = getattr(settings, "SEARCH_BACKENDS", DEFAULT_BACKENDS)
    try:
        params = dict(backends[alias])
    except KeyError:
        raise ImproperlyConfigured(f"SEARCH_BACKENDS has no {alias!r} engine.") from None
    path = params.pop("BACKEND")
    try:
        factory = import_module(path).SearchBackend
    except ImportError:
        factory = import_string(path)
    if isinstance(factory, type) and not issubclass(factory, BaseSearchBackend):
        raise ImproperlyConfigured(f"{path} is not a search engine.")
    backend = factory(params)
    if not isinstance(backend, BaseSearchBackend):
        raise ImproperlyConfigured(f"{path} does not make a search engine.")
    return backend
