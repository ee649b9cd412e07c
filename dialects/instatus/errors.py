"""Errors as Instatus answers them: ``{"error": {"code": "...", "message": "..."}}``.

Our envelope's code is kept (``validation_error``, ``not_found``, ``unauthenticated``,
``insufficient_scope``, ...); the message of a refused body names each field in Instatus's
terms, so a service's ``component_statuses`` refusal reads as ``statuses``."""

from core.errors import api_exception_handler

# Our field names (the services' error paths) as Instatus's clients sent them.
FIELD_NAMES = {
    "component_statuses": "statuses",
    "component_ids": "components",
    "notify_subscribers": "notify",
    "started_at": "started",
    "start_at": "start",
    "end_at": "end",
    "manual_status": "status",
    "group": "group",
    "position": "order",
    "phone_number": "phone",
    "endpoint": "webhook",
}


def _field(path: str) -> str:
    head, _, rest = path.partition(".")
    head = FIELD_NAMES.get(head, head)
    return f"{head}.{rest}" if rest else head


def _message(error: dict) -> str:
    details = error.get("details") or {}
    if error["code"] != "validation_error" or not details:
        return error["message"]
    return "; ".join(
        " ".join(map(str, messages))
        if field == "non_field_errors"
        else f"{_field(field)}: {' '.join(map(str, messages))}"
        for field, messages in details.items()
    )


def instatus_exception_handler(exc, context):
    response = api_exception_handler(exc, context)
    error = response.data["error"]
    response.data = {"error": {"code": error["code"], "message": _message(error)}}
    return response
