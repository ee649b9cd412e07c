"""The shared cache is a speed-up, never a dependency: when it is down (Redis unreachable),
callers catch ``CACHE_ERRORS``, log one line and carry on from the database."""

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

from core import localcache

logger = logging.getLogger(__name__)

# What Django's RedisCache raises when Redis cannot be reached or answers with an error.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


def cache_unavailable(consequence: str, error: Exception) -> None:
    """One log line, no traceback: the outage is the operator's news, not each request's."""
    logger.warning("cache unavailable (%s: %s); %s", type(error).__name__, error, consequence)


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool instead of building
    one per cache call: redis-py 8 fills some 170 response callbacks in every new client,
    which cost more CPU than a cached public read's whole round trip (measured: ~150 µs of
    the ~290 µs such a read took in-process). A client is thread-safe and borrows a pooled
    connection per command, so sharing it changes nothing else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """The ``default`` cache with Redis (settings.CACHES)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient

    def redis_client(self):
        """The redis-py client behind the cache (``core.localcache`` publishes and listens)."""
        return self._cache.get_client(write=True)

    def clear(self):
        super().clear()
        # Copies of what was just cleared, in every process (core.localcache).
        localcache.invalidate_all()
