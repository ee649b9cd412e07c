"""Errors as Instatus answers them: ``{"error": {"code": "...", "message": "..."}}``.
Registered in ``apps.py`` as this dialect's ``core.errors.ErrorDialect``: every error under
``/instatus/``, whichever layer answers it, takes this shape.

Our envelope's code is kept (``validation_error``, ``not_found``, ``unauthenticated``,
``insufficient_scope``, ...); the message of a refused body names each field in Instatus's
terms (a service's ``component_statuses`` refusal reads as ``statuses``: ``FIELD_NAMES``,
the views' ``service_field_names``)."""

from core.errors import ErrorDialect

# Our field names (the services' error paths) as Instatus's clients sent them.
FIELD_NAMES = {
    "component_statuses": "statuses",
    "component_ids": "components",
    "notify_subscribers": "notify",
    "started_at": "started",
    "start_at": "start",
    "end_at": "end",
    "manual_status": "status",
    "position": "order",
    "showcase": "showUptime",
    "phone_number": "phone",
    "endpoint": "webhook",
    "confirmed": "autoConfirm",
    "display": "active",
}


def _message(error: dict) -> str:
    details = error.get("details") or {}
    if error["code"] != "validation_error" or not details:
        return error["message"]
    return "; ".join(
        " ".join(map(str, messages))
        if field == "non_field_errors"
        else f"{field}: {' '.join(map(str, messages))}"
        for field, messages in details.items()
    )


def instatus_error(status: int, error: dict) -> dict:
    return {"error": {"code": error["code"], "message": _message(error)}}


INSTATUS_ERRORS = ErrorDialect(prefix="/instatus/", body=instatus_error)
