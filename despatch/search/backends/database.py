"""The default engine: whichever full-text search the project's database has.

Like Wagtail's ``database`` search backend, this picks the SQLite or the
PostgreSQL engine by the vendor of the configured database connection, so the
same settings work in the embedded mode and at scale.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from .base import BaseSearchBackend
from .postgres import PostgresSearchBackend
from .sqlite import SQLiteSearchBackend

ENGINES: dict[str, type[BaseSearchBackend]] = {
    SQLiteSearchBackend.vendor: SQLiteSearchBackend,
    PostgresSearchBackend.vendor: PostgresSearchBackend,
}


def SearchBackend(params: dict[str, Any]) -> BaseSearchBackend:
    """Return the engine for the database that ``params["DATABASE"]`` names."""
    vendor = connections[params.get("DATABASE", "default")].vendor
    try:
        engine = ENGINES[vendor]
    except KeyError:
        raise ImproperlyConfigured(
            f"Search has no engine for {vendor} databases; use SQLite or PostgreSQL."
        ) from None
    return engine(params)
