"""Errors as incident.io answers them: ``{"type", "status", "request_id", "errors": [{"code",
"message", "source": {"field", "pointer"}}]}``. Registered in ``apps.py`` as this dialect's
``core.errors.ErrorDialect``: every error under ``/incident-io/``, whichever layer answers it,
takes this shape. Our refusals (the services' field paths, renamed by the views'
``service_field_names``) are read from our own envelope and re-spoken, so no rule is
restated."""

from rest_framework import exceptions

from core.errors import ErrorDialect

TYPE_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "resource_forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "invalid_request_error",
    422: "validation_error",
    429: "rate_limit_reached",
    500: "api_error",
}
REQUIRED_MESSAGES = {"This field is required.", "This field may not be null."}


class InvalidQuery(exceptions.ValidationError):
    """A query parameter that cannot be used: 400 ``invalid_request_error`` (bodies: 422)."""


def _field_error(field: str, message: str) -> dict:
    code = "is_required" if message in REQUIRED_MESSAGES else "invalid_value"
    if not field or field == "non_field_errors":
        return {"code": code, "message": message}
    return {
        "code": code,
        "message": f"{field}: {message}",
        "source": {"field": field, "pointer": "/" + field.replace(".", "/")},
    }


def errors_of(error: dict) -> list[dict]:
    """incident.io's ``errors`` list from our envelope's ``error`` object."""
    code, details = error["code"], error.get("details") or {}
    if code == "validation_error" and details:
        return [
            _field_error(field, message)
            for field, messages in details.items()
            for message in messages
        ]
    entry = {"code": code, "message": error["message"]}
    if "idempotency_key" in details:
        entry["source"] = {"field": "idempotency_key", "pointer": "/idempotency_key"}
    return [entry]


def incident_io_error(status: int, error: dict) -> dict:
    return {
        "type": TYPE_BY_STATUS.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        ),
        "status": status,
        "request_id": error.get("request_id") or "",
        "errors": errors_of(error),
    }


def _view_status(status: int, error: dict, exc: Exception) -> int:
    """A body incident.io cannot accept is a 422; a bad query stays a 400."""
    if error["code"] == "validation_error" and not isinstance(exc, InvalidQuery):
        return 422
    return status


INCIDENT_IO_ERRORS = ErrorDialect(
    prefix="/incident-io/", body=incident_io_error, view_status=_view_status
)
