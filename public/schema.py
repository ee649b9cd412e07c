"""The public Statuspage-v2 documents in the OpenAPI schema (a drf-spectacular postprocessing
hook): they are plain Django views, so their shapes are written here once, and a test checks
them against real responses."""

from incidents.models import IncidentStatus
from maintenances.models import MaintenanceStatus
from public.documents import DOCUMENTS
from statuspages.models import SLUG_VALIDATOR, ComponentStatus, Impact

TAG = "Public status API (Statuspage v2)"
STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}

SLUG_PATTERN = SLUG_VALIDATOR.regex.pattern


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, description: str = "", optional: tuple[str, ...] = ()) -> dict:
    schema = {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


_NUMBER_OR_NULL = {"anyOf": [{"type": "number"}, {"type": "null"}]}


def _enum(values) -> dict:
    return {"type": "string", "enum": list(values)}


SCHEMAS = {
    "PublicPage": _object(
        {
            "id": STRING,
            "name": STRING,
            "url": STRING,
            "time_zone": STRING,
            "updated_at": TIME,
        }
    ),
    "PublicStatus": _object(
        {
            "indicator": _enum([*Impact.values, "maintenance"]),
            "description": STRING,
        }
    ),
    "PublicComponent": _object(
        {
            "id": STRING,
            "name": STRING,
            "status": _enum(ComponentStatus.values),
            "created_at": TIME,
            "updated_at": TIME,
            "position": INTEGER,
            "description": _nullable(STRING),
            "showcase": BOOLEAN,
            "start_date": _nullable({"type": "string", "format": "date"}),
            "group_id": _nullable(STRING),
            "page_id": STRING,
            "group": BOOLEAN,
            "only_show_if_degraded": BOOLEAN,
            "components": {"type": "array", "items": STRING},
        },
        "A component, or a group (`group: true`, with the ids of its `components`). Groups "
        "come first, each followed by its components; components hidden by "
        "`only_show_if_degraded` are left out while operational.",
        optional=("components",),
    ),
    "PublicAffectedComponent": _object(
        {
            "code": STRING,
            "name": STRING,
            "old_status": _enum(ComponentStatus.values),
            "new_status": _enum(ComponentStatus.values),
        }
    ),
    "PublicIncidentUpdate": _object(
        {
            "id": STRING,
            "status": STRING,
            "body": STRING,
            "incident_id": STRING,
            "created_at": TIME,
            "updated_at": TIME,
            "display_at": TIME,
            "affected_components": _nullable(
                {"type": "array", "items": _ref("PublicAffectedComponent")}
            ),
            "deliver_notifications": BOOLEAN,
            "custom_tweet": {"type": "null"},
            "tweet_id": {"type": "null"},
        }
    ),
    "PublicIncident": _object(
        {
            "id": STRING,
            "name": STRING,
            "status": _enum([*IncidentStatus.values, "postmortem"]),
            "created_at": TIME,
            "updated_at": TIME,
            "monitoring_at": _nullable(TIME),
            "resolved_at": _nullable(TIME),
            "impact": _enum(Impact.values),
            "shortlink": STRING,
            "started_at": TIME,
            "page_id": STRING,
            "incident_updates": {"type": "array", "items": _ref("PublicIncidentUpdate")},
            "components": {"type": "array", "items": _ref("PublicComponent")},
        }
    ),
    "PublicMaintenance": _object(
        {
            "id": STRING,
            "name": STRING,
            "status": _enum(MaintenanceStatus.values),
            "created_at": TIME,
            "updated_at": TIME,
            "monitoring_at": {"type": "null"},
            "resolved_at": _nullable(TIME),
            "impact": _enum(["maintenance"]),
            "shortlink": STRING,
            "started_at": TIME,
            "page_id": STRING,
            "incident_updates": {"type": "array", "items": _ref("PublicIncidentUpdate")},
            "components": {"type": "array", "items": _ref("PublicComponent")},
            "scheduled_for": TIME,
            "scheduled_until": TIME,
        }
    ),
    "PublicMetric": _object(
        {
            "id": STRING,
            "name": STRING,
            "suffix": STRING,
            "decimal_places": INTEGER,
            "y_axis_min": _NUMBER_OR_NULL,
            "y_axis_max": _NUMBER_OR_NULL,
            "resolution_seconds": INTEGER,
            "summary": _object(
                {
                    "last": _NUMBER_OR_NULL,
                    "minimum": _NUMBER_OR_NULL,
                    "maximum": _NUMBER_OR_NULL,
                    "average": _NUMBER_OR_NULL,
                }
            ),
            "points": {
                "type": "array",
                "items": _object({"timestamp": TIME, "value": {"type": "number"}}),
            },
        }
    ),
}

_PAGE = {"page": _ref("PublicPage")}
_COMPONENTS = {"components": {"type": "array", "items": _ref("PublicComponent")}}
_INCIDENTS = {"incidents": {"type": "array", "items": _ref("PublicIncident")}}
_MAINTENANCES = {"scheduled_maintenances": {"type": "array", "items": _ref("PublicMaintenance")}}

DOCUMENT_SCHEMAS = {
    "summary.json": (
        {**_PAGE, **_COMPONENTS, **_INCIDENTS, **_MAINTENANCES, "status": _ref("PublicStatus")},
        "The page, its components, unresolved incidents, upcoming and active maintenances and "
        "the status indicator.",
    ),
    "status.json": ({**_PAGE, "status": _ref("PublicStatus")}, "The status rollup."),
    "components.json": ({**_PAGE, **_COMPONENTS}, "The components and groups."),
    "incidents.json": ({**_PAGE, **_INCIDENTS}, "The 50 most recent incidents, newest first."),
    "incidents/unresolved.json": ({**_PAGE, **_INCIDENTS}, "Unresolved incidents."),
    "scheduled-maintenances.json": (
        {**_PAGE, **_MAINTENANCES},
        "The 50 most recent maintenances, latest start first.",
    ),
    "scheduled-maintenances/upcoming.json": (
        {**_PAGE, **_MAINTENANCES},
        "Maintenances still scheduled, soonest first.",
    ),
    "scheduled-maintenances/active.json": (
        {**_PAGE, **_MAINTENANCES},
        "Maintenances in progress or verifying.",
    ),
}

_HEADERS = {
    "ETag": {"schema": STRING, "description": "Send it back as `If-None-Match` for a 304."},
    "Access-Control-Allow-Origin": {"schema": STRING, "description": "`*`"},
    "Cache-Control": {"schema": STRING, "description": "`public, max-age=0, no-cache`"},
    "Last-Modified": {
        "schema": STRING,
        "description": "When the page last changed (HTTP-date); `If-Modified-Since` with it "
        "is a 304 while nothing changed (`If-None-Match`, when sent, decides instead).",
    },
}


def _operation(name: str, properties: dict | None = None, description: str = "") -> dict:
    if properties is None:
        properties, description = DOCUMENT_SCHEMAS[name]
    return {
        "operationId": "public_" + name.removesuffix(".json").replace("/", "_").replace("-", "_"),
        "tags": [TAG],
        "summary": name,
        "description": description + " No authentication. Also served by host at "
        f"`/api/v2/{name}` on `{{slug}}.PUBLIC_BASE_DOMAIN` and on the page's custom domain; a "
        "write is visible on the next read.",
        "security": [],
        "parameters": [
            {
                "in": "path",
                "name": "slug",
                "required": True,
                "schema": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 64},
                "description": "The page's slug; anything else (any character outside "
                "`[a-z0-9-]`, NUL included) is the same JSON 404 as an unknown page.",
            },
            {"in": "header", "name": "If-None-Match", "required": False, "schema": STRING},
            {"in": "header", "name": "If-Modified-Since", "required": False, "schema": STRING},
        ],
        "responses": {
            "200": {
                "description": name,
                "headers": _HEADERS,
                "content": {"application/json": {"schema": _object(properties)}},
            },
            "304": {
                "description": "Not modified (the `If-None-Match` ETag is current, or without "
                "one, nothing changed since `If-Modified-Since`).",
                "headers": _HEADERS,
            },
            "404": {
                "description": "`not_found`: no page with this slug or host.",
                "content": {"application/json": {"schema": _ref("Error")}},
            },
        },
    }


_UPTIME_DAY = _object(
    {
        "date": {"type": "string", "format": "date"},
        "uptime_percentage": {"type": "number"},
        "worst_status": _enum(ComponentStatus.values),
        "incident_ids": {"type": "array", "items": STRING},
    }
)
_UPTIME_ROW = {
    "id": STRING,
    "name": STRING,
    "uptime_percentage": {"type": "number"},
    "days": {"type": "array", "items": _UPTIME_DAY},
}
EXTRA_SCHEMAS = {
    "uptime.json": (
        {
            **_PAGE,
            "components": {"type": "array", "items": _object(_UPTIME_ROW)},
            "groups": {
                "type": "array",
                "items": _object(
                    {**_UPTIME_ROW, "component_ids": {"type": "array", "items": STRING}}
                ),
            },
        },
        "Daily uptime of every component and group over `days` days (1..365, default 90) in "
        "the page's time zone, oldest first: a major outage counts fully as down time, a "
        "partial outage at 30 %, the rest not at all. A group's day is the mean of its "
        "components'. `days` out of range: 400 `validation_error`.",
        {
            "in": "query",
            "name": "days",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 365, "default": 90},
        },
    ),
    "metrics.json": (
        {
            **_PAGE,
            "period": _enum(["day", "week", "month"]),
            "metrics": {"type": "array", "items": _ref("PublicMetric")},
        },
        "The displayed metrics in order, each bucket's average over `period`: `day` by 5 "
        "minutes, `week` by hour, `month` (30 days) by 4 hours. `period` unknown: 400 "
        "`validation_error`.",
        {
            "in": "query",
            "name": "period",
            "required": False,
            "schema": {
                "type": "string",
                "enum": ["day", "week", "month"],
                "default": "day",
                "maxLength": 5,
            },
        },
    ),
}


def _extra_operation(name: str) -> dict:
    properties, description, parameter = EXTRA_SCHEMAS[name]
    operation = _operation(name, properties, description)
    operation["parameters"].append(parameter)
    operation["responses"]["400"] = {
        "description": "`validation_error`: a query parameter out of range, or one the "
        "document does not take.",
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    return operation


def add_public_api(result, generator, request, public):
    """Postprocessing hook: the eight public documents under ``/pages/{slug}/api/v2/``."""
    if set(DOCUMENT_SCHEMAS) != set(DOCUMENTS):
        raise RuntimeError("public/schema.py and public/documents.py list different documents")
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for name in DOCUMENTS:
        result.setdefault("paths", {})[f"/pages/{{slug}}/api/v2/{name}"] = {"get": _operation(name)}
    for name in EXTRA_SCHEMAS:
        result["paths"][f"/pages/{{slug}}/api/v2/{name}"] = {"get": _extra_operation(name)}
    result.setdefault("tags", []).append(
        {
            "name": TAG,
            "description": "Drop-in for Atlassian Statuspage's public API: the same paths, field "
            "names, nesting and values.",
        }
    )
    return result
