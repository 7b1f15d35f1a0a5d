"""Settings and fixtures shared by every test."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _no_page_cache_unless_asked(settings):
    """Most tests change data and read pages inside one uncommitted transaction, where
    cache invalidation (which runs on commit) never fires; tests of the page cache
    turn it back on and run the commit callbacks themselves."""
    settings.DESPATCH_PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    yield
