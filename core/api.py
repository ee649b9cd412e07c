"""The base view every management API endpoint uses: auth, scopes, rate limit, idempotency,
query parameters as documented, input validation and the list envelope."""

import json
import re
import time
from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import validation_error
from core.idempotency import (
    HEADER,
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
    key_is_valid,
    request_fingerprint,
)
from core.pagination import paginate
from core.ratelimit import rate_limit_hit
from core.schema import parameter_problem, parameter_schema

# A JSON-escaped NUL (\u0000 not itself behind an escaping backslash).
_HOLDS_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _without_fields(body: dict, names: tuple[str, ...]) -> dict:
    """``body`` without the named fields (``"a.b"``: the field ``b`` of the object ``a``)."""
    body = dict(body)
    for name in names:
        head, _, rest = name.partition(".")
        if not rest:
            body.pop(head, None)
        elif isinstance(body.get(head), dict):
            body[head] = _without_fields(body[head], (rest,))
    return body


class FileResponseNegotiation(DefaultContentNegotiation):
    """For a view that answers with a file of its own (a CSV export): whatever ``Accept``
    asks for (``text/csv``), it is never a 406, and an error is the JSON envelope."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _NotStored(Exception):
    def __init__(self, response):
        self.response = response


class ApiView(APIView):
    """Subclasses set ``write_scope`` (or ``required_scopes``) and, for creates that must be
    idempotent, ``idempotency_required = True`` (the key may then also come in the body)."""

    write_scope: str | None = None
    required_scopes: dict[str, str] | None = None
    idempotency_required = False
    idempotency_body_field = "idempotency_key"
    # Response fields never kept for a replay (a secret shown once: a replay omits it).
    idempotency_unstored_fields: tuple[str, ...] = ()
    # A service's argument names as this view's requests call them, for its refusals
    # (``core.errors``), e.g. ``{"url_override": "url"}``.
    service_field_names: dict[str, str] = {}

    @property
    def api_key(self):
        """The caller's API key (``accounts.ApiKey``), set by the authentication class."""
        return self.request.auth

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if request.auth is not None:
            self.rate_limit = rate_limit_hit(f"key:{request.auth.id}")
            if self.rate_limit.exceeded:
                raise exceptions.Throttled(wait=self.rate_limit.reset_at - time.time())

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        rate_limit = getattr(self, "rate_limit", None)
        if rate_limit is not None:
            for name, value in rate_limit.headers().items():
                response[name] = value
        return response

    def dispatch(self, request, *args, **kwargs):
        # DRF's dispatch, with the idempotency step between the checks and the handler.
        self.args = args
        self.kwargs = kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            if request.method.lower() in self.http_method_names:
                handler = getattr(self, request.method.lower(), self.http_method_not_allowed)
            else:
                handler = self.http_method_not_allowed
            if handler != self.http_method_not_allowed and request.method != "OPTIONS":
                self._refuse_unknown_query_parameters(request, handler)
            key = self._idempotency_key(request) if request.method == "POST" else None
            if key is None:
                response = handler(request, *args, **kwargs)
            else:
                response = self._idempotent(key, handler, request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def _refuse_unknown_query_parameters(self, request, handler) -> None:
        """The query parameters an operation documents are the ones it takes; any other is a
        400 (like an unknown body field), so a misspelt filter never silently lists all."""
        documented = self._documented_query_parameters(handler)
        problems = {
            name: ["Unknown query parameter."]
            for name in request.query_params
            if name not in documented
        }
        # A documented value is the value accepted: its list of values (an empty `?status=`
        # too is a 400), its length and its pattern, as the OpenAPI document states them.
        for name, parameter in documented.items():
            schema = parameter_schema(parameter)
            for given in request.query_params.getlist(name):
                problem = parameter_problem(schema, given)
                if problem:
                    problems[name] = [problem]
        if problems:
            raise exceptions.ValidationError(dict(sorted(problems.items())))

    def _documented_query_parameters(self, handler) -> dict[str, OpenApiParameter]:
        schema_class = getattr(handler, "kwargs", {}).get("schema")
        if schema_class is None:
            return {}
        # The same @extend_schema parameters the OpenAPI document is generated from.
        schema = schema_class()
        schema.view = self
        schema.method = self.request.method
        return {
            parameter.name: parameter
            for parameter in schema.get_override_parameters()
            if isinstance(parameter, OpenApiParameter) and parameter.location == "query"
        }

    def validated(self, serializer_class, **kwargs):
        """The request body checked by ``serializer_class`` (a 400 naming the fields if not)."""
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer

    def paginated(
        self,
        queryset: QuerySet,
        serializer,
        *,
        ordering: tuple[str, ...],
        details: Callable[[list], object] | None = None,
        context: Callable[[list], dict] | None = None,
    ) -> Response:
        """One page of ``queryset`` (``?page_size=``, ``?after=``) in the list envelope
        ``{"data": [...], "pagination": {"page_size", "next_cursor"}}``. ``details`` loads
        what the page's items are rendered with; ``context`` gives the serializer's context
        for those items (both once per page, so a list costs the same at any size)."""
        page = paginate(queryset, self.request.query_params, ordering=ordering)
        if details is not None:
            details(page.items)
        extra = context(page.items) if context is not None else {}
        return Response(page.envelope(serializer(page.items, many=True, context=extra).data))

    def _idempotency_key(self, request) -> str | None:
        key = request.headers.get(HEADER)
        if key is None and self.idempotency_required:
            # Parsing here reports an unreadable body (400) or media type (415) as the handler
            # would, before a missing key is blamed.
            body = request.data
            if isinstance(body, dict) and isinstance(body.get(self.idempotency_body_field), str):
                key = body[self.idempotency_body_field]
        if key is None:
            if self.idempotency_required:
                raise validation_error(
                    self.idempotency_body_field,
                    f"An idempotency key is required: send the {HEADER} header "
                    f"or the '{self.idempotency_body_field}' field.",
                )
            return None
        if not key_is_valid(key):
            raise validation_error(
                self.idempotency_body_field if HEADER not in request.headers else HEADER,
                "Idempotency keys are 1 to 255 visible ASCII characters.",
            )
        return key

    def _idempotent(self, key, handler, request, *args, **kwargs):
        claim = idempotency_claim(
            organization_id=request.auth.organization_id,
            key=key,
            method=request.method,
            path=request.path,
            fingerprint=request_fingerprint(request.method, request.path, request.body),
        )
        if claim.replay is not None:
            return Response(
                claim.replay.response_body,
                status=claim.replay.response_status,
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        response = handler(request, *args, **kwargs)
                except Exception as exc:
                    response = self.handle_exception(exc)
                rendered = JSONRenderer().render(response.data) or b"null"
                # PostgreSQL's jsonb cannot hold NUL; such an answer is given but not kept.
                if response.status_code >= 500 or _HOLDS_NUL.search(rendered):
                    raise _NotStored(response)
                body = json.loads(rendered)
                if isinstance(body, dict):
                    body = _without_fields(body, self.idempotency_unstored_fields)
                idempotency_complete(record=claim.record, status=response.status_code, body=body)
        except _NotStored as not_stored:
            idempotency_release(record=claim.record)
            return not_stored.response
        except BaseException:
            idempotency_release(record=claim.record)
            raise
        return response
