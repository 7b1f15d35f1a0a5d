"""Debian's chromium driven by Playwright, shared by the browser and accessibility tests.

Playwright's own browser downloads are not used: the tests drive the
``chromium`` package that ``make test`` installs, with the flags that keep it
from reaching out to the network.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright

# Sync Playwright keeps an event loop running in the main thread, which makes
# Django refuse database access from the test (and the live server's request
# handling in the same thread) as "async unsafe". The test code is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class Viewport(NamedTuple):
    name: str
    width: int
    height: int
    mobile: bool


DESKTOP = Viewport("desktop", 1366, 900, mobile=False)
PHONE = Viewport("phone", 390, 844, mobile=True)
VIEWPORTS = [DESKTOP, PHONE]


def require_tool(present: bool, what: str) -> None:
    """Skip a test whose tool is missing on a developer's machine; fail it in CI.

    ``make test`` installs the tools, so a missing one in CI is a broken build,
    never a reason to report green.
    """
    if present:
        return
    message = f"{what} is not installed; `make test` installs it (as root, with apt-get)."
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(message)


def java_available() -> bool:
    return shutil.which("java") is not None


class _SharedChromium:
    """One Playwright driver and one chromium per test process.

    ``browser`` is a fixture of two conftests (tests/browser and tests/validity),
    which pytest treats as two session fixtures; a second sync Playwright in the
    same process would fail, so both hand out this one and the last to finish
    closes it.
    """

    def __init__(self) -> None:
        self.users = 0
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None

    def acquire(self) -> Browser:
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        self.users += 1
        return self.browser

    def release(self) -> None:
        self.users -= 1
        if self.users == 0 and self.browser is not None and self.playwright is not None:
            self.browser.close()
            self.playwright.stop()
            self.browser = self.playwright = None


_shared_chromium = _SharedChromium()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium for the whole test run; each test opens its own context."""
    require_tool(CHROMIUM.exists(), f"Debian's chromium ({CHROMIUM})")
    chromium = _shared_chromium.acquire()
    try:
        yield chromium
    finally:
        _shared_chromium.release()


def new_context(browser: Browser, viewport: Viewport) -> BrowserContext:
    """A fresh profile at ``viewport``: a phone gets touch, a DPR of 2 and mobile layout."""
    return browser.new_context(
        viewport={"width": viewport.width, "height": viewport.height},
        device_scale_factor=2 if viewport.mobile else 1,
        is_mobile=viewport.mobile,
        has_touch=viewport.mobile,
        locale="en-GB",
    )


# Elements wider than the viewport, for the message when a page scrolls sideways.
OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const scroll = document.documentElement.scrollWidth;
  const culprits = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      const id = element.id ? '#' + element.id : '';
      const cls = element.className && typeof element.className === 'string'
        ? '.' + element.className.trim().split(/\\s+/).join('.') : '';
      const edge = Math.round(box.right);
      culprits.push(`${element.tagName.toLowerCase()}${id}${cls} (right edge ${edge}px)`);
      if (culprits.length >= 5) break;
    }
  }
  return {width, scroll, culprits};
}"""
