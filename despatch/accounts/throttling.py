"""Login throttling: a few wrong passwords lock the name, many lock the address.

Counts live in Django's cache, so with Redis they hold across every app
server. Names are hashed before they become keys: the cache never holds what
someone typed into the username box.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class SignInLimits:
    attempts_per_name: int
    attempts_per_address: int
    window_seconds: int
    lockout_seconds: int


def limits() -> SignInLimits:
    return SignInLimits(
        attempts_per_name=settings.DESPATCH_SIGN_IN_ATTEMPTS,
        attempts_per_address=settings.DESPATCH_SIGN_IN_ATTEMPTS_PER_ADDRESS,
        window_seconds=settings.DESPATCH_SIGN_IN_WINDOW_SECONDS,
        lockout_seconds=settings.DESPATCH_SIGN_IN_LOCKOUT_SECONDS,
    )


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:32]
    return f"despatch:sign-in:{kind}:{digest}"


def _subjects(username: str, ip: str | None) -> list[tuple[str, str, int]]:
    current = limits()
    subjects = [("name", username, current.attempts_per_name)]
    if ip:
        subjects.append(("address", ip, current.attempts_per_address))
    return subjects


def seconds_locked(*, username: str, ip: str | None) -> int:
    """How long sign-in stays refused for this name or address; 0 when it is open."""
    now = time.time()
    remaining = 0
    for kind, value, _limit in _subjects(username, ip):
        until = cache.get(_key(f"locked-{kind}", value))
        if until:
            remaining = max(remaining, int(until - now) + 1)
    return max(remaining, 0)


def record_failure(*, username: str, ip: str | None) -> bool:
    """Count one failed sign-in; return whether it has just locked the name or address."""
    current = limits()
    locked_now = False
    for kind, value, limit in _subjects(username, ip):
        key = _key(kind, value)
        cache.add(key, 0, timeout=current.window_seconds)
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=current.window_seconds)
            failures = 1
        if failures >= limit:
            cache.set(
                _key(f"locked-{kind}", value),
                time.time() + current.lockout_seconds,
                timeout=current.lockout_seconds,
            )
            cache.delete(key)
            locked_now = True
    return locked_now


def record_success(*, username: str) -> None:
    """A right password clears the name's count (not the address's: one success
    from a shared office address says nothing about the other attempts)."""
    cache.delete(_key("name", username))
