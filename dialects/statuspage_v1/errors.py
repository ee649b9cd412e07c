"""Errors as Statuspage answers them: ``{"error": "..."}``, invalid bodies as 422. Registered
in ``apps.py`` as this dialect's ``core.errors.ErrorDialect``: every error under ``/v1/``,
whichever layer answers it, takes this shape."""

from core.errors import ErrorDialect
from dialects.statuspage_v1.auth import WWW_AUTHENTICATE

# Our codes whose Statuspage status differs: an invalid body (or one that conflicts with
# the state of things, such as deleting a component an open incident uses) is 422 there.
STATUS_BY_CODE = {"validation_error": 422, "conflict": 422}


def _message(error: dict) -> str:
    details = error.get("details") or {}
    if error["code"] != "validation_error" or not details:
        return error["message"]
    return "; ".join(
        f"{field}: {' '.join(map(str, messages))}"
        if field != "non_field_errors"
        else " ".join(map(str, messages))
        for field, messages in details.items()
    )


def statuspage_error(status: int, error: dict) -> dict:
    return {"error": _message(error)}


STATUSPAGE_ERRORS = ErrorDialect(
    prefix="/v1/",
    body=statuspage_error,
    view_status=lambda status, error, exc: STATUS_BY_CODE.get(error["code"], status),
    headers={401: {"WWW-Authenticate": WWW_AUTHENTICATE}},
)
