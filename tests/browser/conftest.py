"""Fixtures for the Playwright tests: Debian's chromium, shared for the session."""

from tests.browser.chromium import browser

__all__ = ["browser"]
