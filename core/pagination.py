"""Keyset (cursor) pagination: stable under concurrent inserts, one query per page."""

import base64
import json
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 250
MAX_CURSOR_LENGTH = 1024
# What ``_encode`` writes: unpadded URL-safe base64, so a cursor is as long in a URL as it is.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"


class PaginationParams(serializers.Serializer):
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE, required=False
    )
    after = serializers.CharField(required=False, allow_blank=False, max_length=MAX_CURSOR_LENGTH)


@dataclass
class Page:
    items: list
    page_size: int
    next_cursor: str | None

    def envelope(self, data: list) -> dict:
        return {
            "data": data,
            "pagination": {"page_size": self.page_size, "next_cursor": self.next_cursor},
        }


def _encode(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, length: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise ValidationError({"after": ["Invalid cursor."]}) from exc
    if not isinstance(values, list) or len(values) != length:
        raise ValidationError({"after": ["Invalid cursor."]})
    return values


def _after(ordering: tuple[str, ...], values: list) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (lexicographic, per-field direction)."""
    condition = Q()
    for index in reversed(range(len(ordering))):
        field = ordering[index]
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{lookup}": values[index]})
        if index < len(ordering) - 1:
            step |= Q(**{name: values[index]}) & condition
        condition = step
    return condition


def paginate(queryset: QuerySet, query_params, *, ordering: tuple[str, ...]) -> Page:
    """``ordering`` must end with a unique field (``id``) so the order is total."""
    # A plain dict, so an empty ``?page_size=`` or ``?after=`` is a 400, not "not given".
    params = PaginationParams(
        data={name: query_params[name] for name in ("page_size", "after") if name in query_params}
    )
    params.is_valid(raise_exception=True)
    page_size = params.validated_data.get("page_size", DEFAULT_PAGE_SIZE)
    queryset = queryset.order_by(*ordering)
    cursor = params.validated_data.get("after")
    if cursor:
        queryset = queryset.filter(_after(ordering, _decode(cursor, len(ordering))))
    items = list(queryset[: page_size + 1])
    next_cursor = None
    if len(items) > page_size:
        items = items[:page_size]
        last = items[-1]
        next_cursor = _encode([_value(last, field.lstrip("-")) for field in ordering])
    return Page(items=items, page_size=page_size, next_cursor=next_cursor)


def _value(obj, name: str):
    value = obj
    for part in name.split("__"):
        value = getattr(value, part)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


MAX_PAGE_NUMBER = 100_000


def numbered_window(
    query_params, *, default_size: int, max_size: int, size_names: tuple[str, ...] = ("per_page",)
) -> slice:
    """``?page=`` (from 1) and a page size under the first of ``size_names`` given (at most
    ``max_size``), as the rows of that page: the paging of the APIs that number pages."""
    fields = {"page": serializers.IntegerField(min_value=1, max_value=MAX_PAGE_NUMBER, default=1)}
    for name in size_names:
        fields[name] = serializers.IntegerField(min_value=1, max_value=max_size, required=False)
    names = list(fields)  # the serializer's metaclass takes the fields out of the dict
    paging = type("NumberedPaging", (serializers.Serializer,), fields)(
        data={name: query_params[name] for name in names if name in query_params}
    )
    paging.is_valid(raise_exception=True)
    data = paging.validated_data
    size = next((data[name] for name in size_names if data.get(name)), default_size)
    start = (data["page"] - 1) * size
    return slice(start, start + size)
