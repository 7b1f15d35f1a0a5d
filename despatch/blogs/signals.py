"""Refresh cached pages when a blog, an author profile or a historical period changes."""

from __future__ import annotations

from typing import Any

from despatch.core.surrogates import invalidate_surrogate_keys

from . import cache_keys
from .models import AuthorProfile, Blog, HistoricalPeriod


def blog_changed(sender: type[Blog], instance: Blog, **kwargs: Any) -> None:
    # A blog's name, accent colour and description appear on every page that
    # lists its posts, so every page naming blogs is refreshed.
    invalidate_surrogate_keys([cache_keys.BLOGS])


def author_changed(sender: type[AuthorProfile], instance: AuthorProfile, **kwargs: Any) -> None:
    invalidate_surrogate_keys([cache_keys.AUTHORS])


def historical_period_changed(
    sender: type[HistoricalPeriod], instance: HistoricalPeriod, **kwargs: Any
) -> None:
    invalidate_surrogate_keys([cache_keys.HISTORICAL])
