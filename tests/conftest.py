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
def _tasks_run_at_once(settings):
    """The site queues background tasks in the database for `despatch worker`; tests run
    them as they are enqueued, unless a test of the worker switches the backend back."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploads made by tests land in a folder of their own, never in var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _own_surrogate_generation(settings, tmp_path):
    """Each test moves a generation of its own: the one beside the development database
    is shared with every other test process, whose changes would make this test's
    kept versions be read again at moments it cannot predict."""
    settings.DESPATCH_PAGE_CACHE_GENERATION_FILE = str(tmp_path / "generation")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with empty caches. The database cache needs no clearing:
    what a test writes there is rolled back with the rest of its transaction, so
    the surrogate versions this process remembers from it are forgotten too."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    from despatch.core.surrogates import forget_known_versions

    for alias in settings.CACHES:
        if not isinstance(caches[alias], DatabaseCache):
            caches[alias].clear()
    forget_known_versions()
    yield
