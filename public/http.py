"""Per-page document cache and the HTTP conditions of every public response.

Cached bodies are keyed by ``page_cache_version``: services bump it on commit, so a read after
a write misses and rebuilds (invalidated, never waited out)."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

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


def conditional_response(request, body: bytes, etag: str, content_type: str) -> HttpResponse:
    """The document, or Django's 304 when ``If-None-Match`` names its ETag (weak comparison,
    ``*`` included)."""
    response = add_public_headers(HttpResponse(body, content_type=content_type))
    response["ETag"] = etag
    conditional = get_conditional_response(request, etag=etag, response=response)
    return add_public_headers(conditional) if conditional is not response else response
