import logging
import re
import uuid

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404

from core.errors import json_error

logger = logging.getLogger(__name__)

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
JSON_ERROR_PREFIXES = ("/api/",)
# Django turns these into 4xx responses itself; __call__ then wraps them in the envelope.
_HANDLED_BY_DJANGO = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)


def wants_json_errors(request) -> bool:
    path = request.path_info
    return path.startswith(JSON_ERROR_PREFIXES) or getattr(request, "json_errors", False)


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
    """Under ``/api/``, Django's own errors (unknown route, 405, crash) become the envelope."""

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
