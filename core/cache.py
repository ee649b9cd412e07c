"""The shared cache is a speed-up, never a dependency: when it is down (Redis unreachable),
callers catch ``CACHE_ERRORS``, log one line and carry on from the database."""

import logging

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What Django's RedisCache raises when Redis cannot be reached or answers with an error.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


def cache_unavailable(consequence: str, error: Exception) -> None:
    """One log line, no traceback: the outage is the operator's news, not each request's."""
    logger.warning("cache unavailable (%s: %s); %s", type(error).__name__, error, consequence)
