"""Under ``/incident-io/``, errors answered before or around the views (a body over the size
limit, a NUL in the query, a crash outside DRF) take incident.io's shape too."""

import json
import logging

from django.http import JsonResponse

from dialects.incident_io.errors import error_body, errors_of

logger = logging.getLogger(__name__)

PREFIX = "/incident-io/"
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-Id")
_DEFAULT_MESSAGES = {
    404: "The requested resource could not be found.",
    500: "An internal error occurred.",
}


def _converted(request, response) -> JsonResponse | None:
    """incident.io's body for an error response, or None when it already has that shape."""
    envelope_error = None
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            document = json.loads(response.content)
        except ValueError:
            document = None
        if isinstance(document, dict) and "errors" in document and "type" in document:
            return None
        if isinstance(document, dict) and isinstance(document.get("error"), dict):
            envelope_error = document["error"]
    if envelope_error is None or "code" not in envelope_error:
        message = _DEFAULT_MESSAGES.get(response.status_code, "The request could not be served.")
        envelope_error = {"code": f"http_{response.status_code}", "message": message}
    body = error_body(
        response.status_code, getattr(request, "request_id", None), errors_of(envelope_error)
    )
    return JsonResponse(body, status=response.status_code)


class IncidentIoErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path_info.startswith(PREFIX):
            return response
        converted = _converted(request, response)
        if converted is None:
            return response
        for name in _KEPT_HEADERS:
            if response.has_header(name):
                converted[name] = response[name]
        return converted

    def process_exception(self, request, exception):
        if not request.path_info.startswith(PREFIX):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        envelope_error = {"code": "internal_error", "message": _DEFAULT_MESSAGES[500]}
        body = error_body(500, getattr(request, "request_id", None), errors_of(envelope_error))
        return JsonResponse(body, status=500)
