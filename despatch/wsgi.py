"""The WSGI application that ``despatch serve`` hands to the server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse

from despatch.core.warmup import prepare_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "despatch.settings")

django_application = get_wsgi_application()
prepare_process()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Django's application, handing each finished page to the server in one piece.

    Given a list, granian sends the body in one call; given Django's response
    object, it iterates and closes it from its own threads, taking the GIL back
    for every step. Streamed responses (files, exports) are passed through as they
    are; a finished page is closed here, which is all the server would do with it.
    """
    response = django_application(environ, start_response)
    if not isinstance(response, HttpResponse):
        return response
    try:
        return [response.content]
    finally:
        response.close()
