"""Errors as Statuspage answers them: ``{"error": "..."}``, invalid bodies as 422."""

from core.errors import api_exception_handler
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


def v1_exception_handler(exc, context):
    response = api_exception_handler(exc, context)
    error = response.data["error"]
    response.status_code = STATUS_BY_CODE.get(error["code"], response.status_code)
    response.data = {"error": _message(error)}
    if response.status_code == 401:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response
