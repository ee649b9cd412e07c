"""``/v1/openapi.json``: the Statuspage-compatible API described on its own (OpenAPI 3.0, as
Statuspage publishes its own), separate from our ``/api/v1/openapi.json``."""

from functools import cache

from django.http import JsonResponse

from incidents.models import IncidentStatus
from maintenances.models import MaintenanceStatus
from statuspages.models import ComponentStatus, Impact


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, required=()) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


S = {"type": "string"}
NS = {"type": "string", "nullable": True}
B = {"type": "boolean"}
T = {"type": "string", "format": "date-time"}
NT = {"type": "string", "format": "date-time", "nullable": True}
IDS = {"type": "array", "items": S}
COMPONENT_STATUS = {"type": "string", "enum": [*ComponentStatus.values, ""]}
INCIDENT_STATUS = {"type": "string", "enum": [*IncidentStatus.values, *MaintenanceStatus.values]}
IMPACT = {"type": "string", "enum": [*Impact.values, "maintenance"]}

SCHEMAS = {
    "Error": _object({"error": S}, ["error"]),
    "Page": _object(
        {
            "id": S,
            "created_at": T,
            "updated_at": T,
            "name": S,
            "subdomain": S,
            "domain": NS,
            "url": S,
            "time_zone": S,
            "branding": S,
            "page_description": NS,
            "headline": NS,
            "support_url": NS,
            "hidden_from_search": B,
            "allow_page_subscribers": B,
            "allow_incident_subscribers": B,
            "allow_email_subscribers": B,
            "allow_sms_subscribers": B,
            "allow_rss_atom_feeds": B,
            "allow_webhook_subscribers": B,
            "activity_score": {"type": "number"},
            "viewers_must_be_team_members": B,
        },
        ["id", "name", "subdomain", "url", "time_zone", "created_at", "updated_at"],
    ),
    "Component": _object(
        {
            "id": S,
            "page_id": S,
            "group_id": NS,
            "created_at": T,
            "updated_at": T,
            "group": B,
            "name": S,
            "description": NS,
            "position": {"type": "integer"},
            "status": COMPONENT_STATUS,
            "showcase": B,
            "only_show_if_degraded": B,
            "automation_email": NS,
            "start_date": {"type": "string", "format": "date", "nullable": True},
        },
        ["id", "page_id", "name", "status", "group_id", "only_show_if_degraded"],
    ),
    "GroupComponent": _object(
        {
            "id": S,
            "page_id": S,
            "name": S,
            "description": NS,
            "components": IDS,
            "position": {"type": "integer"},
            "created_at": T,
            "updated_at": T,
        },
        ["id", "page_id", "name", "components"],
    ),
    "IncidentUpdate": _object(
        {
            "id": S,
            "incident_id": S,
            "affected_components": {
                "type": "array",
                "items": _object({"code": S, "name": S, "old_status": S, "new_status": S}),
            },
            "body": S,
            "created_at": T,
            "updated_at": T,
            "display_at": T,
            "deliver_notifications": B,
            "status": INCIDENT_STATUS,
        },
        ["id", "incident_id", "body", "status", "created_at"],
    ),
    "Incident": _object(
        {
            "id": S,
            "page_id": S,
            "name": S,
            "status": INCIDENT_STATUS,
            "impact": IMPACT,
            "impact_override": {**IMPACT, "nullable": True},
            "shortlink": S,
            "started_at": T,
            "created_at": T,
            "updated_at": T,
            "monitoring_at": NT,
            "resolved_at": NT,
            "postmortem_body": NS,
            "postmortem_published_at": NT,
            "scheduled_for": NT,
            "scheduled_until": NT,
            "scheduled_auto_in_progress": B,
            "scheduled_auto_completed": B,
            "components": {"type": "array", "items": _ref("Component")},
            "incident_updates": {
                "type": "array",
                "items": _ref("IncidentUpdate"),
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
    "Subscriber": _object(
        {
            "id": S,
            "mode": {
                "type": "string",
                "enum": ["email", "sms", "webhook", "slack", "teams", "discord", "google_chat"],
            },
            "email": NS,
            "endpoint": NS,
            "phone_number": NS,
            "phone_country": NS,
            "display_phone_number": NS,
            "quarantined_at": NT,
            "components": IDS,
            "created_at": T,
        },
        ["id", "mode", "created_at"],
    ),
    "PatchPage": _object(
        {"page": _object({"name": S, "subdomain": S, "domain": NS, "url": NS, "time_zone": S})},
        ["page"],
    ),
    "PostComponent": _object(
        {
            "component": _object(
                {
                    "name": S,
                    "description": NS,
                    "status": COMPONENT_STATUS,
                    "group_id": NS,
                    "only_show_if_degraded": B,
                    "showcase": B,
                    "start_date": {"type": "string", "format": "date", "nullable": True},
                }
            )
        },
        ["component"],
    ),
    "PostComponentGroup": _object(
        {
            "description": S,
            "component_group": _object({"name": S, "components": IDS}),
        },
        ["component_group"],
    ),
    "PostIncident": _object(
        {
            "incident": _object(
                {
                    "name": S,
                    "status": INCIDENT_STATUS,
                    "impact_override": {**IMPACT, "nullable": True},
                    "body": {**S, "description": "The message of the update this publishes."},
                    "components": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "enum": ComponentStatus.values},
                        "description": "Component id → status within this incident.",
                    },
                    "component_ids": IDS,
                    "deliver_notifications": {**B, "default": True},
                    "backfilled": B,
                    "backfill_date": {**S, "format": "date"},
                    "scheduled_for": T,
                    "scheduled_until": T,
                    "scheduled_auto_in_progress": B,
                    "scheduled_auto_completed": B,
                },
                (),
            )
        },
        ["incident"],
    ),
    "PatchIncidentUpdate": _object(
        {"incident_update": _object({"body": S}, ["body"])}, ["incident_update"]
    ),
    "PostSubscriber": _object(
        {
            "subscriber": _object(
                {
                    "email": S,
                    "endpoint": S,
                    "phone_number": S,
                    "phone_country": S,
                    "skip_confirmation_notification": B,
                    "component_ids": IDS,
                }
            )
        },
        ["subscriber"],
    ),
    "PatchSubscriber": _object({"component_ids": IDS}),
    "Unsubscribe": _object(
        {
            "subscribers": {**S, "description": "Comma-separated ids, or `all`."},
            "type": S,
            "state": S,
        },
        ["subscribers"],
    ),
}

ERRORS = {
    "400": "The body or a query parameter cannot be read (not JSON, holds NUL characters).",
    "401": "Missing or unknown API key.",
    "403": "The key lacks the scope this operation needs.",
    "404": "No such object (or not yours).",
    "422": "The body is not valid.",
    "413": "A body over the size limit (1 MiB).",
    "415": "A body that is neither JSON nor form-encoded.",
    "429": "Rate limit exceeded.",
}


def _param(name: str, where: str = "path", schema=S, description: str = "") -> dict:
    parameter = {"name": name, "in": where, "required": where == "path", "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


PAGING = [
    _param("page", "query", {"type": "integer", "minimum": 1}, "Page of results, from 1."),
    _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 100}),
]


def _operation(summary: str, *, scope: str = "", body: str = "", ok=None, status="200", params=()):
    operation = {"summary": summary, "parameters": list(params)}
    if scope:
        operation["description"] = f"Needs the `{scope}` scope."
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {
                media: {"schema": _ref(body)}
                for media in ("application/json", "application/x-www-form-urlencoded")
            },
        }
    success = {"description": "OK"}
    if ok is not None:
        success["content"] = {"application/json": {"schema": ok}}
    responses = {status: success}
    for code, text in ERRORS.items():
        responses[code] = {
            "description": text,
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    operation["responses"] = responses
    return operation


def _list(name: str) -> dict:
    return {"type": "array", "items": _ref(name)}


PAGE = _param("page_id")


def _paths() -> dict:
    base = "/v1/pages/{page_id}"
    comp = [PAGE, _param("component_id")]
    grp = [PAGE, _param("id")]
    inc = [PAGE, _param("incident_id")]
    sub = [PAGE, _param("subscriber_id")]
    incidents_w, pages_w = "incidents:write", "pages:write"
    subs_r, subs_w = "subscribers:read", "subscribers:write"
    return {
        "/v1/pages": {"get": _operation("List pages", ok=_list("Page"), params=PAGING)},
        base: {
            "get": _operation("Get a page", ok=_ref("Page"), params=[PAGE]),
            "patch": _operation(
                "Update a page", scope=pages_w, body="PatchPage", ok=_ref("Page"), params=[PAGE]
            ),
        },
        f"{base}/components": {
            "get": _operation("List components", ok=_list("Component"), params=[PAGE, *PAGING]),
            "post": _operation(
                "Create a component",
                scope=pages_w,
                body="PostComponent",
                ok=_ref("Component"),
                status="201",
                params=[PAGE],
            ),
        },
        f"{base}/components/{{component_id}}": {
            "get": _operation("Get a component", ok=_ref("Component"), params=comp),
            "patch": _operation(
                "Update a component",
                scope=pages_w,
                body="PostComponent",
                ok=_ref("Component"),
                params=comp,
            ),
            "delete": _operation(
                "Delete a component (422 while an open incident uses it)",
                scope=pages_w,
                status="204",
                params=comp,
            ),
        },
        f"{base}/component-groups": {
            "get": _operation(
                "List component groups", ok=_list("GroupComponent"), params=[PAGE, *PAGING]
            ),
            "post": _operation(
                "Create a component group",
                scope=pages_w,
                body="PostComponentGroup",
                ok=_ref("GroupComponent"),
                status="201",
                params=[PAGE],
            ),
        },
        f"{base}/component-groups/{{id}}": {
            "get": _operation("Get a component group", ok=_ref("GroupComponent"), params=grp),
            "patch": _operation(
                "Update a component group",
                scope=pages_w,
                body="PostComponentGroup",
                ok=_ref("GroupComponent"),
                params=grp,
            ),
            "delete": _operation(
                "Delete a component group (its components stay, ungrouped)",
                scope=pages_w,
                ok=_ref("GroupComponent"),
                params=grp,
            ),
        },
        f"{base}/incidents": {
            "get": _operation(
                "List incidents and scheduled incidents, newest first",
                ok=_list("Incident"),
                params=[PAGE, _param("q", "query"), _param("limit", "query"), *PAGING],
            ),
            "post": _operation(
                "Create an incident; with `scheduled_for`/`scheduled_until` (or a maintenance "
                "status) a scheduled maintenance",
                scope=incidents_w,
                body="PostIncident",
                ok=_ref("Incident"),
                status="201",
                params=[PAGE],
            ),
        },
        **{
            f"{base}/incidents/{name}": {
                "get": _operation(summary, ok=_list("Incident"), params=[PAGE, *PAGING])
            }
            for name, summary in (
                ("unresolved", "List unresolved incidents"),
                ("scheduled", "List scheduled incidents (maintenance windows)"),
                ("upcoming", "List upcoming scheduled incidents"),
                ("active_maintenance", "List scheduled incidents in progress or verifying"),
            )
        },
        f"{base}/incidents/{{incident_id}}": {
            "get": _operation("Get an incident", ok=_ref("Incident"), params=inc),
            "patch": _operation(
                "Update an incident: `status`, `body`, `components` publish an update; `name` "
                "and `impact_override` change it",
                scope=incidents_w,
                body="PostIncident",
                ok=_ref("Incident"),
                params=inc,
            ),
            "delete": _operation(
                "Delete an incident", scope=incidents_w, ok=_ref("Incident"), params=inc
            ),
        },
        f"{base}/incidents/{{incident_id}}/incident_updates/{{incident_update_id}}": {
            "patch": _operation(
                "Edit the text of an incident update (no new notification)",
                scope=incidents_w,
                body="PatchIncidentUpdate",
                ok=_ref("IncidentUpdate"),
                params=[*inc, _param("incident_update_id")],
            )
        },
        f"{base}/subscribers": {
            "get": _operation(
                "List subscribers",
                scope=subs_r,
                ok=_list("Subscriber"),
                params=[
                    PAGE,
                    _param("type", "query"),
                    _param(
                        "state",
                        "query",
                        description="active (default), unconfirmed, quarantined or all",
                    ),
                    *PAGING,
                ],
            ),
            "post": _operation(
                "Create a subscriber",
                scope=subs_w,
                body="PostSubscriber",
                ok=_ref("Subscriber"),
                status="201",
                params=[PAGE],
            ),
        },
        f"{base}/subscribers/unsubscribe": {
            "post": _operation(
                "Unsubscribe many subscribers",
                scope=subs_w,
                body="Unsubscribe",
                status="202",
                params=[PAGE],
            )
        },
        f"{base}/subscribers/{{subscriber_id}}": {
            "get": _operation("Get a subscriber", scope=subs_r, ok=_ref("Subscriber"), params=sub),
            "patch": _operation(
                "Change a subscriber's components",
                scope=subs_w,
                body="PatchSubscriber",
                ok=_ref("Subscriber"),
                params=sub,
            ),
            "delete": _operation(
                "Unsubscribe a subscriber", scope=subs_w, ok=_ref("Subscriber"), params=sub
            ),
        },
    }


@cache
def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Statuspage v1 compatible API",
            "version": "1.0.0",
            "description": (
                "Atlassian Statuspage's management API v1 for the resources this service has: "
                "point Statuspage scripts and clients at `{PUBLIC_BASE_URL}/v1/`. Keys are this "
                "service's API keys, sent as `Authorization: OAuth <key>` or `?api_key=<key>`; "
                "their scopes and page limits apply. Ids are this service's. Bodies are JSON or "
                "form-encoded (`incident[name]=...`); every path also answers with `.json`. "
                'Errors are `{"error": "..."}`. Scheduled incidents are this service\'s '
                "maintenance windows (`mnt_` ids). Our own API is documented separately at "
                "`/api/v1/openapi.json`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"api_key": []}, {"api_key_query": []}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "api_key": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`OAuth <api key>`",
                },
                "api_key_query": {"type": "apiKey", "in": "query", "name": "api_key"},
            },
        },
    }


def openapi_view(request):
    return JsonResponse(openapi_document())
