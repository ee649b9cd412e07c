"""``/v2/status_page_maintenances`` and ``/v2/status_page_maintenance_updates``: every write
through the maintenances services."""

from django.db import transaction
from django.db.models import Q
from rest_framework import status
from rest_framework.response import Response

from accounts.models import Scope
from dialects.incident_io.base import IncidentIoView, paginated
from dialects.incident_io.incidents import LIST_PARAMETERS, filtered
from dialects.incident_io.inputs import (
    MAINTENANCE_STATUSES,
    ListQuery,
    MaintenanceChangeIn,
    MaintenanceCreateIn,
    MaintenanceUpdateIn,
    maintenance_component_ids,
)
from dialects.incident_io.objects import maintenance_object, maintenance_update_object
from maintenances import selectors, services
from statuspages.selectors import page_for_key

# Our names in the services' refusals → incident.io's.
MAINTENANCE_FIELDS = {
    "status": "maintenance_status",
    "auto_transition": "automate_maintenance_status",
}


def _shown(maintenance) -> dict:
    selectors.maintenances_with_details([maintenance])
    return {"status_page_maintenance": maintenance_object(maintenance)}


class MaintenanceListView(IncidentIoView):
    write_scope = Scope.INCIDENTS_WRITE
    idempotency_required = True
    query_parameters = {"GET": LIST_PARAMETERS}
    service_field_names = {**MAINTENANCE_FIELDS, "component_ids": "affected_component_ids"}

    def get(self, request):
        query = self.read_query(ListQuery)
        page = page_for_key(self.api_key, query["status_page_id"])
        window = Q()
        if query.get("end_at"):
            window &= Q(start_at__lt=query["end_at"])
        if query.get("start_at"):
            window &= Q(end_at__gt=query["start_at"])
        maintenances = filtered(
            selectors.maintenances_for_page(page), query, components="components", window=window
        )
        items, meta = paginated(maintenances, request.query_params, ordering=("-start_at", "-id"))
        selectors.maintenances_with_details(items)
        return Response(
            {
                "status_page_maintenances": [maintenance_object(m) for m in items],
                "pagination_meta": meta,
            }
        )

    def post(self, request):
        body = self.read(MaintenanceCreateIn)
        page = page_for_key(self.api_key, body["status_page_id"])
        maintenance = services.maintenance_create(
            page=page,
            name=body["name"],
            start_at=body["start_at"],
            end_at=body["end_at"],
            message=body["message"],
            component_ids=body["affected_component_ids"],
            status=MAINTENANCE_STATUSES[body["maintenance_status"]],
            # incident.io publishes the start and the end itself only when asked to.
            auto_transition=body["automate_maintenance_status"],
            notify_subscribers=body["notify_subscribers"],
        )
        return Response(_shown(maintenance), status=status.HTTP_201_CREATED)


class MaintenanceDetailView(IncidentIoView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, maintenance_id):
        return Response(_shown(selectors.maintenance_for_key(self.api_key, maintenance_id)))

    def put(self, request, maintenance_id):
        maintenance = selectors.maintenance_for_key(self.api_key, maintenance_id)
        body = self.read(MaintenanceChangeIn)
        maintenance = services.maintenance_change(maintenance=maintenance, **body)
        return Response(_shown(maintenance))

    def delete(self, request, maintenance_id):
        maintenance = selectors.maintenance_for_key(self.api_key, maintenance_id)
        services.maintenance_delete(maintenance=maintenance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MaintenanceUpdateView(IncidentIoView):
    write_scope = Scope.INCIDENTS_WRITE
    service_field_names = {**MAINTENANCE_FIELDS, "component_ids": "component_statuses"}

    @transaction.atomic
    def post(self, request):
        body = self.read(MaintenanceUpdateIn)
        maintenance = selectors.maintenance_for_key(
            self.api_key, body["status_page_maintenance_id"]
        )
        changes = {}
        if body.get("component_statuses"):
            current = list(maintenance.components.values_list("id", flat=True))
            changes["component_ids"] = maintenance_component_ids(
                current, body["component_statuses"]
            )
        if "maintenance_status" in body:
            # incident.io: publishing a status yourself turns the automatic updates off.
            changes["auto_transition"] = False
        if changes:
            maintenance = services.maintenance_change(maintenance=maintenance, **changes)
        new_status = maintenance.status
        if "maintenance_status" in body:
            new_status = MAINTENANCE_STATUSES[body["maintenance_status"]]
        update = services.maintenance_update_publish(
            maintenance=maintenance,
            status=new_status,
            message=body["message"],
            notify_subscribers=body["notify_subscribers"],
        )
        selectors.maintenances_with_details([maintenance])
        return Response(
            {"status_page_maintenance_update": maintenance_update_object(update, maintenance)},
            status=status.HTTP_201_CREATED,
        )
