"""The view every ``/instatus/`` endpoint uses: our API key (``Authorization: Bearer``, as
Instatus's clients send it), scopes, page limits, rate limit and optional idempotency
(``core.api.ApiView``), with Instatus's errors and ``?page=&per_page=`` paging."""

from core.api import ApiView
from core.pagination import numbered_window
from dialects.instatus.errors import FIELD_NAMES

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


class InstatusView(ApiView):
    """Creating needs no idempotency key here (Instatus's clients send none); one sent in
    the ``Idempotency-Key`` header is honoured with the management API's semantics."""

    schema = None  # documented in /instatus/openapi.json, not in our own document
    service_field_names = FIELD_NAMES

    def _refuse_unknown_query_parameters(self, request, handler) -> None:
        """Instatus ignores query parameters it does not use; so does its dialect here."""


def page_window(query_params) -> slice:
    """Instatus's ``?page=`` (from 1) and ``?per_page=`` (default 50, at most 100)."""
    return numbered_window(query_params, default_size=DEFAULT_PER_PAGE, max_size=MAX_PER_PAGE)
