"""Background work that belongs to no single capability."""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings
from django_tasks import task

from . import surrogates

logger = logging.getLogger(__name__)


@task()
def purge_cdn(*, keys: list[str]) -> None:
    """Ask the CDN in front of the site to drop pages tagged with ``keys``.

    The hook is a plain JSON POST (``{"surrogate_keys": [...]}``) to
    ``CDN_PURGE_URL``, which a small adapter or the CDN itself accepts; with no
    URL set there is no CDN to tell.
    """
    if not settings.CDN_PURGE_URL:
        return
    body = json.dumps({"surrogate_keys": keys}).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own setting
        settings.CDN_PURGE_URL,
        data=body,
        headers={"Content-Type": "application/json", **settings.CDN_PURGE_HEADERS},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        logger.info("CDN purge of %d keys answered %s", len(keys), response.status)


@task()
def invalidate_surrogate_keys_again(*, keys: list[str], attempt: int) -> None:
    """Retry an invalidation the shared cache missed while it was down."""
    surrogates.retry_invalidation(keys=keys, attempt=attempt)
