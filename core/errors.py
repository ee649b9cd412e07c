"""The error envelope, produced once for every layer: DRF, Django routing and crashes.

Another API spoken under a path prefix (Statuspage's ``/v1/``, ``/incident-io/``,
``/instatus/``) registers its ``ErrorDialect`` here from its ``AppConfig.ready``; every error
under that prefix, whichever layer answers it (a view, a refused body, routing, a crash), is
then built as this envelope and re-spoken in that API's shape, here and nowhere else."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

logger = logging.getLogger(__name__)

CODE_BY_STATUS = {
    400: "validation_error",
    401: "unauthenticated",
    403: "insufficient_scope",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "idempotency_key_reused",
    429: "rate_limited",
    500: "internal_error",
}


class ApiError(exceptions.APIException):
    """An API error with an explicit envelope code and details."""

    def __init__(self, *, status_code: int, code: str, message: str, details: dict | None = None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.message = message
        self.details = details or {}


class Conflict(ApiError):
    def __init__(self, message: str, details: dict | None = None):
        super().__init__(status_code=409, code="conflict", message=message, details=details)


class InsufficientScope(ApiError):
    def __init__(self, scope: str, message: str | None = None):
        super().__init__(
            status_code=403,
            code="insufficient_scope",
            message=message or f"This API key lacks the '{scope}' scope.",
            details={"required_scope": scope},
        )


def validation_error(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


def envelope(code: str, message: str, details: dict | None, request_id: str | None) -> dict:
    return {
        "error": {
            "code": code,
            "message": message,
            "details": details or {},
            "request_id": request_id,
        }
    }


def flatten_validation_detail(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field.0.sub": ["message", ...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_validation_detail(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            if detail:
                flat[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                flat.update(
                    flatten_validation_detail(item, f"{prefix}.{index}" if prefix else str(index))
                )
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat


def _request_id(context) -> str | None:
    request = context.get("request") if context else None
    return getattr(request, "request_id", None) or getattr(
        getattr(request, "_request", None), "request_id", None
    )


def _in_view_terms(refusal: DjangoValidationError, context) -> DjangoValidationError:
    """A service's refusal with its arguments named as the view's dialect names them
    (``service_field_names`` on the view, e.g. ``{"custom_domain": "domain"}``): each segment
    of each field path is renamed (``updates.0.status`` → ``updates.0.incident_status``)."""
    names = getattr((context or {}).get("view"), "service_field_names", None) or {}
    if not names or not hasattr(refusal, "error_dict"):
        return refusal
    renamed: dict[str, list] = {}
    for path, errors in refusal.error_dict.items():
        spoken = ".".join(names.get(segment, segment) for segment in path.split("."))
        renamed.setdefault(spoken, []).extend(errors)
    return DjangoValidationError(renamed)


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every APIException becomes the envelope (others are 500),
    spoken in the dialect of the request's path when one is registered for it."""
    response = _envelope_response(exc, context)
    request = (context or {}).get("request")
    dialect = error_dialect_for(request.path_info) if request is not None else None
    if dialect is None:
        return response
    error = response.data["error"]
    response.status_code = dialect.view_status(response.status_code, error, exc)
    response.data = dialect.body(response.status_code, error)
    for name, value in dialect.headers.get(response.status_code, {}).items():
        response[name] = value
    return response


def _envelope_response(exc, context) -> Response:
    request_id = _request_id(context)
    headers = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(_in_view_terms(exc, context)))
    elif isinstance(exc, RequestDataTooBig):
        exc = body_too_large()

    if isinstance(exc, ApiError):
        body = envelope(exc.error_code, exc.message, exc.details, request_id)
        return Response(body, status=exc.status_code)
    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unhandled error in API view", exc_info=exc)
        body = envelope("internal_error", "An internal error occurred.", {}, request_id)
        return Response(body, status=500)

    details: dict = {}
    if isinstance(exc, exceptions.ValidationError):
        code, message = "validation_error", "The request is not valid."
        details = flatten_validation_detail(exc.detail)
    elif isinstance(exc, exceptions.ParseError):
        code, message = "parse_error", f"The request body could not be parsed: {exc.detail}"
    elif isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        code, message = "unauthenticated", str(exc.detail)
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    elif isinstance(exc, exceptions.Throttled):
        code = "rate_limited"
        message = "Rate limit exceeded."
        if exc.wait is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
            details = {"retry_after": int(headers["Retry-After"])}
    else:
        code = CODE_BY_STATUS.get(exc.status_code, "error")
        message = str(exc.detail)
    status_code = exc.status_code
    if status_code == status.HTTP_403_FORBIDDEN and code == "insufficient_scope" and not details:
        details = {}
    return Response(
        envelope(code, message, details, request_id), status=status_code, headers=headers
    )


def body_too_large() -> ApiError:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return ApiError(
        status_code=413,
        code="payload_too_large",
        message=f"The request body is larger than {limit} bytes.",
        details={"max_body_bytes": limit},
    )


def json_error(
    request,
    status_code: int,
    message: str | None = None,
    *,
    code: str | None = None,
    details: dict | None = None,
) -> JsonResponse:
    defaults = {
        400: "The request is not valid.",
        404: "The requested resource was not found.",
        405: f"Method {request.method} is not allowed here.",
        500: "An internal error occurred.",
    }
    body = envelope(
        code or CODE_BY_STATUS.get(status_code, "error"),
        message or defaults.get(status_code, "Error."),
        details,
        getattr(request, "request_id", None),
    )
    dialect = error_dialect_for(request.path_info)
    if dialect is None:
        return JsonResponse(body, status=status_code)
    response = JsonResponse(dialect.body(status_code, body["error"]), status=status_code)
    for name, value in dialect.headers.get(status_code, {}).items():
        response[name] = value
    return response


def api_error_response(request, error: ApiError) -> JsonResponse:
    return json_error(
        request, error.status_code, error.message, code=error.error_code, details=error.details
    )


# ---- dialects: the same errors in another API's shape ---------------------------------------


def _same_status(status_code: int, error: dict, exc: Exception) -> int:
    return status_code


@dataclass(frozen=True)
class ErrorDialect:
    """How the API spoken under ``prefix`` answers an error."""

    prefix: str
    # (status, our envelope's ``error``: code, message, details, request_id) → its body.
    body: Callable[[int, dict], dict]
    # The status its views answer an error with (Statuspage: 422 for an invalid body);
    # errors answered before or around its views keep ours.
    view_status: Callable[[int, dict, Exception], int] = _same_status
    # Headers its error answers carry, by status.
    headers: Mapping[int, Mapping[str, str]] = field(default_factory=dict)


_DIALECTS: dict[str, ErrorDialect] = {}


def register_error_dialect(dialect: ErrorDialect) -> None:
    """Called from the dialect's ``AppConfig.ready``; registering again replaces it."""
    _DIALECTS[dialect.prefix] = dialect


def error_dialect_for(path: str) -> ErrorDialect | None:
    """The dialect whose prefix ``path`` is under, if any."""
    for prefix, dialect in _DIALECTS.items():
        if path.startswith(prefix):
            return dialect
    return None
