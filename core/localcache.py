"""Per-process copies of shared-cache values, dropped the moment Redis says they changed.

A value read most of all (a status page's cached documents while something is broken) costs a
Redis round trip on every read even when it has not changed; at a few hundred microseconds a
request, that round trip is most of what the read costs. A ``LocalMirror`` keeps a copy of such
values in the process and serves it with no round trip at all, for as long as a subscription to
the mirror's Redis channel is live. Writers name what changed with ``invalidate`` after their
own write to the shared cache: the copies in the writer's process are dropped at once, and
Redis pushes the names to every other process, which drops its copies as the message arrives
(the same promise as Redis's own client-side caching, which needs a newer server than ours).

Nothing is served from a copy unless it is safe:
- copies are kept only while the subscription is live; when it drops, all are forgotten and
  none is kept again until it is back (a copy could have missed a message meanwhile);
- a copy is stored only if no invalidation arrived between the moment its value was read from
  the shared cache and the moment it is stored (``token``), so a value read just before a write
  never outlives the write's message;
- a silent connection (no answer to a ping within ``_PING_DEADLINE``) counts as dropped;
- every copy also has its own expiry, never beyond what the shared cache allowed.

With any other cache backend (local memory, no Redis) a mirror keeps nothing: the shared cache
is already in the process.
"""

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache, caches
from django.core.signals import setting_changed
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_ALL = "*"
_PING_EVERY = 5.0
_PING_DEADLINE = 10.0
_RETRY_AFTER = (0.5, 1.0, 2.0, 5.0)

_mirrors: list["LocalMirror"] = []


def _redis_client():
    """The ``default`` cache's redis client when it is ``core.cache.RedisCache``, else None."""
    redis_client = getattr(caches["default"], "redis_client", None)
    return redis_client() if redis_client is not None else None


def _channel(client, name: str) -> str:
    database = client.connection_pool.connection_kwargs.get("db", 0)
    return f"{cache.make_key('mirror:' + name)}:db{database}"


class LocalMirror:
    """Copies of values stored under (group, key), dropped by group; see the module docstring."""

    def __init__(
        self, name: str, *, max_bytes: int = 64 * 2**20, max_entries: int = 4096, max_age=60.0
    ):
        self.name = name
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.max_age = max_age
        self._lock = threading.Lock()
        # (group, key) -> (value, expires_at, size), least recently stored first.
        self._entries: OrderedDict[tuple[str, str], tuple[Any, float, int]] = OrderedDict()
        self._bytes = 0
        self._generation = 0
        self._live = False
        self._owner: tuple[int, int] | None = None  # (process id, epoch) of the listener
        self._epoch = 0
        _mirrors.append(self)

    # Reading side -------------------------------------------------------------------------

    def get(self, group: str, key: str) -> Any | None:
        if self._owner != (os.getpid(), self._epoch):
            self._start()
        if not self._live:
            return None
        entry = self._entries.get((group, key))
        if entry is None:
            return None
        value, expires_at, _ = entry
        if expires_at <= time.time():
            with self._lock:
                self._forget((group, key))
            return None
        return value

    def token(self) -> int:
        """Take before reading the shared cache; ``put`` keeps the value only if unchanged."""
        return self._generation

    def put(
        self, group: str, key: str, value: Any, token: int, *, expires_at: float, size: int = 0
    ) -> None:
        """Keeps ``value`` (about ``size`` bytes) until ``expires_at`` at the latest, the least
        recently stored going first beyond ``max_entries`` or ``max_bytes``."""
        expires_at = min(expires_at, time.time() + self.max_age)
        if size > self.max_bytes // 8:
            return  # one huge value would push out many small ones
        with self._lock:
            if not self._live or token != self._generation:
                return
            self._forget((group, key))
            self._entries[(group, key)] = (value, expires_at, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._forget(next(iter(self._entries)))

    def _forget(self, entry_key: tuple[str, str]) -> None:
        entry = self._entries.pop(entry_key, None)
        if entry is not None:
            self._bytes -= entry[2]

    def _forget_all(self) -> None:
        self._entries.clear()
        self._bytes = 0

    # Writing side -------------------------------------------------------------------------

    def invalidate(self, groups: Iterable[str]) -> None:
        """Call after the shared cache was written: drops the groups here, and tells every
        other process. A failure to tell them is the caller's to handle (``CACHE_ERRORS``)."""
        groups = [group for group in groups if group]
        if not groups:
            return
        self._drop(groups)
        client = _redis_client()
        if client is not None:
            client.publish(_channel(client, self.name), "\n".join(groups))

    def invalidate_all(self) -> None:
        self._drop(None)
        client = _redis_client()
        if client is not None:
            client.publish(_channel(client, self.name), _ALL)

    def _drop(self, groups: list[str] | None) -> None:
        with self._lock:
            self._generation += 1
            if groups is None:
                self._forget_all()
                return
            dropped = set(groups)
            for entry_key in [k for k in self._entries if k[0] in dropped]:
                self._forget(entry_key)

    # The subscription ---------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything and stop listening (the cache settings changed)."""
        with self._lock:
            self._epoch += 1
            self._owner = None
            self._live = False
            self._generation += 1
            self._forget_all()

    def close(self) -> None:
        """Stops listening for good (a mirror made for a while, as in tests)."""
        self.reset()
        if self in _mirrors:
            _mirrors.remove(self)

    def _start(self) -> None:
        with self._lock:
            owner = (os.getpid(), self._epoch)
            if self._owner == owner:
                return
            # A new process (fork) inherits copies nobody will drop: start empty.
            self._owner = owner
            self._live = False
            self._generation += 1
            self._forget_all()
        client = _redis_client()
        if client is None:
            return
        thread = threading.Thread(
            target=self._listen, args=(client, owner), name=f"mirror-{self.name}", daemon=True
        )
        thread.start()

    def _set_live(self, live: bool) -> None:
        with self._lock:
            self._live = live
            self._generation += 1
            self._forget_all()

    def _listen(self, client, owner: tuple[int, int]) -> None:
        failures = 0
        while self._owner == owner:
            pubsub = client.pubsub()
            try:
                pubsub.subscribe(_channel(client, self.name))
                pinged_at = answered_at = time.monotonic()
                while self._owner == owner:
                    message = pubsub.get_message(timeout=1.0)
                    now = time.monotonic()
                    if message is not None:
                        answered_at = now
                        self._on_message(message)
                        failures = 0
                    if now - answered_at > _PING_DEADLINE:
                        raise ConnectionError("no answer from Redis to the mirror's ping")
                    if now - pinged_at > _PING_EVERY:
                        pubsub.ping()
                        pinged_at = now
            except (RedisError, OSError) as error:
                if self._live:
                    logger.warning(
                        "local copies of %s off until Redis answers again (%s: %s)",
                        self.name,
                        type(error).__name__,
                        error,
                    )
                self._set_live(False)
                time.sleep(_RETRY_AFTER[min(failures, len(_RETRY_AFTER) - 1)])
                failures += 1
            finally:
                with contextlib.suppress(RedisError, OSError):
                    pubsub.close()

    def _on_message(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            # The first subscription, or a new one after redis-py reconnected by itself: what
            # was published meanwhile is lost, so what was copied before is forgotten.
            self._set_live(True)
        elif kind == "message":
            data = message["data"]
            data = data.decode() if isinstance(data, bytes) else data
            self._drop(None if data == _ALL else data.split("\n"))


def invalidate_all() -> None:
    """Every mirror forgets everything, in every process (``RedisCache.clear``)."""
    for mirror in _mirrors:
        mirror.invalidate_all()


def _settings_changed(setting, **kwargs) -> None:
    if setting == "CACHES":
        for mirror in _mirrors:
            mirror.reset()


setting_changed.connect(_settings_changed)
