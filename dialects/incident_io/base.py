"""The view every ``/incident-io/`` endpoint uses: our API key as a Bearer token, our scopes,
rate limit and idempotency (``core.api.ApiView``), with incident.io's errors and paging."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.serializers import as_serializer_error

from accounts.authentication import ApiKeyAuthentication
from accounts.permissions import IsApiKey
from core.api import ApiView
from core.pagination import paginate
from core.parsers import JsonParser
from dialects.incident_io.errors import InvalidQuery


class IncidentIoView(ApiView):
    schema = None  # documented in /incident-io/openapi.json, not in our own document
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsApiKey]
    parser_classes = [JsonParser]
    # The query parameters each method takes; any other is refused (400).
    query_parameters: dict[str, tuple[str, ...]] = {}

    def _refuse_unknown_query_parameters(self, request, handler) -> None:
        known = self.query_parameters.get(request.method, ())
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            raise InvalidQuery({name: ["Unknown query parameter."] for name in unknown})

    def read(self, serializer_class, data=None, **context):
        """The request body (or ``data``) read by an input serializer: its validated data."""
        body = serializer_class(
            data=self.request.data if data is None else data, context=context or None
        )
        body.is_valid(raise_exception=True)
        return body.validated_data

    def read_query(self, serializer_class) -> dict:
        with query_errors():
            return self.read(serializer_class, data=self.request.query_params.dict())


@contextmanager
def query_errors():
    """Refusals of query parameters (ours or a selector's) as 400 ``invalid_request_error``."""
    try:
        yield
    except exceptions.ValidationError as exc:
        raise InvalidQuery(exc.detail) from exc
    except DjangoValidationError as exc:
        raise InvalidQuery(as_serializer_error(exc)) from exc


class PagingQuery(serializers.Serializer):
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=250)
    after = serializers.CharField(required=False, max_length=1024)


def paginated(queryset, query_params, *, ordering: tuple[str, ...]) -> tuple[list, dict]:
    """One page of ``queryset`` and incident.io's ``pagination_meta`` (``after`` only when
    there is a next page)."""
    with query_errors():
        page = paginate(queryset, query_params, ordering=ordering)
    meta = {"page_size": page.page_size}
    if page.next_cursor:
        meta["after"] = page.next_cursor
    return page.items, meta
