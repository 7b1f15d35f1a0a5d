"""Fixtures for the tests of what every app relies on."""

from __future__ import annotations

import pytest

from despatch.core import page_cache


@pytest.fixture(autouse=True)
def _empty_page_store():
    """Each test starts with no cached pages (and, see ``tests/conftest.py``, its own
    surrogate generation file)."""
    page_cache.pages.clear()
    yield
    page_cache.pages.clear()
