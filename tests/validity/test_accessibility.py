"""Every public page type has no axe-core violation, on a desktop and on a phone (R8).

axe runs inside Debian's chromium against the live server, so it sees the page
as a reader's browser lays it out: contrast, target sizes and reflow included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.chromium import VIEWPORTS, Viewport, new_context
from tests.validity.pages import HTML_PAGE_KEYS, build_corpus, expected_status, page_paths

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.validity, pytest.mark.browser]

# The rules the project answers to: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and
# axe's best practices (the same set as the shared kit's check_a11y.js).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def describe(violation: dict[str, Any]) -> str:
    nodes = "\n".join(
        f"      at {', '.join(map(str, node.get('target', [])))}: "
        f"{' '.join(node.get('html', '').split())[:200]}\n"
        f"         {' '.join(node.get('failureSummary', '').split())[:300]}"
        for node in violation.get("nodes", [])[:5]
    )
    return f"  - {violation['id']} ({violation.get('impact')}): {violation['help']}\n{nodes}"


@pytest.fixture(scope="module")
def tabs(browser: Browser) -> Iterator[dict[Viewport, Page]]:
    """One browser tab per viewport, reused by every page of this module."""
    contexts = [new_context(browser, viewport) for viewport in VIEWPORTS]
    yield {
        viewport: context.new_page() for viewport, context in zip(VIEWPORTS, contexts, strict=True)
    }
    for context in contexts:
        context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", HTML_PAGE_KEYS)
def test_page_has_no_axe_violations(live_server: Any, tabs: dict[Viewport, Page], key: str) -> None:
    """axe-core finds no WCAG 2.2 A/AA or best-practice violation at 1366 px and at 390 px."""
    path = page_paths(build_corpus())[key]
    axe = Axe()
    failures = []
    for viewport, tab in tabs.items():
        response = tab.goto(live_server.url + path, wait_until="load")
        assert response is not None
        assert response.status == expected_status(key), f"GET {path} answered {response.status}"
        violations = axe.run(tab, options=AXE_OPTIONS).response["violations"]
        if violations:
            failures.append(
                f"{len(violations)} violations at {viewport.name} ({viewport.width} px):\n"
                + "\n".join(describe(violation) for violation in violations)
            )
    assert not failures, f"axe-core on {path}:\n" + "\n".join(failures)
