"""The objects and request bodies of ``/v1/openapi.json`` (Statuspage's names and values)."""

from incidents.models import IncidentStatus
from maintenances.models import MaintenanceStatus
from statuspages.models import ComponentStatus, Impact


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def object_schema(properties: dict, required=()) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
BOOLEAN = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": "string", "format": "date-time", "nullable": True}
ID_LIST = {"type": "array", "items": STRING}
COMPONENT_STATUS = {"type": "string", "enum": [*ComponentStatus.values, ""]}
INCIDENT_STATUS = {"type": "string", "enum": [*IncidentStatus.values, *MaintenanceStatus.values]}
IMPACT = {"type": "string", "enum": [*Impact.values, "maintenance"]}
TEMPLATE_STATUS = {
    "type": "string",
    "enum": [*IncidentStatus.values, *MaintenanceStatus.values, "postmortem"],
    "description": "Statuspage's update status: an incident status makes an incident template, "
    "a maintenance status (scheduled, in_progress, verifying, completed) a maintenance "
    "template; `postmortem` is refused (422). Omitted: a template with no status.",
}

SCHEMAS = {
    "Error": object_schema({"error": STRING}, ["error"]),
    "Page": object_schema(
        {
            "id": STRING,
            "created_at": TIME,
            "updated_at": TIME,
            "name": STRING,
            "subdomain": STRING,
            "domain": NULLABLE_STRING,
            "url": STRING,
            "time_zone": STRING,
            "branding": STRING,
            "page_description": NULLABLE_STRING,
            "headline": NULLABLE_STRING,
            "support_url": NULLABLE_STRING,
            "hidden_from_search": BOOLEAN,
            "allow_page_subscribers": BOOLEAN,
            "allow_incident_subscribers": BOOLEAN,
            "allow_email_subscribers": BOOLEAN,
            "allow_sms_subscribers": BOOLEAN,
            "allow_rss_atom_feeds": BOOLEAN,
            "allow_webhook_subscribers": BOOLEAN,
            "activity_score": {"type": "number"},
            "viewers_must_be_team_members": BOOLEAN,
        },
        ["id", "name", "subdomain", "url", "time_zone", "created_at", "updated_at"],
    ),
    "Component": object_schema(
        {
            "id": STRING,
            "page_id": STRING,
            "group_id": NULLABLE_STRING,
            "created_at": TIME,
            "updated_at": TIME,
            "group": BOOLEAN,
            "name": STRING,
            "description": NULLABLE_STRING,
            "position": {"type": "integer"},
            "status": COMPONENT_STATUS,
            "showcase": BOOLEAN,
            "only_show_if_degraded": BOOLEAN,
            "automation_email": NULLABLE_STRING,
            "start_date": {"type": "string", "format": "date", "nullable": True},
        },
        ["id", "page_id", "name", "status", "group_id", "only_show_if_degraded"],
    ),
    "GroupComponent": object_schema(
        {
            "id": STRING,
            "page_id": STRING,
            "name": STRING,
            "description": NULLABLE_STRING,
            "components": ID_LIST,
            "position": {"type": "integer"},
            "created_at": TIME,
            "updated_at": TIME,
        },
        ["id", "page_id", "name", "components"],
    ),
    "IncidentUpdate": object_schema(
        {
            "id": STRING,
            "incident_id": STRING,
            "affected_components": {
                "type": "array",
                "items": object_schema(
                    {"code": STRING, "name": STRING, "old_status": STRING, "new_status": STRING}
                ),
            },
            "body": STRING,
            "created_at": TIME,
            "updated_at": TIME,
            "display_at": TIME,
            "deliver_notifications": BOOLEAN,
            "status": INCIDENT_STATUS,
        },
        ["id", "incident_id", "body", "status", "created_at"],
    ),
    "Incident": object_schema(
        {
            "id": STRING,
            "page_id": STRING,
            "name": STRING,
            "status": INCIDENT_STATUS,
            "impact": IMPACT,
            "impact_override": {**IMPACT, "nullable": True},
            "shortlink": STRING,
            "started_at": TIME,
            "created_at": TIME,
            "updated_at": TIME,
            "monitoring_at": NULLABLE_TIME,
            "resolved_at": NULLABLE_TIME,
            "postmortem_body": NULLABLE_STRING,
            "postmortem_published_at": NULLABLE_TIME,
            "scheduled_for": NULLABLE_TIME,
            "scheduled_until": NULLABLE_TIME,
            "scheduled_auto_in_progress": BOOLEAN,
            "scheduled_auto_completed": BOOLEAN,
            "components": {"type": "array", "items": ref("Component")},
            "incident_updates": {
                "type": "array",
                "items": ref("IncidentUpdate"),
                "description": "Newest first.",
            },
            "metadata": {"type": "object"},
        },
        [
            "id",
            "page_id",
            "name",
            "status",
            "impact",
            "shortlink",
            "components",
            "incident_updates",
        ],
    ),
    "IncidentTemplate": object_schema(
        {
            "id": STRING,
            "components": {
                "type": "array",
                "items": ref("Component"),
                "description": "The components it lists, with their current status.",
            },
            "name": STRING,
            "title": STRING,
            "body": STRING,
            "group_id": {
                **NULLABLE_STRING,
                "description": "Always null: this service has no template groups.",
            },
            "update_status": {**TEMPLATE_STATUS, "nullable": True},
            "should_tweet": {**BOOLEAN, "description": "Always false: nothing is tweeted."},
            "should_send_notifications": BOOLEAN,
        },
        ["id", "components", "name", "title", "body", "update_status"],
    ),
    "Subscriber": object_schema(
        {
            "id": STRING,
            "mode": {
                "type": "string",
                "enum": ["email", "sms", "webhook", "slack", "teams", "discord", "google_chat"],
            },
            "email": NULLABLE_STRING,
            "endpoint": NULLABLE_STRING,
            "phone_number": NULLABLE_STRING,
            "phone_country": NULLABLE_STRING,
            "display_phone_number": NULLABLE_STRING,
            "quarantined_at": NULLABLE_TIME,
            "components": ID_LIST,
            "created_at": TIME,
        },
        ["id", "mode", "created_at"],
    ),
    "PatchPage": object_schema(
        {
            "page": object_schema(
                {
                    "name": STRING,
                    "subdomain": STRING,
                    "domain": NULLABLE_STRING,
                    "url": NULLABLE_STRING,
                    "time_zone": STRING,
                }
            )
        },
        ["page"],
    ),
    "PostComponent": object_schema(
        {
            "component": object_schema(
                {
                    "name": STRING,
                    "description": NULLABLE_STRING,
                    "status": COMPONENT_STATUS,
                    "group_id": NULLABLE_STRING,
                    "only_show_if_degraded": BOOLEAN,
                    "showcase": BOOLEAN,
                    "start_date": {"type": "string", "format": "date", "nullable": True},
                }
            )
        },
        ["component"],
    ),
    "PostComponentGroup": object_schema(
        {
            "description": STRING,
            "component_group": object_schema({"name": STRING, "components": ID_LIST}),
        },
        ["component_group"],
    ),
    "PostIncident": object_schema(
        {
            "incident": object_schema(
                {
                    "name": STRING,
                    "status": INCIDENT_STATUS,
                    "impact_override": {**IMPACT, "nullable": True},
                    "body": {**STRING, "description": "The message of the update this publishes."},
                    "components": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "enum": ComponentStatus.values},
                        "description": "Component id → status within this incident.",
                    },
                    "component_ids": ID_LIST,
                    "deliver_notifications": {**BOOLEAN, "default": True},
                    "backfilled": BOOLEAN,
                    "backfill_date": {**STRING, "format": "date"},
                    "scheduled_for": TIME,
                    "scheduled_until": TIME,
                    "scheduled_auto_in_progress": BOOLEAN,
                    "scheduled_auto_completed": BOOLEAN,
                    "metadata": {
                        "type": "object",
                        "nullable": True,
                        "description": "Accepted and not kept (this service has no incident "
                        "metadata; responses show `{}`).",
                    },
                },
                (),
            )
        },
        ["incident"],
    ),
    "PostIncidentTemplate": object_schema(
        {
            "template": object_schema(
                {
                    "name": STRING,
                    "title": {**STRING, "description": "The incident's name when used."},
                    "body": {**STRING, "description": "The message of its first update."},
                    "group_id": {
                        **NULLABLE_STRING,
                        "description": "Accepted and ignored: no template groups here.",
                    },
                    "update_status": {**TEMPLATE_STATUS, "nullable": True},
                    "should_tweet": {**BOOLEAN, "description": "Accepted and ignored."},
                    "should_send_notifications": {**BOOLEAN, "default": True},
                    "component_ids": {
                        **ID_LIST,
                        "description": "Components of the page it affects. An incident "
                        "template attaches them without a status of their own (operational "
                        "within the incident); a `components` map sent when opening sets one.",
                    },
                },
                ["name", "title", "body"],
            )
        },
        ["template"],
    ),
    "PatchIncidentUpdate": object_schema(
        {"incident_update": object_schema({"body": STRING}, ["body"])}, ["incident_update"]
    ),
    "PostSubscriber": object_schema(
        {
            "subscriber": object_schema(
                {
                    "email": STRING,
                    "endpoint": STRING,
                    "phone_number": STRING,
                    "phone_country": STRING,
                    "skip_confirmation_notification": BOOLEAN,
                    "component_ids": ID_LIST,
                }
            )
        },
        ["subscriber"],
    ),
    "PatchSubscriber": object_schema({"component_ids": ID_LIST}),
    "Unsubscribe": object_schema(
        {
            "subscribers": {**STRING, "description": "Comma-separated ids, or `all`."},
            "type": STRING,
            "state": STRING,
        },
        ["subscribers"],
    ),
}
