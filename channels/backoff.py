"""How long to wait before trying a failed send again: the same policy for every channel."""

import random

BACKOFF_BASE = 10.0  # seconds before the first retry
BACKOFF_CAP = 300.0  # below the broker's visibility timeout, so a delayed message survives
RETRY_AFTER_CAP = 3600.0


def backoff_delay(attempts: int, retry_after: float | None = None) -> float:
    """Exponential with full jitter in its upper half; a server's Retry-After is a floor.
    ``attempts``: how many sends already failed (1 before the first retry)."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
    return delay
