"""The view every ``/v1/`` endpoint uses: our API key, scopes, rate limit and idempotency
(``core.api.ApiView``) with Statuspage's authentication, body formats and paging; its errors
are spoken by ``errors.STATUSPAGE_ERRORS`` (registered in ``apps.py``)."""

from rest_framework import serializers

from accounts.permissions import IsApiKey
from core.api import ApiView
from core.pagination import MAX_PAGE_NUMBER, numbered_window
from core.parsers import JsonParser
from dialects.statuspage_v1.auth import StatuspageKeyAuthentication
from dialects.statuspage_v1.parsers import NestedFormParser

MAX_PER_PAGE = 100
MAX_PAGE = MAX_PAGE_NUMBER
MAX_SEARCH_LENGTH = 255


class V1View(ApiView):
    schema = None  # documented in /v1/openapi.json, not in our own document
    authentication_classes = [StatuspageKeyAuthentication]
    permission_classes = [IsApiKey]
    parser_classes = [JsonParser, NestedFormParser]

    def _refuse_unknown_query_parameters(self, request, handler) -> None:
        """Statuspage ignores query parameters it does not use (``api_key`` among them)."""


def page_window(query_params) -> slice:
    """Statuspage's ``?page=`` (from 1) and ``?per_page=`` (or ``?limit=``), at most 100."""
    return numbered_window(
        query_params,
        default_size=MAX_PER_PAGE,
        max_size=MAX_PER_PAGE,
        size_names=("per_page", "limit"),
    )


class _Search(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_SEARCH_LENGTH, allow_blank=True, required=False)


def search_text(query_params) -> str:
    """Statuspage's ``?q=`` (empty when not given); longer than the limit: 422."""
    search = _Search(data={"q": query_params["q"]} if "q" in query_params else {})
    search.is_valid(raise_exception=True)
    return search.validated_data.get("q", "")
