"""Waiting for a moment to pass, for tests of what happens at a set time."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.utils import timezone


def wait_until(moment: datetime) -> None:
    """Return a little after ``moment``.

    The little is 20 ms: caches count lifetimes on a monotonic clock, read a few
    microseconds after the wall clock the lifetime was worked out from.
    """
    while timezone.now() <= moment + timedelta(milliseconds=20):
        time.sleep(0.05)
