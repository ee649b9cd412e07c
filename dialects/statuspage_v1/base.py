"""The view every ``/v1/`` endpoint uses: our API key, scopes, rate limit and idempotency
(``core.api.ApiView``) with Statuspage's authentication, body formats, errors and paging."""

from rest_framework import serializers

from accounts.permissions import IsApiKey
from core.api import ApiView
from core.parsers import JsonParser
from dialects.statuspage_v1.auth import StatuspageKeyAuthentication
from dialects.statuspage_v1.parsers import NestedFormParser

MAX_PER_PAGE = 100


class V1View(ApiView):
    schema = None  # documented in /v1/openapi.json, not in our own document
    authentication_classes = [StatuspageKeyAuthentication]
    permission_classes = [IsApiKey]
    parser_classes = [JsonParser, NestedFormParser]

    def _refuse_unknown_query_parameters(self, request, handler) -> None:
        """Statuspage ignores query parameters it does not use (``api_key`` among them)."""


class _Paging(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    per_page = serializers.IntegerField(min_value=1, max_value=MAX_PER_PAGE, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_PER_PAGE, required=False)


def page_window(query_params) -> slice:
    """Statuspage's ``?page=`` (from 1) and ``?per_page=`` (or ``?limit=``), at most 100."""
    paging = _Paging(
        data={name: query_params[name] for name in _Paging().fields if name in query_params}
    )
    paging.is_valid(raise_exception=True)
    data = paging.validated_data
    size = data.get("per_page") or data.get("limit") or MAX_PER_PAGE
    start = (data["page"] - 1) * size
    return slice(start, start + size)
