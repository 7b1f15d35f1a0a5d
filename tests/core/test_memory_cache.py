"""The per-process memory cache keeps within its budget of bytes, dropping the
least recently used values first."""

from __future__ import annotations

import pickle

import pytest

from despatch.core.cache import ByteBoundedMemoryCache

VALUE = "x" * 1000
STORED = len(pickle.dumps(VALUE, pickle.HIGHEST_PROTOCOL))


@pytest.fixture
def cache(request):
    store = ByteBoundedMemoryCache(
        f"test-{request.node.name}", {"OPTIONS": {"MAX_BYTES": 5 * STORED, "MAX_ENTRIES": 100}}
    )
    yield store
    store.clear()


def test_values_past_the_budget_push_out_the_least_recently_read(cache):
    for n in range(5):
        cache.set(f"part-{n}", VALUE)
    assert cache.get("part-0") == VALUE
    cache.set("part-5", VALUE)
    assert cache.get("part-1") is None
    assert cache.get("part-0") == VALUE
    assert cache.get("part-5") == VALUE
    assert cache.size_in_bytes == 5 * STORED


def test_replacing_deleting_and_expiring_values_give_their_bytes_back(cache):
    cache.set("part", VALUE)
    cache.set("part", "small")
    cache.set("gone", VALUE)
    cache.delete("gone")
    cache.set("expired", VALUE, timeout=0)
    assert cache.get("expired") is None
    assert cache.size_in_bytes == len(pickle.dumps("small", pickle.HIGHEST_PROTOCOL))
    cache.clear()
    assert cache.size_in_bytes == 0


def test_threads_share_one_budget_per_cache_name(cache, request):
    """Django makes one backend per thread; they all hold the same entries."""
    other_thread = ByteBoundedMemoryCache(
        f"test-{request.node.name}", {"OPTIONS": {"MAX_BYTES": 5 * STORED}}
    )
    for n in range(4):
        cache.set(f"part-{n}", VALUE)
    for n in range(4):
        other_thread.set(f"other-{n}", VALUE)
    assert cache.size_in_bytes == other_thread.size_in_bytes == 5 * STORED


def test_a_single_value_larger_than_the_budget_is_still_kept(cache):
    """The value just stored is never the one dropped: the render is not wasted."""
    big = "y" * (6 * STORED)
    cache.set("big", big)
    assert cache.get("big") == big


def test_a_counter_incremented_in_place_is_counted_at_its_new_size(cache):
    """``incr`` rewrites the stored value without going through ``set``."""
    cache.set("counter", 1)
    cache.incr("counter", 10**30)
    assert cache.size_in_bytes == len(pickle.dumps(1 + 10**30, pickle.HIGHEST_PROTOCOL))
