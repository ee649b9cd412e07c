"""Which scope a view asks of the caller for a method: ``required_scopes`` by method, else
``write_scope`` for unsafe methods. Kept here, free of any model, so the permission class
(accounts) and the schema generator (core) read the same rule."""

from rest_framework.permissions import SAFE_METHODS


def required_scope(view, method: str) -> str | None:
    by_method = getattr(view, "required_scopes", None) or {}
    if method in by_method:
        return by_method[method]
    if method in SAFE_METHODS:
        return None
    return getattr(view, "write_scope", None)
