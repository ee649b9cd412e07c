"""``/instatus/openapi.json``: the Instatus-compatible API described on its own (OpenAPI 3.0),
separate from our ``/api/v1/openapi.json``."""

from functools import cache

from django.conf import settings
from django.http import JsonResponse

from dialects.instatus.schemas import SCHEMAS, STRING, ref

ERRORS = {
    "400": "The body or a query parameter is not valid; a service refused the change.",
    "401": "Missing, unknown, revoked or expired API key.",
    "403": "The key lacks the scope this operation needs (`insufficient_scope`).",
    "404": "No such object, or one the key may not see (another organization's, a page "
    "outside the key's pages).",
    "409": "The change conflicts with the current state.",
    "429": "Rate limit exceeded (`Retry-After` says when to try again).",
}
WRITE_NOTE = (
    " Creating needs no idempotency key; an `Idempotency-Key` header, when sent, makes a "
    "retry return the first answer (as on `/api/v1`)."
)


def _param(name: str, where: str = "path", schema=STRING, description: str = "") -> dict:
    parameter = {"name": name, "in": where, "required": where == "path", "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


PAGING = [
    _param("page", "query", {"type": "integer", "minimum": 1, "default": 1}, "From 1."),
    _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}),
]
PAGE = _param("page_id", description="Our status page id (`pg_...`).")


def _op(summary: str, *, scope="", body="", ok=None, params=(), note="", on_page=True) -> dict:
    operation = {"summary": summary, "parameters": [PAGE, *params] if on_page else list(params)}
    description = f"Needs the `{scope}` scope." if scope else "Any valid key."
    operation["description"] = description + note
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    success = {"description": "OK"}
    if ok is not None:
        success["content"] = {"application/json": {"schema": ok}}
    operation["responses"] = {
        "200": success,
        **{
            code: {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
            for code, text in ERRORS.items()
        },
    }
    return operation


def _list(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


def _id(name: str):
    return _param(name)


INCIDENTS, PAGES, SUBS_READ, SUBS_WRITE = (
    "incidents:write",
    "pages:write",
    "subscribers:read",
    "subscribers:write",
)


def _updates(kind: str, schema: str, body: str) -> dict:
    subject = _id(f"{kind}_id")
    update = _id("update_id")
    base = f"/v1/{{page_id}}/{kind}s/{{{kind}_id}}/{kind}-updates"
    return {
        base: {
            "get": _op(
                f"List a {kind}'s updates, oldest first",
                ok=_list(schema),
                params=[subject, *PAGING],
            ),
            "post": _op(
                f"Publish a {kind} update",
                scope=INCIDENTS,
                body=body,
                ok=ref(schema),
                params=[subject],
                note=WRITE_NOTE,
            ),
        },
        base + "/{update_id}": {
            "get": _op(f"Show a {kind} update", ok=ref(schema), params=[subject, update]),
            "put": _op(
                f"Correct a {kind} update's text",
                scope=INCIDENTS,
                body="UpdateEdit",
                ok=ref(schema),
                params=[subject, update],
                note=" Nobody is notified again; a new status is a new update (POST).",
            ),
            "delete": _op(
                f"Withdraw a {kind} update",
                scope=INCIDENTS,
                ok=ref("Deleted"),
                params=[subject, update],
                note=f" The {kind}'s status stays; its only update cannot be withdrawn (400).",
            ),
        },
    }


@cache
def document() -> dict:
    component, incident, maintenance = (
        _id("component_id"),
        _id("incident_id"),
        _id("maintenance_id"),
    )
    paths = {
        "/v2/pages": {
            "get": _op(
                "List the key's status pages", ok=_list("Page"), params=PAGING, on_page=False
            )
        },
        "/v1/user": {"get": _op("The key's owner", ok=ref("User"), on_page=False)},
        "/v1/{page_id}/components": {
            "get": _op("List components", ok=_list("Component"), params=PAGING),
            "post": _op(
                "Add a component",
                scope=PAGES,
                body="ComponentIn",
                ok=ref("Component"),
                note=WRITE_NOTE,
            ),
        },
        "/v1/{page_id}/components/{component_id}": {
            "get": _op("Show a component", ok=ref("Component"), params=[component]),
            "put": _op(
                "Change a component",
                scope=PAGES,
                body="ComponentIn",
                ok=ref("Component"),
                params=[component],
            ),
            "delete": _op("Delete a component", scope=PAGES, ok=ref("Deleted"), params=[component]),
        },
        "/v1/{page_id}/incidents": {
            "get": _op(
                "List incidents, newest first",
                ok=_list("Incident"),
                params=[
                    *PAGING,
                    _param("status", "query", STRING, "Comma-separated incident statuses."),
                ],
            ),
            "post": _op(
                "Open an incident",
                scope=INCIDENTS,
                body="IncidentIn",
                ok=ref("Incident"),
                note=WRITE_NOTE,
            ),
        },
        "/v1/{page_id}/incidents/{incident_id}": {
            "get": _op("Show an incident", ok=ref("Incident"), params=[incident]),
            "put": _op(
                "Change an incident",
                scope=INCIDENTS,
                body="IncidentIn",
                ok=ref("Incident"),
                params=[incident],
                note=" `name` and `started` change the incident; `status`, `message`, "
                "`statuses` or `components` publish an update.",
            ),
            "delete": _op(
                "Delete an incident", scope=INCIDENTS, ok=ref("Deleted"), params=[incident]
            ),
        },
        **_updates("incident", "IncidentUpdate", "IncidentUpdateIn"),
        "/v1/{page_id}/maintenances": {
            "get": _op(
                "List maintenances, latest start first", ok=_list("Maintenance"), params=PAGING
            ),
            "post": _op(
                "Schedule a maintenance",
                scope=INCIDENTS,
                body="MaintenanceIn",
                ok=ref("Maintenance"),
                note=WRITE_NOTE,
            ),
        },
        "/v1/{page_id}/maintenances/{maintenance_id}": {
            "get": _op("Show a maintenance", ok=ref("Maintenance"), params=[maintenance]),
            "put": _op(
                "Change a maintenance",
                scope=INCIDENTS,
                body="MaintenanceIn",
                ok=ref("Maintenance"),
                params=[maintenance],
                note=" `status` or `message` publish an update. POST on this path does the same.",
            ),
            "delete": _op(
                "Delete a maintenance", scope=INCIDENTS, ok=ref("Deleted"), params=[maintenance]
            ),
        },
        **_updates("maintenance", "MaintenanceUpdate", "MaintenanceUpdateIn"),
        "/v1/{page_id}/templates": {
            "get": _op(
                "List incident and maintenance templates by name",
                ok=_list("Template"),
                params=PAGING,
            ),
            "post": _op(
                "Add a template",
                scope=INCIDENTS,
                body="TemplateIn",
                ok=ref("Template"),
                note=WRITE_NOTE,
            ),
        },
        "/v1/{page_id}/team": {
            "get": _op("List the organization's members", ok=_list("Teammate"), params=PAGING),
        },
        "/v1/{page_id}/subscribers": {
            "get": _op("List subscribers", scope=SUBS_READ, ok=_list("Subscriber"), params=PAGING),
            "post": _op(
                "Add a subscriber",
                scope=SUBS_WRITE,
                body="SubscriberIn",
                ok=ref("Subscriber"),
                note=WRITE_NOTE,
            ),
        },
        "/v1/{page_id}/subscribers/{subscriber_id}": {
            "delete": _op(
                "Remove a subscriber",
                scope=SUBS_WRITE,
                ok=ref("Subscriber"),
                params=[_id("subscriber_id")],
            ),
        },
        "/v1/{page_id}/metrics": {
            "get": _op("List metrics", ok=_list("Metric"), params=PAGING),
            "post": _op(
                "Add a metric", scope=PAGES, body="MetricIn", ok=ref("Metric"), note=WRITE_NOTE
            ),
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Instatus-compatible API",
            "version": "1.0.0",
            "description": "Instatus's v1/v2 API where a client used https://api.instatus.com: "
            "paths, camelCase fields and upper-case statuses of Instatus, over this service. "
            "`Authorization: Bearer <our API key>`; our scopes and the key's pages apply; ids "
            'are ours. Errors: `{"error": {"code", "message"}}`. Writes answer 200, as '
            "Instatus does.",
        },
        "servers": [{"url": f"{settings.PUBLIC_BASE_URL}/instatus"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
    }


def openapi_view(request):
    return JsonResponse(document())
