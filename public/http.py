"""Per-page document cache and the HTTP conditions of every public response.

Cached bodies are keyed by ``page_cache_version``: services bump it on commit, so a read after
a write misses and rebuilds (invalidated, never waited out)."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified

from statuspages.cache import page_cache_version
from statuspages.models import StatusPage

# Bounds staleness of what depends on the clock alone (the 90-day history window).
DOCUMENT_TIMEOUT = 300
# Clients revalidate every time (cheap: a 304 from the cache), so a write shows on the next read.
CACHE_CONTROL = "public, max-age=0, no-cache"


def cached_body(page: StatusPage, name: str, build: Callable[[], bytes]) -> tuple[bytes, str]:
    """``(body, etag)`` of one public document of ``page``, built at most once per version."""
    key = f"public-doc:{page.id}:{page_cache_version(page.id)}:{name}"
    entry = cache.get(key)
    if entry is None:
        body = build()
        entry = (body, '"' + hashlib.sha256(body).hexdigest()[:40] + '"')
        cache.set(key, entry, DOCUMENT_TIMEOUT)
    return entry


def add_public_headers(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Accept-Encoding"
    return response


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    return "*" in candidates or etag in [c.removeprefix("W/") for c in candidates]


def conditional_response(request, body: bytes, etag: str, content_type: str) -> HttpResponse:
    if _etag_matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    return add_public_headers(response)
