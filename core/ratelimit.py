"""Per-key fixed-window rate limit kept in the cache (Redis in production: atomic INCR)."""

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from core.cache import CACHE_ERRORS, cache_unavailable

_PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset_at: int  # Unix time at which the window ends
    exceeded: bool

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }


def parse_rate(rate: str) -> tuple[int, int]:
    """``"1200/min"`` → (1200, 60)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*", rate.lower())
    if not match or match.group(3) not in _PERIODS:
        raise ImproperlyConfigured(f"API_RATE_LIMIT must look like '1200/min', got {rate!r}")
    return int(match.group(1)), int(match.group(2) or 1) * _PERIODS[match.group(3)]


def rate_limit_hit(bucket: str, rate: str | None = None) -> RateLimitState:
    limit, period = parse_rate(rate or settings.API_RATE_LIMIT)
    now = time.time()
    window = int(now // period)
    cache_key = f"ratelimit:{bucket}:{window}"
    try:
        count = _count(cache_key, period)
    except CACHE_ERRORS as error:
        cache_unavailable(f"rate limit {bucket} not enforced", error)  # fail open
        count = 0
    return RateLimitState(
        limit=limit,
        remaining=max(0, limit - count),
        reset_at=(window + 1) * period,
        exceeded=count > limit,
    )


def _count(cache_key: str, period: int) -> int:
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        return cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=period + 5)
        return 1
