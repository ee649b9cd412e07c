"""Errors as incident.io answers them: ``{"type", "status", "request_id", "errors": [{"code",
"message", "source": {"field", "pointer"}}]}``. Our refusals (the services' field paths
included) are read from our own envelope and re-spoken here, so no rule is restated."""

from rest_framework import exceptions

from core.errors import api_exception_handler

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


def error_body(status: int, request_id: str | None, errors: list[dict]) -> dict:
    return {
        "type": TYPE_BY_STATUS.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        ),
        "status": status,
        "request_id": request_id or "",
        "errors": errors,
    }


def _field_error(field: str, message: str, renames: dict[str, str]) -> dict:
    field = ".".join(renames.get(segment, segment) for segment in field.split("."))
    code = "is_required" if message in REQUIRED_MESSAGES else "invalid_value"
    error = {"code": code, "message": f"{field}: {message}" if field else message}
    if field and field != "non_field_errors":
        error["source"] = {"field": field, "pointer": "/" + field.replace(".", "/")}
    else:
        error["message"] = message
    return error


def errors_of(envelope_error: dict, renames: dict[str, str] | None = None) -> list[dict]:
    """incident.io's ``errors`` list from our envelope's ``error`` object."""
    code, details = envelope_error["code"], envelope_error.get("details") or {}
    if code == "validation_error" and details:
        return [
            _field_error(field, message, renames or {})
            for field, messages in details.items()
            for message in messages
        ]
    error = {"code": code, "message": envelope_error["message"]}
    if "idempotency_key" in details:
        error["source"] = {"field": "idempotency_key", "pointer": "/idempotency_key"}
    return [error]


def incident_io_exception_handler(exc, context):
    response = api_exception_handler(exc, context)
    envelope_error = response.data["error"]
    if envelope_error["code"] == "validation_error" and not isinstance(exc, InvalidQuery):
        response.status_code = 422  # a body incident.io cannot accept; a bad query stays 400
    view = context.get("view")
    renames = getattr(view, "error_fields", None)
    response.data = error_body(
        response.status_code, envelope_error.get("request_id"), errors_of(envelope_error, renames)
    )
    return response
