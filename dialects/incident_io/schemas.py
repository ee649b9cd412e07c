"""The shapes of ``/incident-io/openapi.json``: incident.io's model names, its required
fields and enums, as its SDK's models describe them."""

from dialects.incident_io.errors import TYPE_BY_STATUS
from dialects.incident_io.inputs import (
    INCIDENT_COMPONENT_STATUSES,
    MAINTENANCE_COMPONENT_STATUSES,
    MAINTENANCE_STATUSES,
)
from incidents.models import IncidentStatus

# incident.io's incident statuses are ours by name (the incidents services check them).
INCIDENT_STATUSES = tuple(IncidentStatus.values)

STRING = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
BOOL = {"type": "boolean"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def many(schema: dict) -> dict:
    return {"type": "array", "items": schema}


def obj(required: dict, optional: dict | None = None, description: str = "") -> dict:
    schema = {"type": "object", "properties": {**required}}
    if required:  # OpenAPI 3.0 refuses an empty list
        schema["required"] = sorted(required)
    schema["properties"].update(optional or {})
    if description:
        schema["description"] = description
    return schema


def enum(values) -> dict:
    return {"type": "string", "enum": list(values)}


AFFECTED = many(ref("StatusPageIncidentAffectedComponentV2"))
SCHEMAS = {
    "ErrorResponse": obj(
        {
            "type": enum(sorted(set(TYPE_BY_STATUS.values()))),
            "status": {"type": "integer"},
            "request_id": STRING,
            "errors": many(ref("ErrorSingle")),
        }
    ),
    "ErrorSingle": obj(
        {"code": STRING, "message": STRING},
        {"source": obj({"field": STRING, "pointer": STRING})},
    ),
    "PaginationMetaResultV2": obj(
        {"page_size": {"type": "integer"}},
        {"after": {**STRING, "description": "Pass as `after` to read the next page."}},
    ),
    "ManagementMetaV2": obj(
        {
            "annotations": {"type": "object"},
            "managed_by": enum(["dashboard", "external", "terraform"]),
        }
    ),
    "StatusPageV2": obj(
        {"id": STRING, "name": STRING}, {"description": STRING, "public_url": STRING}
    ),
    "StatusPageComponentV2": obj(
        {"id": STRING, "name": STRING, "management_meta": ref("ManagementMetaV2")},
        {"description": STRING},
    ),
    "StatusPageStructureComponentV2": obj(
        {"component_id": STRING, "name": STRING, "display_uptime": BOOL, "hidden": BOOL}
    ),
    "StatusPageStructureGroupV2": obj(
        {
            "id": STRING,
            "name": STRING,
            "components": many(ref("StatusPageStructureComponentV2")),
            "display_aggregated_uptime": BOOL,
            "hidden": BOOL,
        },
        {"description": STRING},
    ),
    "StatusPageStructureItemV2": obj(
        {},
        {
            "component": ref("StatusPageStructureComponentV2"),
            "group": ref("StatusPageStructureGroupV2"),
        },
    ),
    "StatusPageIncidentAffectedComponentV2": obj(
        {"component_id": STRING, "component_status": enum(INCIDENT_COMPONENT_STATUSES)},
        description="`full_outage` is this service's `major_outage`.",
    ),
    "StatusPageIncidentComponentImpactV2": obj(
        {
            "component_id": STRING,
            "component_status": enum(sorted(set(INCIDENT_COMPONENT_STATUSES) - {"operational"})),
            "start_at": TIME,
        },
        {"end_at": TIME},
    ),
    "StatusPageIncidentUpdateV2": obj(
        {
            "id": STRING,
            "status_page_incident_id": STRING,
            "incident_status": enum(INCIDENT_STATUSES),
            "message": STRING,
            "published_at": TIME,
            "component_statuses": AFFECTED,
        }
    ),
    "StatusPageIncidentV2": obj(
        {
            "id": STRING,
            "status_page_id": STRING,
            "name": STRING,
            "incident_status": enum(INCIDENT_STATUSES),
            "published_at": TIME,
            "component_impacts": many(ref("StatusPageIncidentComponentImpactV2")),
            "updates": many(ref("StatusPageIncidentUpdateV2")),
        },
        description="`updates` newest first.",
    ),
    "StatusPageMaintenanceAffectedComponentV2": obj(
        {"component_id": STRING, "component_status": enum(MAINTENANCE_COMPONENT_STATUSES)}
    ),
    "StatusPageMaintenanceUpdateV2": obj(
        {
            "id": STRING,
            "status_page_maintenance_id": STRING,
            "maintenance_status": enum(MAINTENANCE_STATUSES),
            "message": STRING,
            "published_at": TIME,
            "component_statuses": many(ref("StatusPageMaintenanceAffectedComponentV2")),
        }
    ),
    "StatusPageMaintenanceV2": obj(
        {
            "id": STRING,
            "status_page_id": STRING,
            "name": STRING,
            "maintenance_status": enum(MAINTENANCE_STATUSES),
            "automate_maintenance_status": BOOL,
            "published_at": TIME,
            "component_maintenance_periods": many(
                obj({"component_id": STRING, "start_at": TIME}, {"end_at": TIME})
            ),
            "updates": many(ref("StatusPageMaintenanceUpdateV2")),
        },
        description="Our `verifying` reads as `maintenance_in_progress`.",
    ),
    "StatusPageComponentAvailabilityV2": obj(
        {
            "component_id": STRING,
            "status_page_id": STRING,
            "start_at": TIME,
            "end_at": TIME,
            "data_available_since": TIME,
        },
        {
            "availability_percent": {
                **STRING,
                "description": "Floored to two decimals; major outage counts fully down, "
                "partial outage 30 %. Absent when no past moment of the window has data.",
            }
        },
    ),
}

PAYLOADS = {
    "StatusPageComponentsCreatePayloadV2": obj(
        {"name": STRING},
        {
            "description": STRING,
            "status_page_id": {
                **STRING,
                "description": "This service's components belong to a page: the page to put "
                "it on. May be left out when the key sees exactly one page.",
            },
        },
    ),
    "StatusPageComponentsUpdatePayloadV2": obj({"name": STRING}, {"description": STRING}),
    "StatusPagesCreateStatusPageIncidentPayloadV2": obj(
        {
            "idempotency_key": STRING,
            "status_page_id": STRING,
            "name": STRING,
            "incident_status": enum(INCIDENT_STATUSES),
            "message": STRING,
            "notify_subscribers": BOOL,
        },
        {"component_statuses": AFFECTED},
    ),
    "StatusPagesUpdateStatusPageIncidentPayloadV2": obj({"name": STRING}),
    "StatusPagesCreateStatusPageIncidentUpdatePayloadV2": obj(
        {"status_page_incident_id": STRING, "message": STRING, "notify_subscribers": BOOL},
        {"incident_status": enum(INCIDENT_STATUSES), "component_statuses": AFFECTED},
    ),
    "StatusPagesCreateStatusPageRetrospectiveIncidentPayloadV2": obj(
        {
            "idempotency_key": STRING,
            "status_page_id": STRING,
            "name": STRING,
            "updates": many(
                obj(
                    {
                        "incident_status": enum(INCIDENT_STATUSES),
                        "message": STRING,
                        "published_at": TIME,
                    },
                    {"component_statuses": AFFECTED},
                )
            ),
        },
        description="Updates oldest first, in the past, the last one `resolved`. Stored "
        "resolved and back-dated; nobody is notified.",
    ),
    "StatusPagesCreateStatusPageMaintenancePayloadV2": obj(
        {
            "idempotency_key": STRING,
            "status_page_id": STRING,
            "name": STRING,
            "message": STRING,
            "start_at": TIME,
            "end_at": TIME,
            "maintenance_status": enum(MAINTENANCE_STATUSES),
            "affected_component_ids": many(STRING),
            "notify_subscribers": BOOL,
        },
        {"automate_maintenance_status": {**BOOL, "default": False}},
    ),
    "StatusPagesUpdateStatusPageMaintenancePayloadV2": obj(
        {"name": STRING, "start_at": TIME, "end_at": TIME}
    ),
    "StatusPagesCreateStatusPageMaintenanceUpdatePayloadV2": obj(
        {"status_page_maintenance_id": STRING, "message": STRING, "notify_subscribers": BOOL},
        {
            "maintenance_status": enum(MAINTENANCE_STATUSES),
            "component_statuses": many(ref("StatusPageMaintenanceAffectedComponentV2")),
        },
        description="A `maintenance_status` turns the automatic updates off. A component "
        "`under_maintenance` joins the window, one `operational` leaves it.",
    ),
}
