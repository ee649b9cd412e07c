"""The error envelope, produced once for every layer: DRF, Django routing and crashes."""

import logging

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
    (``service_field_names`` on the view, e.g. ``{"custom_domain": "domain"}``): the first
    segment of each field path is renamed."""
    names = getattr((context or {}).get("view"), "service_field_names", None) or {}
    if not names or not hasattr(refusal, "error_dict"):
        return refusal
    renamed: dict[str, list] = {}
    for path, errors in refusal.error_dict.items():
        head, dot, rest = path.partition(".")
        renamed.setdefault(f"{names.get(head, head)}{dot}{rest}", []).extend(errors)
    return DjangoValidationError(renamed)


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every APIException becomes the envelope; others are 500."""
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
    return JsonResponse(body, status=status_code)


def api_error_response(request, error: ApiError) -> JsonResponse:
    return json_error(
        request, error.status_code, error.message, code=error.error_code, details=error.details
    )
