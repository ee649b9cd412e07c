"""The object shapes of ``/instatus/openapi.json`` (OpenAPI 3.0 schemas)."""

from dialects.instatus.enums import (
    COMPONENT_IN,
    COMPONENT_OUT,
    INCIDENT_IN,
    MAINTENANCE_IN,
    PAGE_STATUSES,
)

STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {**TIME, "nullable": True}
BOOLEAN = {"type": "boolean"}
INTEGER = {"type": "integer"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required=()) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def enum(values, **extra) -> dict:
    return {"type": "string", "enum": list(dict.fromkeys(values)), **extra}


COMPONENT_STATUS_OUT = enum(COMPONENT_OUT.values())
COMPONENT_STATUS_IN = enum(
    COMPONENT_IN,
    description="MINOROUTAGE is read as PARTIALOUTAGE (we have no minor outage status).",
)
INCIDENT_STATUS = enum(INCIDENT_IN)
MAINTENANCE_STATUS = enum(
    MAINTENANCE_IN, description="Our `verifying` step of a maintenance reads as INPROGRESS."
)
STATUS_ENTRY = obj({"id": STRING, "status": COMPONENT_STATUS_IN}, ["id", "status"])
SITE = obj(
    {
        "id": STRING,
        "name": STRING,
        "subdomain": STRING,
        "color": NULLABLE_STRING,
        "logoUrl": NULLABLE_STRING,
        "publicEmail": NULLABLE_STRING,
    }
)
AFFECTED = obj(
    {
        "id": STRING,
        "name": STRING,
        "status": COMPONENT_STATUS_OUT,
        "showUptime": BOOLEAN,
        "site": SITE,
    }
)
UPDATE_FIELDS = {
    "id": STRING,
    "message": STRING,
    "messageHtml": STRING,
    "notify": BOOLEAN,
    "started": TIME,
    "ended": NULLABLE_TIME,
    "duration": {"type": "integer", "nullable": True},
    "createdAt": TIME,
}
PUBLISHING_IN = {
    "message": {"type": "string", "maxLength": 25_000},
    "components": {
        "type": "array",
        "items": STRING,
        "description": "Components concerned; those not in `statuses` keep their status.",
    },
    "statuses": {"type": "array", "items": STATUS_ENTRY},
    "notify": {"type": "boolean", "default": True, "description": "Notify subscribers."},
}
TIME_IN = {
    "type": "string",
    "description": "RFC 3339; a time without a zone (`2020-09-12 05:38:47.998`) is UTC.",
}

SCHEMAS = {
    "Error": obj(
        {"error": obj({"code": STRING, "message": STRING}, ["code", "message"])}, ["error"]
    ),
    "Deleted": obj({"id": STRING}, ["id"]),
    "Page": obj(
        {
            "id": STRING,
            "subdomain": STRING,
            "name": STRING,
            "workspaceId": STRING,
            "customDomain": NULLABLE_STRING,
            "websiteUrl": NULLABLE_STRING,
            "status": enum(
                PAGE_STATUSES,
                description="UP; HASISSUES (an open incident with no component affected); "
                "else the worst component status after ALL (every component is in it), ONE "
                "(one is) or SOME (more than one, not all).",
            ),
            "language": STRING,
            "private": BOOLEAN,
            "timeZone": STRING,
            "createdAt": TIME,
            "updatedAt": TIME,
        },
        ["id", "subdomain", "name", "status"],
    ),
    "User": obj(
        {
            "id": STRING,
            "email": NULLABLE_STRING,
            "name": STRING,
            "slug": {"type": "string", "description": "The organization's slug."},
            "avatar": NULLABLE_STRING,
            "createdAt": TIME,
        }
    ),
    "Component": obj(
        {
            "id": STRING,
            "name": STRING,
            "description": STRING,
            "status": COMPONENT_STATUS_OUT,
            "uniqueEmail": NULLABLE_STRING,
            "showUptime": BOOLEAN,
            "order": INTEGER,
            "group": {**obj({"id": STRING, "name": STRING, "order": INTEGER}), "nullable": True},
            "createdAt": TIME,
            "updatedAt": TIME,
        },
        ["id", "name", "status"],
    ),
    "ComponentIn": obj(
        {
            "name": {"type": "string", "maxLength": 255},
            "description": {"type": "string", "maxLength": 1000},
            "status": COMPONENT_STATUS_IN,
            "order": INTEGER,
            "showUptime": BOOLEAN,
            "grouped": BOOLEAN,
            "group": {**STRING, "nullable": True, "description": "A component group's id."},
        }
    ),
    "Incident": obj(
        {
            "id": STRING,
            "name": STRING,
            "status": INCIDENT_STATUS,
            "impact": STRING,
            "started": TIME,
            "resolved": NULLABLE_TIME,
            "updates": {
                "type": "array",
                "items": obj({**UPDATE_FIELDS, "status": INCIDENT_STATUS}),
            },
            "components": {"type": "array", "items": AFFECTED},
        },
        ["id", "name", "status", "started", "updates", "components"],
    ),
    "IncidentIn": obj(
        {
            "name": {"type": "string", "maxLength": 255},
            "status": {**INCIDENT_STATUS, "default": "INVESTIGATING"},
            "started": TIME_IN,
            **PUBLISHING_IN,
        },
        ["name"],
    ),
    "IncidentUpdate": obj(
        {
            **UPDATE_FIELDS,
            "status": INCIDENT_STATUS,
            "incident": obj(
                {
                    "id": STRING,
                    "name": STRING,
                    "started": TIME,
                    "status": INCIDENT_STATUS,
                    "components": {"type": "array", "items": AFFECTED},
                }
            ),
        },
        ["id", "message", "status", "incident"],
    ),
    "IncidentUpdateIn": obj(
        {
            "status": {**INCIDENT_STATUS, "description": "Default: the incident's status."},
            **PUBLISHING_IN,
        }
    ),
    "UpdateEdit": obj(
        {"message": {"type": "string", "maxLength": 25_000}},
        ["message"],
    ),
    "Maintenance": obj(
        {
            "id": STRING,
            "name": STRING,
            "status": MAINTENANCE_STATUS,
            "start": TIME,
            "end": TIME,
            "duration": {"type": "integer", "description": "Minutes."},
            "autoStart": BOOLEAN,
            "autoEnd": BOOLEAN,
            "updates": {
                "type": "array",
                "items": obj({**UPDATE_FIELDS, "status": MAINTENANCE_STATUS}),
            },
            "components": {"type": "array", "items": AFFECTED},
        },
        ["id", "name", "status", "start", "duration", "updates", "components"],
    ),
    "MaintenanceIn": obj(
        {
            "name": {"type": "string", "maxLength": 255},
            "status": {**MAINTENANCE_STATUS, "default": "NOTSTARTEDYET"},
            "start": TIME_IN,
            "end": TIME_IN,
            "duration": {"type": "integer", "minimum": 1, "description": "Minutes, if no end."},
            "autoStart": {"type": "boolean", "default": True},
            "autoEnd": {"type": "boolean", "default": True},
            **PUBLISHING_IN,
        },
        ["name", "start"],
    ),
    "MaintenanceUpdate": obj(
        {
            **UPDATE_FIELDS,
            "status": MAINTENANCE_STATUS,
            "maintenance": obj(
                {
                    "id": STRING,
                    "name": STRING,
                    "start": TIME,
                    "status": MAINTENANCE_STATUS,
                    "components": {"type": "array", "items": AFFECTED},
                }
            ),
        },
        ["id", "message", "status", "maintenance"],
    ),
    "MaintenanceUpdateIn": obj(
        {
            "status": {**MAINTENANCE_STATUS, "description": "Default: the maintenance's status."},
            **PUBLISHING_IN,
        }
    ),
    "Template": obj(
        {
            "id": STRING,
            "type": enum(["INCIDENT", "MAINTENANCE"]),
            "name": STRING,
            "message": STRING,
            "messageHtml": STRING,
            "status": NULLABLE_STRING,
            "notify": BOOLEAN,
            "siteId": STRING,
            "createdAt": TIME,
            "components": {
                "type": "array",
                "items": obj({"id": STRING, "componentId": STRING, "status": COMPONENT_STATUS_OUT}),
            },
        },
        ["id", "type", "name"],
    ),
    "TemplateIn": obj(
        {
            "type": enum(["INCIDENT", "MAINTENANCE"], default="INCIDENT"),
            "name": {"type": "string", "maxLength": 255},
            "message": {"type": "string", "maxLength": 25_000},
            "status": {
                "type": "string",
                "description": "An incident or a maintenance status, as the type says.",
            },
            "notify": BOOLEAN,
            "components": {"type": "array", "items": STATUS_ENTRY},
        },
        ["name"],
    ),
    "Teammate": obj(
        {
            "id": STRING,
            "email": STRING,
            "role": enum(["OWNER", "ADMIN", "EDITOR", "VIEWER"]),
            "status": enum(["INVITED", "ACTIVE"]),
            "user": obj({"id": STRING, "name": STRING, "email": STRING, "avatar": NULLABLE_STRING}),
        },
        ["id", "user"],
    ),
    "Subscriber": obj(
        {
            "id": STRING,
            "email": NULLABLE_STRING,
            "phone": NULLABLE_STRING,
            "webhook": NULLABLE_STRING,
            "channel": STRING,
            "confirmed": BOOLEAN,
            "all": BOOLEAN,
            "components": {"type": "array", "items": STRING},
            "siteId": STRING,
            "createdAt": TIME,
        },
        ["id", "confirmed", "all"],
    ),
    "SubscriberIn": obj(
        {
            "email": STRING,
            "phone": {"type": "string", "description": "E.164, e.g. +33612345678."},
            "webhook": {"type": "string", "description": "An https URL to POST events to."},
            "all": {"type": "boolean", "default": True},
            "components": {"type": "array", "items": STRING},
            "autoConfirm": {"type": "boolean", "default": False},
            "language": STRING,
        }
    ),
    "Metric": obj(
        {
            "id": STRING,
            "name": STRING,
            "suffix": STRING,
            "active": BOOLEAN,
            "order": INTEGER,
            "data": {
                "type": "array",
                "description": "The last 24 hours of points, oldest first.",
                "items": obj({"timestamp": {"type": "integer"}, "value": {"type": "number"}}),
            },
        },
        ["id", "name", "data"],
    ),
    "MetricIn": obj(
        {
            "name": {"type": "string", "maxLength": 255},
            "suffix": {"type": "string", "maxLength": 32},
            "active": BOOLEAN,
            "order": INTEGER,
        },
        ["name"],
    ),
}
