"""Under ``/v1/``, errors answered before or around the views (a body over the size limit or
a NUL in the query, refused by ``core.middleware``; a crash outside DRF) take Statuspage's
shape too: ``{"error": "..."}``, whatever layer produced them."""

import json
import logging

from django.http import JsonResponse

logger = logging.getLogger(__name__)

PREFIX = "/v1/"
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-Id")
_DEFAULT_MESSAGES = {
    404: "The requested resource could not be found.",
    500: "An internal error occurred.",
}


def _statuspage_message(response) -> str | None:
    """The message to answer with, or None when the response already has Statuspage's shape."""
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            error = json.loads(response.content).get("error")
        except (ValueError, AttributeError):
            error = None
        if isinstance(error, str):
            return None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
    return _DEFAULT_MESSAGES.get(response.status_code, "The request could not be served.")


class StatuspageErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path_info.startswith(PREFIX):
            return response
        message = _statuspage_message(response)
        if message is None:
            return response
        converted = JsonResponse({"error": message}, status=response.status_code)
        for name in _KEPT_HEADERS:
            if response.has_header(name):
                converted[name] = response[name]
        return converted

    def process_exception(self, request, exception):
        if not request.path_info.startswith(PREFIX):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return JsonResponse({"error": _DEFAULT_MESSAGES[500]}, status=500)
