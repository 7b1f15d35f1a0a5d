"""Cache backends: a Redis cache that survives Redis stopping, and a memory cache
bounded in bytes.

Pages, rate limits and cached versions all go through Django's cache. If Redis
stops, every read becomes a miss and every write is dropped, with a warning in
the logs, and the site keeps serving from the database.
"""

from __future__ import annotations

import logging
import pickle
import sys
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.utils.safestring import SafeString
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Per cache name, like Django's own memory caches: every backend instance of one
# name (one per thread) shares the entries, so it shares their sizes too.
_sizes: dict[str, dict[str, int]] = {}
_totals: dict[str, list[int]] = {}
# Exactly these types: a subclass of str could carry attributes a reader might change.
_SHARED_AS_IS = (str, SafeString)


def _size(stored: bytes | str) -> int:
    # A string's characters take one to four bytes each in memory.
    return len(stored) if isinstance(stored, bytes) else sys.getsizeof(stored)


class TolerantRedisCache(RedisCache):
    def _tolerate(self, operation: str, fallback: Any, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except RedisError as error:
            logger.warning("Redis unavailable during %s: %s", operation, error)
            return fallback

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._tolerate("get", default, super().get, key, default, version)

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._tolerate("get_many", {}, super().get_many, keys, version)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._tolerate("set", None, super().set, *args, **kwargs)

    def set_many(self, data: Any, *args: Any, **kwargs: Any) -> list[Any]:
        # As Django's contract says, the keys not stored: all of them.
        return self._tolerate("set_many", list(data), super().set_many, data, *args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._tolerate("add", False, super().add, *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._tolerate("delete", False, super().delete, *args, **kwargs)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            logger.warning("Redis unavailable during incr: %s", error)
            # Callers counting attempts (rate limits) see "first attempt": the
            # site stays open rather than locking everyone out during an outage.
            return delta

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._tolerate("touch", False, super().touch, *args, **kwargs)

    def clear(self) -> None:
        self._tolerate("clear", None, super().clear)


class ByteBoundedMemoryCache(LocMemCache):
    """This process's memory cache, bounded in bytes as well as in entries.

    Fragments and feeds vary in size from a few bytes to tens of kilobytes, so a
    bound in entries alone says little about memory: a robot paging through every
    listing could fill a worker with thousands of large values. Past ``MAX_BYTES``
    (of stored values) the least recently used entries are dropped.

    Text (most fragments are rendered HTML) is kept as it is: a string cannot be
    changed, so every reader may share it, and unpickling a ``SafeString`` on
    every look-up costs more than the look-up. Every other value is pickled, as
    Django's memory cache does, so that no request changes another's copy.
    """

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self._max_bytes = int(options.get("MAX_BYTES", 16 * 1024 * 1024))
        self._sizes = _sizes.setdefault(name, {})
        self._total = _totals.setdefault(name, [0])

    @property
    def size_in_bytes(self) -> int:
        return self._total[0]

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            stored = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return stored if isinstance(stored, str) else pickle.loads(stored)  # noqa: S301

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        if type(value) not in _SHARED_AS_IS:
            super().set(key, value, timeout, version)
            return
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def validate_key(self, key: str) -> None:
        """Accept every key: the checks Django makes are for memcached's limits, and
        walking each character of a key costs more than the look-up it guards."""

    def _set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> None:
        self._forget_size(key)
        super()._set(key, value, timeout)
        self._sizes[key] = _size(value)
        self._total[0] += self._sizes[key]
        while self._total[0] > self._max_bytes and len(self._cache) > 1:
            self._drop_least_recently_used()

    def _cull(self) -> None:
        if self._cull_frequency == 0:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes.clear()
            self._total[0] = 0
            return
        for _ in range(len(self._cache) // self._cull_frequency):
            self._drop_least_recently_used()

    def _drop_least_recently_used(self) -> None:
        # Reads move an entry to the front, so the back holds the least recently used.
        key, _ = self._cache.popitem()
        self._expire_info.pop(key, None)
        self._forget_size(key)

    def _delete(self, key: str) -> bool:
        deleted = super()._delete(key)
        self._forget_size(key)
        return deleted

    def _forget_size(self, key: str) -> None:
        self._total[0] -= self._sizes.pop(key, 0)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        value = super().incr(key, delta, version)
        stored = self.make_and_validate_key(key, version=version)
        with self._lock:
            if stored in self._cache:
                self._forget_size(stored)
                self._sizes[stored] = _size(self._cache[stored])
                self._total[0] += self._sizes[stored]
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes.clear()
            self._total[0] = 0
