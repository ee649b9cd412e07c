"""``/v2/status_page_incidents``, ``/v2/status_page_incident_updates`` and
``/v2/status_page_retrospective_incidents``: every write through the incidents services."""

from django.db.models import Q
from rest_framework import status
from rest_framework.response import Response

from accounts.models import Scope
from dialects.incident_io.base import IncidentIoView, paginated
from dialects.incident_io.inputs import (
    IncidentChangeIn,
    IncidentCreateIn,
    IncidentUpdateIn,
    ListQuery,
    RetrospectiveIncidentIn,
    component_statuses,
    retrospective_updates,
)
from dialects.incident_io.objects import incident_object, incident_update_object
from incidents import selectors, services
from statuspages.selectors import page_for_key

LIST_PARAMETERS = (*ListQuery().fields, "page_size", "after")
# Our names in the services' refusals → incident.io's.
INCIDENT_FIELDS = {"status": "incident_status"}


def _shown(incident) -> dict:
    selectors.incidents_with_details([incident])
    return {"status_page_incident": incident_object(incident)}


def filtered(items, query: dict, *, components: str, window: Q):
    """The list filters incident.io's incidents and maintenances share."""
    if query.get("component_id"):
        items = items.filter(**{f"{components}__id": query["component_id"]}).distinct()
    if query.get("group_id"):
        items = items.filter(**{f"{components}__group_id": query["group_id"]}).distinct()
    if query.get("sub_page_id"):
        items = items.none()  # our pages have no sub-pages: nothing is on one
    return items.filter(window)


class IncidentListView(IncidentIoView):
    write_scope = Scope.INCIDENTS_WRITE
    idempotency_required = True
    query_parameters = {"GET": LIST_PARAMETERS}
    service_field_names = INCIDENT_FIELDS

    def get(self, request):
        query = self.read_query(ListQuery)
        page = page_for_key(self.api_key, query["status_page_id"])
        window = Q()
        if query.get("end_at"):
            window &= Q(started_at__lt=query["end_at"])
        if query.get("start_at"):
            window &= Q(resolved_at__isnull=True) | Q(resolved_at__gte=query["start_at"])
        incidents = filtered(
            selectors.incidents_for_page(page),
            query,
            components="component_links__component",
            window=window,
        )
        items, meta = paginated(incidents, request.query_params, ordering=("-created_at", "-id"))
        selectors.incidents_with_details(items)
        return Response(
            {
                "status_page_incidents": [incident_object(incident) for incident in items],
                "pagination_meta": meta,
            }
        )

    def post(self, request):
        body = self.read(IncidentCreateIn)
        page = page_for_key(self.api_key, body["status_page_id"])
        incident = services.incident_create(
            page=page,
            name=body["name"],
            status=body["incident_status"],
            message=body["message"],
            component_statuses=component_statuses(body.get("component_statuses")),
            notify_subscribers=body["notify_subscribers"],
        )
        return Response(_shown(incident), status=status.HTTP_201_CREATED)


class IncidentDetailView(IncidentIoView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, incident_id):
        return Response(_shown(selectors.incident_for_key(self.api_key, incident_id)))

    def put(self, request, incident_id):
        incident = selectors.incident_for_key(self.api_key, incident_id)
        body = self.read(IncidentChangeIn)
        incident = services.incident_change(incident=incident, name=body["name"])
        return Response(_shown(incident))


class IncidentUpdateView(IncidentIoView):
    write_scope = Scope.INCIDENTS_WRITE
    service_field_names = INCIDENT_FIELDS

    def post(self, request):
        body = self.read(IncidentUpdateIn)
        incident = selectors.incident_for_key(self.api_key, body["status_page_incident_id"])
        update = services.incident_update_publish(
            incident=incident,
            # Without a status, the incident keeps its own (incident.io's "unchanged").
            status=body.get("incident_status", incident.status),
            message=body["message"],
            component_statuses=component_statuses(body.get("component_statuses")),
            notify_subscribers=body["notify_subscribers"],
        )
        return Response(
            {"status_page_incident_update": incident_update_object(update, incident.id)},
            status=status.HTTP_201_CREATED,
        )


class RetrospectiveIncidentView(IncidentIoView):
    write_scope = Scope.INCIDENTS_WRITE
    idempotency_required = True
    service_field_names = INCIDENT_FIELDS

    def post(self, request):
        body = self.read(RetrospectiveIncidentIn)
        page = page_for_key(self.api_key, body["status_page_id"])
        incident = services.incident_create_retrospective(
            page=page, name=body["name"], updates=retrospective_updates(body["updates"])
        )
        return Response(_shown(incident), status=status.HTTP_201_CREATED)
