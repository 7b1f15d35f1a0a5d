"""The browser and validity tests never pass silently in CI for want of their tools."""

from __future__ import annotations

import pytest

from tests.browser.chromium import require_tool


def test_a_missing_tool_skips_on_a_developers_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``CI``, a missing chromium or Java skips the test with the reason."""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make test"):
        require_tool(False, "Debian's chromium")


def test_a_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``CI`` set, the same missing tool fails the test instead."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_tool(False, "Debian's chromium")


def test_a_present_tool_lets_the_test_run() -> None:
    """A tool that is there changes nothing."""
    require_tool(True, "Debian's chromium")
