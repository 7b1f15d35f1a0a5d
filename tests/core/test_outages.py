"""When the database or the cache is unreachable, readers get a page, never a traceback."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from despatch.core.middleware import DatabaseUnavailableMiddleware


def _database_down(request):
    raise OperationalError("could not connect to server: Connection refused")


def test_database_down_gives_a_503_page_with_retry_after():
    """O3: a database outage is a short 503 page that asks the reader to come back."""
    response = DatabaseUnavailableMiddleware(_database_down)(RequestFactory().get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert b"back shortly" in response.content
    assert b"Traceback" not in response.content


def test_other_errors_are_not_disguised_as_outages():
    def broken(request):
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        DatabaseUnavailableMiddleware(broken)(RequestFactory().get("/"))


@pytest.mark.django_db
def test_health_reports_the_database(client):
    assert client.get("/health/").json()["status"] == "ok"
