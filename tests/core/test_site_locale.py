"""The site's language and time zone are the active ones while a request is answered."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.translation import trans_real

from despatch.core.middleware import SiteLocaleMiddleware


def active_language() -> str | None:
    """The language activated explicitly, not Django's fallback to LANGUAGE_CODE."""
    active = getattr(trans_real._active, "value", None)
    return None if active is None else active.language()


def test_the_sites_language_and_time_zone_are_active_during_the_request_only(settings):
    settings.TIME_ZONE = "Europe/London"
    seen: dict[str, object] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen.update(language=active_language(), zone=timezone.get_current_timezone_name())
        return HttpResponse("ok")

    translation.deactivate()
    timezone.deactivate()
    SiteLocaleMiddleware(view)(RequestFactory().get("/"))
    assert seen == {"language": settings.LANGUAGE_CODE, "zone": "Europe/London"}
    assert active_language() is None


def test_nothing_stays_active_after_a_request_that_fails(settings):
    seen: list[str | None] = []

    def failing_view(request: HttpRequest) -> HttpResponse:
        seen.append(active_language())
        raise RuntimeError("the view broke")

    translation.deactivate()
    with pytest.raises(RuntimeError):
        SiteLocaleMiddleware(failing_view)(RequestFactory().get("/"))
    assert seen == [settings.LANGUAGE_CODE]
    assert active_language() is None
