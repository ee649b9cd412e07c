"""Per-route document cache and the HTTP conditions of every public response.

A cached document is stored under its route (``statuspages.cache``) with the route's stamp, so
a hit is one cache round trip and no query, or none when this process holds a copy
(``statuspages.cache.route_copies``, dropped in every process on a restamp). Services replace
the stamp on commit, so a read after a write misses and rebuilds (invalidated, never waited
out). With the cache down every read is built from the database."""

import contextlib
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from audit.recording import snapshots_paused
from core.cache import CACHE_ERRORS, cache_unavailable
from statuspages.cache import Stamp, route_copies, route_stamp_ensure, route_stamp_with
from statuspages.models import StatusPage
from statuspages.routing import page_route, resolve_page

logger = logging.getLogger(__name__)

# Bounds staleness of what depends on the clock alone (the 90-day history window), and of what
# was cached before a cache outage that swallowed an invalidation.
DOCUMENT_TIMEOUT = 300
# One build of a document at a time per stamp (``_build_once``): others wait this long for it
# at most, then build themselves; the lock outlives a build that died without letting go.
BUILD_WAIT_SECONDS = 3.0
BUILD_LOCK_SECONDS = 10
# The lock's value once a build under the stamp found a non-public page (nothing to wait for).
_UNSHARED = "unshared"
# Clients and proxies revalidate every time (cheap: a 304), so a write shows on the next read;
# a proxy may still be told to serve a few seconds from its own cache (README, "Performance").
CACHE_CONTROL = "public, max-age=0, no-cache"


@dataclass(frozen=True)
class PublicDocument:
    body: bytes
    etag: str
    # When the page last changed as far as the stamp knows (exact, for If-Modified-Since) and
    # the Last-Modified header (whole seconds, never after the read began).
    modified_at: float
    last_modified: str
    built_at: float = 0.0
    # False for a non-public page's document: built for one admitted reader, never stored
    # under the route's shared key (so neither the early middleware nor a request waiting on
    # another's build can be given it) nor by a proxy.
    shared: bool = True


def _build(request, slug, build: Callable[[StatusPage], bytes], stamp: Stamp | None):
    read_at = time.time()
    modified_at = stamp[0] if stamp is not None else read_at
    page = resolve_page(request, slug)
    with snapshots_paused():  # a document only reads
        body = build(page)
    return PublicDocument(
        body=body,
        etag='"' + hashlib.sha256(body).hexdigest()[:40] + '"',
        modified_at=modified_at,
        last_modified=http_date(min(math.ceil(modified_at), math.floor(read_at))),
        built_at=read_at,
        shared=page.is_public,
    )


def _document_key(route: str, name: str) -> str:
    return f"public-doc:{route}:{name}"


@dataclass(frozen=True)
class Lookup:
    """What an early look at the cache found for a request (``public.middleware``), so the
    full path that follows a miss does not ask the cache a second time."""

    route: str
    name: str
    stamp: Stamp | None
    error: Exception | None = None  # the cache is down: the view builds without it


def _current(route: str, key: str) -> tuple[Stamp | None, PublicDocument | None]:
    """The route's stamp and its current document at ``key``: from this process's copy when
    it has one (no round trip), else in one cache round trip, keeping a copy of a hit."""
    copy = route_copies.get(route, key)
    if copy is not None:
        return copy
    token = route_copies.token()
    stamp, entry = route_stamp_with(route, key)
    if stamp is None or entry is None or entry[0] != stamp:
        return stamp, None
    document = entry[1]
    expires_at = getattr(document, "built_at", 0.0) + DOCUMENT_TIMEOUT
    route_copies.put(
        route, key, (stamp, document), token, expires_at=expires_at, size=len(document.body)
    )
    return stamp, document


def cached_lookup(request, route: str, name: str) -> PublicDocument | None:
    """The current document ``name`` of ``route`` in at most one cache round trip, or None (a
    miss, remembered on the request, or the cache down: the full path then logs it and
    builds)."""
    try:
        stamp, document = _current(route, _document_key(route, name))
    except CACHE_ERRORS as error:
        request.public_lookup = Lookup(route, name, None, error)
        return None
    if document is None:
        request.public_lookup = Lookup(route, name, stamp)
    return document


def cached_document(
    request, slug: str | None, name: str, build: Callable[[StatusPage], bytes]
) -> PublicDocument:
    """Document ``name`` of the page the request addresses, built by ``build(page)`` at most
    once per stamp of its route. Http404 when there is no such page (or ``build`` raises it)."""
    route = page_route(request, slug)
    if route is None:
        raise Http404("No status page here.")
    key = _document_key(route, name)
    early = getattr(request, "public_lookup", None)
    if early is None or (early.route, early.name) != (route, name):
        early = None
    if early is not None and early.error is not None:
        cache_unavailable(f"{name} built from the database", early.error)
        return _build(request, slug, build, None)
    try:
        if early is not None:
            stamp = early.stamp  # a miss a moment ago: build, without asking again
        else:
            stamp, document = _current(route, key)
            if document is not None:
                return document
        if stamp is None:
            stamp = route_stamp_ensure(route)
    except CACHE_ERRORS as error:
        cache_unavailable(f"{name} built from the database", error)
        return _build(request, slug, build, None)
    return _build_once(request, slug, build, route, name, stamp)


def _build_once(request, slug, build, route: str, name: str, stamp: Stamp) -> PublicDocument:
    """Builds and stores the document under ``stamp``; or, when another request (in any
    process) is already building it under the same stamp, waits for that one. After a write,
    every worker reading the page would otherwise rebuild the same large document at once,
    just when the page is read most."""
    key = _document_key(route, name)
    lock = f"public-build:{route}:{name}:{stamp[1]}"
    try:
        mine = cache.add(lock, 1, BUILD_LOCK_SECONDS)
        if not mine:
            document = _wait_for_build(route, key, lock)
            if document is not None:
                return document
    except CACHE_ERRORS as error:
        cache_unavailable(f"{name} built without waiting for another build", error)
        mine = False
    document = None
    try:
        document = _build(request, slug, build, stamp)
        logger.debug("built %s of %s", name, route)
        if document.shared:  # a non-public page's document is its reader's alone
            try:
                cache.set(key, (stamp, document), DOCUMENT_TIMEOUT)
            except CACHE_ERRORS as error:
                cache_unavailable(f"{name} not stored", error)
    finally:
        if mine:  # let waiters go on at once, with the document or (it failed) to build it
            with contextlib.suppress(*CACHE_ERRORS):
                if document is not None and not document.shared:
                    # Every reader of a non-public page builds their own: nobody waits.
                    cache.set(lock, _UNSHARED, DOCUMENT_TIMEOUT)
                else:
                    cache.delete(lock)
    return document


def _wait_for_build(route: str, key: str, lock: str) -> PublicDocument | None:
    """The document another request is building, once stored; None when that build ended
    without storing one (the page is missing, or it failed) or takes too long."""
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    pause = 0.005
    while True:
        # The lock first: the builder stores the document, then lets go of the lock.
        state = cache.get(lock)
        if state == _UNSHARED:
            return None
        _, document = _current(route, key)
        if document is not None:
            return document
        if state is None or time.monotonic() >= deadline:
            return None
        logger.debug("waiting for another build of %s", key)
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


# No Vary: a body depends on the URL and Host alone (a proxy's cache key), never on a request
# header (save a human page's language: public.views.HUMAN_VARY), and the origin does not
# compress; a compressing proxy adds "Vary: Accept-Encoding" itself. A Vary the body does not
# follow would split a shared cache into needless variants.
PUBLIC_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": CACHE_CONTROL}
# An admitted reader's view of a non-public page: theirs alone, kept by nobody, and not for
# other origins (a cross-origin read would carry no reader cookie anyway).
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Vary": "Cookie"}


def add_public_headers(response: HttpResponse) -> HttpResponse:
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response


def conditional_response(request, document: PublicDocument, content_type: str) -> HttpResponse:
    """The document, or Django's 304 when ``If-None-Match`` names its ETag (weak comparison,
    ``*`` included) or, without one, ``If-Modified-Since`` is not before its last change."""
    if not document.shared:
        return HttpResponse(document.body, content_type=content_type, headers=PRIVATE_HEADERS)
    response = HttpResponse(
        document.body,
        content_type=content_type,
        headers={**PUBLIC_HEADERS, "ETag": document.etag, "Last-Modified": document.last_modified},
    )
    conditional = get_conditional_response(
        request, etag=document.etag, last_modified=document.modified_at, response=response
    )
    return add_public_headers(conditional) if conditional is not response else response
