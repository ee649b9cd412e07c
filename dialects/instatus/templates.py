"""``/v1/{page_id}/templates``: our incident and maintenance templates as Instatus's one list
(``type`` INCIDENT or MAINTENANCE), over ``pagetemplates.services``."""

from itertools import chain

from rest_framework.response import Response

from accounts.models import Scope
from core.serializers import rfc3339
from dialects.instatus.base import InstatusView, page_window
from dialects.instatus.enums import COMPONENT_OUT, INCIDENT_OUT, MAINTENANCE_OUT
from dialects.instatus.incidents import read
from dialects.instatus.inputs import TemplateIn
from dialects.instatus.objects import message_html
from pagetemplates import services
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from statuspages.selectors import page_for_key


def template_object(template) -> dict:
    if isinstance(template, IncidentTemplate):
        kind, statuses = "INCIDENT", INCIDENT_OUT
        components = [
            {
                "id": e["component_id"],
                "componentId": e["component_id"],
                "status": COMPONENT_OUT[e["status"]],
            }
            for e in template.component_statuses
        ]
    else:
        kind, statuses = "MAINTENANCE", MAINTENANCE_OUT
        components = [
            {"id": cid, "componentId": cid, "status": "UNDERMAINTENANCE"}
            for cid in template.component_ids
        ]
    return {
        "id": template.id,
        "type": kind,
        "name": template.name,
        "title": template.title,
        "message": template.message,
        "messageHtml": message_html(template.message),
        "status": statuses.get(template.status),
        "notify": template.notify_subscribers,
        "createdAt": rfc3339(template.created_at, timespec="milliseconds"),
        "siteId": template.page_id,
        "components": components,
    }


class TemplateListView(InstatusView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        # Two short reads merged by name: at most start + size rows of each kind.
        upto = slice(0, window.stop)
        templates = sorted(
            chain(
                IncidentTemplate.objects.filter(page=page).order_by("name", "id")[upto],
                MaintenanceTemplate.objects.filter(page=page).order_by("name", "id")[upto],
            ),
            key=lambda t: (t.name, t.id),
        )[window]
        return Response([template_object(t) for t in templates])

    def post(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        data = read(TemplateIn, request.data)
        name = data.get("name", "")
        values = {"name": name, "title": name, "message": data.get("message", "")}
        values["status"] = data["status"]
        if "notify" in data:
            values["notify_subscribers"] = data["notify"]
        entries = data.get("components", [])
        if data["type"] == "INCIDENT":
            model = IncidentTemplate
            values["component_statuses"] = [
                {"component_id": e["id"], "status": e["status"]} for e in entries
            ]
        else:
            model = MaintenanceTemplate
            values["component_ids"] = [e["id"] for e in entries]
        template = services.template_create(model=model, page=page, **values)
        return Response(template_object(template))
