"""``/v1/openapi.json``: the Statuspage-compatible API described on its own (OpenAPI 3.0, as
Statuspage publishes its own), separate from our ``/api/v1/openapi.json``."""

from functools import cache

from django.http import JsonResponse

from dialects.statuspage_v1.base import MAX_PAGE, MAX_SEARCH_LENGTH
from dialects.statuspage_v1.schemas import SCHEMAS, ref
from dialects.statuspage_v1.subscribers import STATES, TYPES

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


# Ids are at most 42 characters, the search text is Statuspage's; with these the longest URL
# this document allows stays far below gunicorn's request-line limit (gunicorn.conf.py).
ID = {"type": "string", "maxLength": 64}


def _param(name: str, where: str = "path", schema=ID, description: str = "") -> dict:
    parameter = {"name": name, "in": where, "required": where == "path", "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


PAGING = [
    _param(
        "page",
        "query",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        "Page of results, from 1.",
    ),
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
                media: {"schema": ref(body)}
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
            "content": {"application/json": {"schema": ref("Error")}},
        }
    operation["responses"] = responses
    return operation


def _list(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


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
            "get": _operation("Get a page", ok=ref("Page"), params=[PAGE]),
            "patch": _operation(
                "Update a page", scope=pages_w, body="PatchPage", ok=ref("Page"), params=[PAGE]
            ),
        },
        f"{base}/components": {
            "get": _operation("List components", ok=_list("Component"), params=[PAGE, *PAGING]),
            "post": _operation(
                "Create a component",
                scope=pages_w,
                body="PostComponent",
                ok=ref("Component"),
                status="201",
                params=[PAGE],
            ),
        },
        f"{base}/components/{{component_id}}": {
            "get": _operation("Get a component", ok=ref("Component"), params=comp),
            "patch": _operation(
                "Update a component",
                scope=pages_w,
                body="PostComponent",
                ok=ref("Component"),
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
                ok=ref("GroupComponent"),
                status="201",
                params=[PAGE],
            ),
        },
        f"{base}/component-groups/{{id}}": {
            "get": _operation("Get a component group", ok=ref("GroupComponent"), params=grp),
            "patch": _operation(
                "Update a component group",
                scope=pages_w,
                body="PostComponentGroup",
                ok=ref("GroupComponent"),
                params=grp,
            ),
            "delete": _operation(
                "Delete a component group (its components stay, ungrouped)",
                scope=pages_w,
                ok=ref("GroupComponent"),
                params=grp,
            ),
        },
        f"{base}/incidents": {
            "get": _operation(
                "List incidents and scheduled incidents, newest first",
                ok=_list("Incident"),
                params=[
                    PAGE,
                    _param(
                        "q",
                        "query",
                        {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
                        "Text in the name; longer than the limit: 422.",
                    ),
                    _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}),
                    *PAGING,
                ],
            ),
            "post": _operation(
                "Create an incident; with `scheduled_for`/`scheduled_until` (or a maintenance "
                "status) a scheduled maintenance",
                scope=incidents_w,
                body="PostIncident",
                ok=ref("Incident"),
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
            "get": _operation("Get an incident", ok=ref("Incident"), params=inc),
            "patch": _operation(
                "Update an incident: `status`, `body`, `components` publish an update; `name` "
                "and `impact_override` change it",
                scope=incidents_w,
                body="PostIncident",
                ok=ref("Incident"),
                params=inc,
            ),
            "delete": _operation(
                "Delete an incident", scope=incidents_w, ok=ref("Incident"), params=inc
            ),
        },
        f"{base}/incidents/{{incident_id}}/incident_updates/{{incident_update_id}}": {
            "patch": _operation(
                "Edit the text of an incident update (no new notification)",
                scope=incidents_w,
                body="PatchIncidentUpdate",
                ok=ref("IncidentUpdate"),
                params=[*inc, _param("incident_update_id")],
            )
        },
        f"{base}/incident_templates": {
            "get": _operation(
                "List incident templates (ours for incidents and for maintenances), by name",
                ok=_list("IncidentTemplate"),
                params=[PAGE, *PAGING],
            ),
            "post": _operation(
                "Create an incident template (a maintenance template when `update_status` is a "
                "maintenance status); `group_id` and `should_tweet` are accepted and ignored",
                scope=incidents_w,
                body="PostIncidentTemplate",
                ok=ref("IncidentTemplate"),
                status="201",
                params=[PAGE],
            ),
        },
        f"{base}/subscribers": {
            "get": _operation(
                "List subscribers",
                scope=subs_r,
                ok=_list("Subscriber"),
                params=[
                    PAGE,
                    _param("type", "query", {"type": "string", "enum": list(TYPES)}),
                    _param(
                        "state",
                        "query",
                        {"type": "string", "enum": list(STATES)},
                        description="active (default), unconfirmed, quarantined or all",
                    ),
                    *PAGING,
                ],
            ),
            "post": _operation(
                "Create a subscriber",
                scope=subs_w,
                body="PostSubscriber",
                ok=ref("Subscriber"),
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
            "get": _operation("Get a subscriber", scope=subs_r, ok=ref("Subscriber"), params=sub),
            "patch": _operation(
                "Change a subscriber's components",
                scope=subs_w,
                body="PatchSubscriber",
                ok=ref("Subscriber"),
                params=sub,
            ),
            "delete": _operation(
                "Unsubscribe a subscriber", scope=subs_w, ok=ref("Subscriber"), params=sub
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
                "maintenance windows (`mnt_` ids). Incident templates are listed and created as "
                "on Statuspage (which has no other template operation); showing, changing and "
                "deleting one, and opening an incident from one (`template_id`), are in our own "
                "API, documented separately at `/api/v1/openapi.json`."
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
