"""OpenAPI: every operation documents its scope, the error envelope and idempotency, and every
parameter the longest value it takes."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from core.pagination import CURSOR_PATTERN, DEFAULT_PAGE_SIZE, MAX_CURSOR_LENGTH, MAX_PAGE_SIZE
from core.scopes import required_scope
from core.serializers import StrictInputSerializer

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details", "request_id"],
            "properties": {
                "code": {
                    "type": "string",
                    "enum": [
                        "validation_error",
                        "parse_error",
                        "unauthenticated",
                        "insufficient_scope",
                        "not_found",
                        "method_not_allowed",
                        "conflict",
                        "idempotency_key_in_use",
                        "payload_too_large",
                        "unsupported_media_type",
                        "idempotency_key_reused",
                        "rate_limited",
                        "internal_error",
                    ],
                },
                "message": {"type": "string"},
                "details": {
                    "type": "object",
                    "description": "For `validation_error`: field (or query parameter, or "
                    "header) → list of messages (nested fields as `field.0.sub`). For "
                    "`insufficient_scope`: `required_scope`. For `payload_too_large`: "
                    "`max_body_bytes`. For `rate_limited`: `retry_after` (seconds).",
                    "additionalProperties": True,
                },
                "request_id": {"type": "string"},
            },
        }
    },
}

_ERROR_DESCRIPTIONS = {
    "400": "`validation_error` (details: field → messages) or `parse_error` (not JSON, or "
    "nested deeper than 32 levels). Text holding a NUL character or an unpaired surrogate "
    "is refused the same way, wherever it is (body, query parameter, header), and so is a "
    "query parameter the operation does not document or whose value its schema does not "
    "allow (`enum`, `maxLength`, `pattern`): `details` names the parameter.",
    "401": "`unauthenticated`: missing, malformed, unknown, revoked or expired key "
    '(`WWW-Authenticate: Bearer realm="api"`)',
    "403": "`insufficient_scope`: `details.required_scope` names the scope",
    "404": "`not_found`: also for another organization's objects (and for a path parameter "
    "longer than its `maxLength`, which names nothing)",
    "409": "`conflict` or `idempotency_key_in_use`",
    "413": "`payload_too_large`: the body is over the limit (`details.max_body_bytes`, "
    "1 MiB by default)",
    "422": "`idempotency_key_reused`: same key, different request",
    "429": "`rate_limited`, with `Retry-After`",
}

_RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed per window for this key (API_RATE_LIMIT).",
    "X-RateLimit-Remaining": "Requests left in the current window.",
    "X-RateLimit-Reset": "Unix time (seconds) at which the window resets.",
    "X-Request-Id": "The request's id (an incoming valid X-Request-Id is echoed).",
}


def add_error_schema(result, generator, request, public):
    """Postprocessing hook: the envelope every error response refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "spk_<key-id>_<secret>",
            "description": "An API key from `manage.py create_api_key`. Every valid key may "
            "read; writes need the scope named in each operation.",
        }


# The longest value a string parameter without a length of its own takes (path and query):
# ids (at most 42 characters), slugs (64), inbound tokens (43), actions, RFC 3339 times. With
# the cursor's 1,024, the longest URL the document allows stays far below the request-line
# limit of gunicorn.conf.py (tests/test_request_line.py adds it up).
MAX_PARAMETER_LENGTH = 64


def bounded(schema: dict) -> dict:
    """A parameter's schema with a ``maxLength`` when it is a string schema without one (the
    longest of its ``enum`` values, else ``MAX_PARAMETER_LENGTH``)."""
    if schema.get("type") != "string" or "maxLength" in schema:
        return schema
    values = schema.get("enum")
    longest = max(len(str(value)) for value in values) if values else MAX_PARAMETER_LENGTH
    return {**schema, "maxLength": longest}


def parameter_schema(parameter: OpenApiParameter) -> dict:
    """The schema an ``@extend_schema`` parameter is documented with (see ``ApiAutoSchema``)."""
    if isinstance(parameter.type, dict):
        schema = dict(parameter.type)
    elif parameter.type is str:
        schema = {"type": "string"}
    else:
        schema = {}
    if parameter.enum:
        schema["enum"] = list(parameter.enum)
    if parameter.pattern:
        schema["pattern"] = parameter.pattern
    return bounded(schema)


def parameter_problem(schema: dict, value: str) -> str | None:
    """Why ``value`` is not one ``schema`` allows (its enum, length or pattern), or None."""
    values = [str(allowed) for allowed in schema.get("enum") or ()]
    if values and value not in values:
        return f"Use one of: {', '.join(values)}."
    if len(value) < schema.get("minLength", 0):
        return "This field may not be blank." if not value else "The value is too short."
    longest = schema.get("maxLength")
    if longest is not None and len(value) > longest:
        return f"Ensure this field has no more than {longest} characters."
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        return f"The value does not match {pattern}."
    return None


# What `Idempotency-Key` accepts: 1-255 visible ASCII characters.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"


class ApiAutoSchema(AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictInputSerializer):
            schema["additionalProperties"] = False  # unknown fields are a 400
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return operation
        for parameter in operation.get("parameters", ()):
            if parameter.get("in") in ("path", "query") and "schema" in parameter:
                parameter["schema"] = bounded(parameter["schema"])
        if not path.startswith("/api/v1"):
            return operation
        scope = required_scope(self.view, self.method)
        note = (
            f"**Required scope:** `{scope}`."
            if scope
            else "**Required scope:** none (any valid key)."
        )
        operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
        operation["x-required-scope"] = scope
        responses = operation.setdefault("responses", {})
        for response in responses.values():
            if isinstance(response, dict):
                response.setdefault("headers", {}).update(
                    {
                        name: {"schema": {"type": "string"}, "description": text}
                        for name, text in _RATE_LIMIT_HEADERS.items()
                    }
                )
        codes = ["400", "401", "429"]  # 400: at least an unknown query parameter
        if scope:
            codes.append("403")
        if "{" in path:
            codes.append("404")
        if self.method in ("POST", "PATCH", "PUT"):
            codes += ["400", "413", "415"]
        if self.method == "POST":
            codes += ["409", "422"]
            params = operation.setdefault("parameters", [])
            required = getattr(self.view, "idempotency_required", False)
            params.append(
                {
                    "in": "header",
                    "name": "Idempotency-Key",
                    "required": required,
                    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                    "description": (
                        "1–255 visible ASCII characters. The same key with the same request "
                        "returns the first response with `Idempotent-Replayed: true`; a "
                        "different body is 422, a request still running 409. Kept 24 hours."
                        + (
                            " Required here. Clients that cannot set headers may send the "
                            "body field `idempotency_key` instead; without either: 400."
                            if required
                            else ""
                        )
                    ),
                }
            )
        if self.method in getattr(self.view, "conflict_methods", ()) or (
            self.method == "DELETE" and "component" in path
        ):
            codes.append("409")
        for code in sorted(set(codes)):
            responses.setdefault(code, _error_response(self._error_description(code)))
        return operation

    def _error_description(self, code: str) -> str:
        if code == "415":  # the media types this operation's parsers take
            accepted = " or ".join(f"`{parser.media_type}`" for parser in self.view.parser_classes)
            return f"`unsupported_media_type`: send {accepted}"
        return _ERROR_DESCRIPTIONS[code]


_PAGINATION = inline_serializer(
    "Pagination",
    fields={
        "page_size": serializers.IntegerField(),
        "next_cursor": serializers.CharField(
            allow_null=True, help_text="Pass as `after` for the next page; null on the last."
        ),
    },
)


def list_response(item_serializer) -> serializers.Serializer:
    name = item_serializer.__name__.removesuffix("Out")
    return inline_serializer(
        f"{name}List",
        fields={"data": item_serializer(many=True), "pagination": _PAGINATION},
    )


def paginated_parameters(*extra: OpenApiParameter) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "page_size",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PAGE_SIZE,
                "default": DEFAULT_PAGE_SIZE,
            },
            description=f"Items per page, 1..{MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}); "
            "outside that range: 400.",
        ),
        OpenApiParameter(
            "after",
            {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_CURSOR_LENGTH,
                "pattern": CURSOR_PATTERN,
            },
            description="`pagination.next_cursor` of the previous page, as given; any other "
            "value is a 400.",
        ),
        *extra,
    ]
