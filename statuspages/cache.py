"""A version number per page; every cached public document of a page is keyed by it.

Bumping the version on commit makes the next read miss, so a write is visible at once.
"""

from django.core.cache import cache
from django.db import transaction


def _version_key(page_id: str) -> str:
    return f"page-version:{page_id}"


def page_cache_version(page_id: str) -> int:
    version = cache.get(_version_key(page_id))
    if version is None:
        cache.add(_version_key(page_id), 1, timeout=None)
        version = cache.get(_version_key(page_id), 1)
    return version


def _bump(page_id: str) -> None:
    try:
        cache.incr(_version_key(page_id))
    except ValueError:
        cache.set(_version_key(page_id), 2, timeout=None)


def page_invalidate_on_commit(page_id: str) -> None:
    transaction.on_commit(lambda: _bump(page_id))
