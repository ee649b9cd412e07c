"""``/incident-io/openapi.json``: the incident.io-compatible API described on its own (the
names of incident.io's own API description), apart from our ``/api/v1/openapi.json``."""

from functools import cache

from django.http import JsonResponse

from dialects.incident_io.schemas import (
    PAYLOADS,
    SCHEMAS,
    STRING,
    TIME,
    enum,
    many,
    obj,
    ref,
)

ERRORS = {
    "400": "A query parameter cannot be used, or the body is not JSON (`invalid_request_error`).",
    "401": "Missing, unknown, revoked or expired API key (`authentication_error`).",
    "403": "The key lacks the scope the operation needs (`resource_forbidden`).",
    "404": "No such object, or not one of the key's pages (`not_found`).",
    "409": "In use, or the same idempotency key is still being processed (`conflict`).",
    "415": "A body that is not JSON.",
    "422": "The body is not valid, or its idempotency key came with another body "
    "(`validation_error`; `errors[].source.field` names the field).",
    "429": "Rate limit exceeded (`rate_limit_reached`, `Retry-After`).",
    "500": "An internal error (`api_error`).",
}
PAGING = [
    {
        "name": "page_size",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 250},
    },
    {"name": "after", "in": "query", "schema": {**STRING, "maxLength": 1024}},
]
LIST_FILTERS = [
    {"name": "status_page_id", "in": "query", "required": True, "schema": STRING},
    *({"name": name, "in": "query", "schema": STRING} for name in ("component_id", "group_id")),
    {"name": "sub_page_id", "in": "query", "schema": STRING, "description": "Matches nothing."},
    *({"name": name, "in": "query", "schema": TIME} for name in ("start_at", "end_at")),
    *PAGING,
]


def _path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": STRING}


def _op(summary, result=None, *, body=None, scope="", status="200", params=()) -> dict:
    operation = {"summary": summary, "parameters": list(params), "responses": {}}
    if scope:
        operation["description"] = f"Needs the `{scope}` scope."
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    if result is None:
        operation["responses"][status] = {"description": "Done."}
    else:
        schema = obj(result)
        operation["responses"][status] = {
            "description": "OK.",
            "content": {"application/json": {"schema": schema}},
        }
    for code, description in ERRORS.items():
        operation["responses"][code] = {
            "description": description,
            "content": {"application/json": {"schema": ref("ErrorResponse")}},
        }
    return operation


INC, PAG = "incidents:write", "pages:write"
PAGE_META = {"pagination_meta": ref("PaginationMetaResultV2")}


@cache
def openapi_document() -> dict:
    incident = {"status_page_incident": ref("StatusPageIncidentV2")}
    maintenance = {"status_page_maintenance": ref("StatusPageMaintenanceV2")}
    component = {"status_page_component": ref("StatusPageComponentV2")}
    paths = {
        "/v2/status_pages": {
            "get": _op(
                "ListStatusPages",
                {"status_pages": many(ref("StatusPageV2")), **PAGE_META},
                params=PAGING,
            )
        },
        "/v2/status_pages/{id}": {
            "get": _op(
                "ShowStatusPage",
                {"status_page": ref("StatusPageV2")},
                params=[_path_param("id")],
            )
        },
        "/v2/status_page_structures/{status_page_id}": {
            "get": _op(
                "ShowStatusPageStructure",
                {
                    "current_structure": obj({"items": many(ref("StatusPageStructureItemV2"))}),
                    "display_uptime_mode": enum(["chart_and_percentage", "chart_only", "nothing"]),
                    "management_meta": ref("ManagementMetaV2"),
                },
                params=[_path_param("status_page_id")],
            )
        },
        "/v2/status_page_components": {
            "get": _op(
                "ListStatusPageComponents",
                {"status_page_components": many(ref("StatusPageComponentV2"))},
            ),
            "post": _op(
                "CreateStatusPageComponent",
                component,
                body="StatusPageComponentsCreatePayloadV2",
                scope=PAG,
                status="201",
            ),
        },
        "/v2/status_page_components/{id}": {
            "get": _op("ShowStatusPageComponent", component, params=[_path_param("id")]),
            "put": _op(
                "UpdateStatusPageComponent",
                component,
                body="StatusPageComponentsUpdatePayloadV2",
                scope=PAG,
                params=[_path_param("id")],
            ),
            "delete": _op(
                "DestroyStatusPageComponent", scope=PAG, status="204", params=[_path_param("id")]
            ),
        },
        "/v2/status_page_incidents": {
            "get": _op(
                "ListStatusPageIncidents",
                {"status_page_incidents": many(ref("StatusPageIncidentV2")), **PAGE_META},
                params=LIST_FILTERS,
            ),
            "post": _op(
                "CreateStatusPageIncident",
                incident,
                body="StatusPagesCreateStatusPageIncidentPayloadV2",
                scope=INC,
                status="201",
            ),
        },
        "/v2/status_page_incidents/{id}": {
            "get": _op("ShowStatusPageIncident", incident, params=[_path_param("id")]),
            "put": _op(
                "UpdateStatusPageIncident",
                incident,
                body="StatusPagesUpdateStatusPageIncidentPayloadV2",
                scope=INC,
                params=[_path_param("id")],
            ),
        },
        "/v2/status_page_incident_updates": {
            "post": _op(
                "CreateStatusPageIncidentUpdate",
                {"status_page_incident_update": ref("StatusPageIncidentUpdateV2")},
                body="StatusPagesCreateStatusPageIncidentUpdatePayloadV2",
                scope=INC,
                status="201",
            )
        },
        "/v2/status_page_retrospective_incidents": {
            "post": _op(
                "CreateStatusPageRetrospectiveIncident",
                incident,
                body="StatusPagesCreateStatusPageRetrospectiveIncidentPayloadV2",
                scope=INC,
                status="201",
            )
        },
        "/v2/status_page_maintenances": {
            "get": _op(
                "ListStatusPageMaintenances",
                {"status_page_maintenances": many(ref("StatusPageMaintenanceV2")), **PAGE_META},
                params=LIST_FILTERS,
            ),
            "post": _op(
                "CreateStatusPageMaintenance",
                maintenance,
                body="StatusPagesCreateStatusPageMaintenancePayloadV2",
                scope=INC,
                status="201",
            ),
        },
        "/v2/status_page_maintenances/{id}": {
            "get": _op("ShowStatusPageMaintenance", maintenance, params=[_path_param("id")]),
            "put": _op(
                "UpdateStatusPageMaintenance",
                maintenance,
                body="StatusPagesUpdateStatusPageMaintenancePayloadV2",
                scope=INC,
                params=[_path_param("id")],
            ),
            "delete": _op(
                "DeleteStatusPageMaintenance", scope=INC, status="204", params=[_path_param("id")]
            ),
        },
        "/v2/status_page_maintenance_updates": {
            "post": _op(
                "CreateStatusPageMaintenanceUpdate",
                {"status_page_maintenance_update": ref("StatusPageMaintenanceUpdateV2")},
                body="StatusPagesCreateStatusPageMaintenanceUpdatePayloadV2",
                scope=INC,
                status="201",
            )
        },
        "/v2/status_pages/{id}/components/{component_id}/availability": {
            "get": _op(
                "ShowStatusPageComponentAvailability",
                {"availability": ref("StatusPageComponentAvailabilityV2")},
                params=[
                    _path_param("id"),
                    _path_param("component_id"),
                    {"name": "start_at", "in": "query", "required": True, "schema": TIME},
                    {"name": "end_at", "in": "query", "required": True, "schema": TIME},
                ],
            )
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "incident.io Status Pages V2 compatible API",
            "version": "2.0.0",
            "description": "incident.io's Status Pages V2 and Status Page Components V2 paths, "
            "bodies and shapes over this service. Authenticate with `Authorization: Bearer "
            "<API key of this service>`; its scopes and page limits apply. Ids are ours. "
            "`idempotency_key` in a create body: the same key with the same body replays the "
            "first response; with another body it is a 422. Every error is `ErrorResponse`.",
        },
        "servers": [{"url": "/incident-io"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**SCHEMAS, **PAYLOADS},
        },
    }


def openapi_view(request):
    return JsonResponse(openapi_document())
