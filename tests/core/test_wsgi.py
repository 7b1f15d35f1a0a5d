"""The WSGI application hands granian finished pages whole."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from despatch.core import warmup
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


def test_loading_the_application_readies_the_process_before_any_request(tmp_path):
    """The server imports this module in each new worker: by the time it returns,
    every view is imported and every template parsed, so no reader waits on that."""
    script = (
        "import sys, despatch.wsgi\n"
        "from django.template import engines\n"
        "(loader,) = engines['django'].engine.template_loaders\n"
        "print(len(loader.get_template_cache), 'despatch.posts.views' in sys.modules)\n"
    )
    env = {**os.environ, "DESPATCH_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    finished = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    parsed, views_imported = finished.stdout.split()
    assert int(parsed) == len(warmup.template_names())
    assert views_imported == "True"
