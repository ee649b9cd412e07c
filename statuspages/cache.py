"""A stamp per public route; every cached public document of the route is stored with it.

A route is how a request names a page (``statuspages.routing.page_route``): ``slug:{slug}``
for ``/pages/{slug}/`` and ``{slug}.PUBLIC_BASE_DOMAIN``, ``domain:{host}`` for a custom
domain. Naming the route takes no query, so a cached read is one ``get_many`` (stamp and
document) and no database query. Services replace the stamps of a page's routes on commit
(the old routes too when a slug or domain changes, and on delete), so the next read misses
and rebuilds: invalidated, never waited out. Each process may also keep a copy of a route's
documents (``route_copies``), dropped in every process by the same restamp.
"""

import secrets
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from core.cache import CACHE_ERRORS, cache_unavailable
from core.localcache import LocalMirror
from statuspages.models import StatusPage

# (modified_at, nonce): when the route's page last changed (as far as the cache knows), and
# randomness so that a stamp made again after an eviction never matches an old document.
Stamp = tuple[float, str]

# Each process's copies of route documents (``public.http``), grouped by route: a restamp drops
# them in every process as it happens (core.localcache), so a hit there needs no round trip.
route_copies = LocalMirror("public-routes")


def _stamp_key(route: str) -> str:
    return f"public-route:{route}"


def _new_stamp() -> Stamp:
    return (time.time(), secrets.token_hex(8))


def page_routes(slug: str | None, custom_domain: str | None) -> list[str]:
    routes = [f"slug:{slug}"] if slug else []
    return routes + ([f"domain:{custom_domain}"] if custom_domain else [])


def route_stamp_with(route: str, key: str) -> tuple[Stamp | None, Any]:
    """The route's stamp and the value at ``key``, in one cache round trip."""
    found = cache.get_many([_stamp_key(route), key])
    return found.get(_stamp_key(route)), found.get(key)


def route_stamp_ensure(route: str) -> Stamp:
    """The route's stamp, made now if it has none. Read it *before* the database, so a write
    committed in between replaces it and what was built under it is never served."""
    stamp = _new_stamp()
    if cache.add(_stamp_key(route), stamp, timeout=None):
        return stamp
    return cache.get(_stamp_key(route)) or stamp


def _restamp(page_id: str, routes: Iterable[str]) -> None:
    current = StatusPage.objects.filter(id=page_id).values_list("slug", "custom_domain").first()
    routes = {*routes, *(page_routes(*current) if current else ())}
    try:
        cache.set_many({_stamp_key(route): _new_stamp() for route in routes}, timeout=None)
        route_copies.invalidate(routes)
    except CACHE_ERRORS as error:
        # Documents cached before the outage expire by themselves (public.http.DOCUMENT_TIMEOUT).
        cache_unavailable(f"public documents of {page_id} not invalidated", error)


def page_invalidate_on_commit(page_id: str, *, routes: Iterable[str] = ()) -> None:
    """After commit, every cached public document of the page is stale. ``routes``: routes
    the page no longer has (a previous slug or domain, or all of them when it is deleted)."""
    routes = list(routes)
    transaction.on_commit(lambda: _restamp(page_id, routes))


def page_deleted(sender, instance: StatusPage, **kwargs) -> None:
    """``post_delete`` receiver (see ``StatuspagesConfig.ready``)."""
    page_invalidate_on_commit(
        instance.id, routes=page_routes(instance.slug, instance.custom_domain)
    )
