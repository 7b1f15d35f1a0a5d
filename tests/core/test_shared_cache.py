"""The embedded shared cache keeps what safety depends on while pages come and go."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.db.DatabaseCache",
    reason="the embedded default's database cache",
)
def test_a_sign_in_counter_survives_a_thousand_other_entries():
    """Django's database cache culls a third of its rows past 300 by default: a
    lockout counter must not vanish because readers visited many pages."""
    shared = caches["default"]
    # Shaped like the keys of accounts.throttling and conversations.ratelimits,
    # which sort before the surrogate versions: the cull would take them first.
    shared.set("despatch:sign-in:name:0f3a", 5, 900)
    shared.set("conversations:rate:comment:60:9c1d:1", 4, 900)
    shared.set_many({f"surrogate:post-{number}": "v" for number in range(1000)}, 900)
    for number in range(5):
        shared.set(f"surrogate:blog-{number}", "v", 900)
    assert shared.get("despatch:sign-in:name:0f3a") == 5
    assert shared.get("conversations:rate:comment:60:9c1d:1") == 4
