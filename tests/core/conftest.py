"""Fixtures for the tests of what every app relies on."""

from __future__ import annotations

import pytest

from despatch.core import page_cache


@pytest.fixture(autouse=True)
def _empty_page_store(settings, tmp_path):
    """Each test starts with no cached pages, and its own surrogate generation file."""
    settings.DESPATCH_PAGE_CACHE_GENERATION_FILE = str(tmp_path / "generation")
    page_cache.pages.clear()
    yield
    page_cache.pages.clear()
