"""A Redis cache that degrades to "no cache" while Redis is unreachable.

Pages, rate limits and cached versions all go through Django's cache. If Redis
stops, every read becomes a miss and every write is dropped, with a warning in
the logs, and the site keeps serving from the database.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


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

    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self._tolerate("set_many", [], super().set_many, *args, **kwargs)

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
