"""The per-process memory cache keeps within its budget of bytes, dropping the
least recently used values first; it shares text as it is and copies the rest."""

from __future__ import annotations

import pickle
import sys

import pytest
from django.utils.safestring import SafeString, mark_safe

from despatch.core.cache import ByteBoundedMemoryCache

VALUE = "x" * 1000
# Text is kept as it is: its size is what the string takes in memory.
STORED = sys.getsizeof(VALUE)


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
    assert cache.size_in_bytes == sys.getsizeof("small")
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


def test_text_is_shared_as_it_is_and_stays_safe(cache):
    html = mark_safe("<p>Kept</p>")
    cache.set("part", html)
    kept = cache.get("part")
    assert kept is html
    assert isinstance(kept, SafeString)


def test_every_other_value_is_a_copy_no_reader_can_change_for_another(cache):
    rows = [{"title": "Treaty"}]
    cache.set("rows", rows)
    first = cache.get("rows")
    first[0]["title"] = "Changed"
    first.append({"title": "Added"})
    assert cache.get("rows") == [{"title": "Treaty"}]
    assert cache.get("rows") is not cache.get("rows")


class NotedText(str):
    """Text that can carry attributes, as a subclass of ``str`` may."""


def test_a_subclass_of_text_is_copied_with_what_it_carries(cache):
    value = NotedText("Treaty")
    value.note = "first"
    cache.set("noted", value)
    value.note = "changed"
    kept = cache.get("noted")
    assert kept is not value
    assert (kept, kept.note) == ("Treaty", "first")


def test_text_in_any_script_is_counted_at_its_size_in_memory(cache):
    arabic = "حوار عالمي" * 50
    cache.set("arabic", arabic)
    assert cache.size_in_bytes == sys.getsizeof(arabic)
    assert cache.size_in_bytes > len(arabic.encode("utf-8"))
