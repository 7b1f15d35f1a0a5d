"""Per-address limits on how often comments may be sent, kept in Django's cache.

Counters live in the cache so that several app servers sharing Redis share
the limits too; with the embedded local-memory cache they hold per process.
Each limit is a fixed window ("5 a minute"): cheap, and a flood is stopped
within one window, which is all the defence needs.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def client_ip(request: HttpRequest) -> str | None:
    """The reader's address: ``REMOTE_ADDR``, or behind our own proxy the last hop it saw.

    Only the address the trusted proxy appended is used; earlier entries of
    ``X-Forwarded-For`` are whatever the client chose to send.
    """
    if settings.DESPATCH_COMMENTS_TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None


def _limits(scope: str) -> list[Limit]:
    return [
        Limit(count, seconds) for count, seconds in settings.DESPATCH_COMMENTS_RATE_LIMITS[scope]
    ]


def hit(scope: str, identity: str) -> Verdict:
    """Count one attempt by ``identity`` (an IP or an e-mail) and say whether it may go on.

    Every attempt counts, refused ones included, so a flood cannot slip through
    by retrying at the edge of a window.
    """
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    now = time.time()
    retry_after = 0
    for limit in _limits(scope):
        window = int(now // limit.seconds)
        key = f"conversations:rate:{scope}:{limit.seconds}:{digest}:{window}"
        cache.add(key, 0, timeout=limit.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=limit.seconds + 1)
            count = 1
        if count > limit.count:
            retry_after = max(retry_after, int((window + 1) * limit.seconds - now) + 1)
    return Verdict(allowed=retry_after == 0, retry_after=retry_after)
