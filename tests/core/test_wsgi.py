"""The WSGI application hands granian finished pages whole."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from despatch.wsgi import application

pytestmark = pytest.mark.django_db


def test_a_finished_page_is_handed_to_the_server_in_one_piece_and_closed():
    """Granian sends a list in one call; a response object it would iterate and close
    from its own threads, taking the GIL back for each step."""
    finished = []

    def note_finished(**kwargs):
        finished.append(True)

    request_finished.connect(note_finished)
    # As in Django's test client: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        statuses = []
        body = application(
            RequestFactory().get("/health/").environ,
            lambda status, headers, exc_info=None: statuses.append(status),
        )
    finally:
        request_finished.disconnect(note_finished)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert isinstance(body, list)
    assert statuses == ["200 OK"]
    assert b'"status": "ok"' in b"".join(body)
    assert finished == [True]
