"""The search page is valid HTML, has no axe-core violations and fits a 320 px screen.

The same checkers as the other public pages (``tests/validity``): the Nu Html
Checker on every state of the page (the bare form, results with snippets and
filters, notices about ignored filters, nothing found with suggestions, a later
page), and axe-core with an overflow check in Debian's chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.chromium import (
    VIEWPORTS,
    Viewport,
    browser,
    java_available,
    new_context,
    require_tool,
)
from tests.factories import days_ago, make_author, make_blog, make_post
from tests.validity.test_accessibility import AXE_OPTIONS, describe
from tests.validity.test_html import run_vnu

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.validity

__all__ = ["browser"]  # the session's chromium, a fixture

SMALLEST = Viewport("smallest phone", 320, 640, mobile=True)

# Every state of the page, as a reader's address would reach it.
STATES = {
    "form": "/search/",
    "results": "/search/?q=arms+treaty&blog=london&from=2009&to=2030&sort=relevance",
    "notices": "/search/?q=treaty&blog=atlantis&from=31%2F02%2F2009&tag=nope",
    "nothing-found": "/search/?q=secruity",
    "later-page": "/search/?q=treaty&sort=newest&page=2",
    "filters-only": "/search/?author=jane&language=en",
    "right-to-left": "/search/?q=%D9%85%D8%B9%D8%A7%D9%87%D8%AF%D8%A9",
}


# Elements of the page body (form, results, help) wider than the screen. The
# site header is the base template's and is checked with every other page.
CONTENT_OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('.page *')]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && (box.right > width + 1 || box.left < -1);
    })
    .slice(0, 5)
    .map((element) => element.outerHTML.slice(0, 120));
}"""


def build_network() -> None:
    london = make_blog(name="London calling", slug="london")
    jane = make_author(display_name="Jane Marlow", slug="jane")
    make_post(
        blog=london,
        author=jane,
        title="The Arms Trade Treaty in 2009",
        body_source="The UK said the **Arms Trade Treaty** must cover <small arms> & ammunition.",
        tags=["Arms control", "Maritime security"],
    )
    make_post(
        blog=london,
        author=jane,
        title="معاهدة تجارة الأسلحة",
        slug="arms-trade-treaty-ar",
        body_source="قال السفير إن مُعاهَدة تجارة الأسلحة مهمة.",
        language="ar",
    )
    for number in range(12):
        make_post(
            blog=london,
            author=jane,
            title=f"Treaty notes {number}",
            body_source="More on the treaty and on security.",
            published_at=days_ago(number + 2),
        )


@pytest.mark.django_db
def test_every_state_of_the_page_is_valid_html(client, tmp_path: Path) -> None:
    require_tool(java_available(), "Java (for the Nu Html Checker)")
    build_network()
    files = []
    for name, path in STATES.items():
        response = client.get(path)
        assert response.status_code == 200, path
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(file)
    errors = run_vnu(files)
    assert not errors, "\n".join(
        f"{Path(error.get('url', '')).name}:{error.get('lastLine')}: {error.get('message')}"
        for error in errors
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_axe_violations_and_no_sideways_scrolling(live_server: Any, browser: Browser) -> None:
    """axe-core is clean at desktop and phone widths, and the page fits 320 px."""
    build_network()
    axe = Axe()
    failures = []
    for viewport in [*VIEWPORTS, SMALLEST]:
        context = new_context(browser, viewport)
        tab = context.new_page()
        for name, path in STATES.items():
            response = tab.goto(live_server.url + path, wait_until="load")
            assert response is not None and response.status == 200
            violations = axe.run(tab, options=AXE_OPTIONS).response["violations"]
            failures += [f"{name} at {viewport.width} px:\n{describe(v)}" for v in violations]
            overflowing = tab.evaluate(CONTENT_OVERFLOW_SCRIPT)
            if overflowing:
                failures.append(f"{name} overflows at {viewport.width} px: {overflowing}")
        context.close()
    assert not failures, "\n".join(failures)
