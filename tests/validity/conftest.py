"""Fixtures for the validity tests: the Nu Html Checker and Debian's chromium."""

from tests.browser.chromium import browser

__all__ = ["browser"]
