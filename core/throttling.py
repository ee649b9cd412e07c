"""The rate limit of unauthenticated public writes (subscribing, resending a confirmation),
per client address. The address is DRF's ``get_ident``: behind ``NUM_PROXIES`` reverse proxies
(settings.TRUSTED_PROXY_COUNT) the entry the outermost trusted proxy appended to
X-Forwarded-For, so a client cannot choose its own bucket by sending the header."""

import time

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from core.ratelimit import RateLimitState, rate_limit_hit


class PublicRateThrottle(BaseThrottle):
    """Counts in the shared cache with an atomic increment (fixed window), so every process
    behind the load balancer sees the same count."""

    state: RateLimitState | None = None

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        self.state = rate_limit_hit(
            f"public-write:{self.get_ident(request)}", settings.PUBLIC_SUBSCRIBE_RATE_LIMIT
        )
        return not self.state.exceeded

    def wait(self) -> float | None:
        if self.state is None:
            return None
        return max(1.0, self.state.reset_at - time.time())
