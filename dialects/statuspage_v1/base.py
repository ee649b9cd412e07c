"""The view every ``/v1/`` endpoint uses: our API key, scopes, rate limit and idempotency
(``core.api.ApiView``) with Statuspage's authentication, body formats, errors and paging."""

from accounts.permissions import IsApiKey
from core.api import ApiView
from core.pagination import numbered_window
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


def page_window(query_params) -> slice:
    """Statuspage's ``?page=`` (from 1) and ``?per_page=`` (or ``?limit=``), at most 100."""
    return numbered_window(
        query_params,
        default_size=MAX_PER_PAGE,
        max_size=MAX_PER_PAGE,
        size_names=("per_page", "limit"),
    )
