import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404

from core.errors import api_error_response, body_too_large, error_dialect_for, json_error
from core.parsers import NUL_MESSAGE

logger = logging.getLogger(__name__)

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
JSON_ERROR_PREFIXES = ("/api/",)
# The public Statuspage API of a path-routed page, whatever the slug looks like.
_PUBLIC_API_PATH = re.compile(r"^/pages/.+/api/", re.DOTALL)
# Django turns these into 4xx responses itself; __call__ then wraps them in the envelope.
_HANDLED_BY_DJANGO = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)


def wants_json_errors(request) -> bool:
    path = request.path_info
    return (
        path.startswith(JSON_ERROR_PREFIXES)
        or _PUBLIC_API_PATH.match(path) is not None
        or error_dialect_for(path) is not None
        or getattr(request, "json_errors", False)
    )


class RequestIdMiddleware:
    """Gives every request an id (a valid incoming ``X-Request-Id`` is kept) and echoes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-Id", "")
        request.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


class ApiErrorEnvelopeMiddleware:
    """Under ``/api/`` and a dialect's prefix, Django's own errors (unknown route, 405, a crash
    in a view or in a middleware below this one) become the envelope, in the dialect's shape
    where one is registered (``core.errors.ErrorDialect``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and wants_json_errors(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            converted = json_error(request, response.status_code)
            if response.has_header("Allow"):
                converted["Allow"] = response["Allow"]
            return converted
        return response

    def process_exception(self, request, exception):
        if not wants_json_errors(request) or isinstance(exception, _HANDLED_BY_DJANGO):
            return None
        logger.exception(
            "Unhandled error on %s %s", request.method, request.path, exc_info=exception
        )
        return json_error(request, 500)


class MalformedRequestMiddleware:
    """Requests no view could serve are answered here, before any view or query runs: a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE (413), a NUL in the path (404: no such resource) or in the
    query string or a header (400; PostgreSQL cannot even compare text holding NUL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._body_too_large(request):
            return api_error_response(request, body_too_large())
        if "\x00" in request.path_info:
            if wants_json_errors(request):
                response = json_error(request, 404)
                if _PUBLIC_API_PATH.match(request.path_info):
                    response["Access-Control-Allow-Origin"] = "*"  # as every public document
                return response
            raise Http404("No such page.")
        problems = {
            name: [NUL_MESSAGE]
            for name, values in request.GET.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        }
        problems.update(
            {
                _header_name(key): [NUL_MESSAGE]
                for key, value in request.META.items()
                if _is_header(key) and isinstance(value, str) and "\x00" in value
            }
        )
        if problems:
            safe = {
                name.replace("\x00", "\\u0000"): messages for name, messages in problems.items()
            }
            return json_error(request, 400, code="validation_error", details=safe)
        return self.get_response(request)

    @staticmethod
    def _body_too_large(request) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return limit is not None and length > limit


def _is_header(meta_key: str) -> bool:
    return meta_key.startswith("HTTP_") or meta_key in ("CONTENT_TYPE", "CONTENT_LENGTH")


def _header_name(meta_key: str) -> str:
    return meta_key.removeprefix("HTTP_").replace("_", "-").title()
