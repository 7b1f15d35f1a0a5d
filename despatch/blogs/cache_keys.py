"""Surrogate keys for what the blogs app owns (see ``despatch.core.surrogates``)."""

from __future__ import annotations

BLOGS = "blogs"
AUTHORS = "authors"
HISTORICAL = "historical"
