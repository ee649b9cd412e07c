"""``/v1/{page_id}/maintenances`` and their ``maintenance-updates``, over
``maintenances.services``. A maintenance's components are under maintenance while it is in
progress; Instatus's per-component ``statuses`` name which components it concerns."""

from django.db import transaction
from django.http import Http404
from rest_framework.response import Response

from accounts.models import Scope
from dialects.instatus.base import InstatusView, page_window
from dialects.instatus.incidents import read
from dialects.instatus.inputs import MaintenanceIn, MaintenanceUpdateIn, UpdateEditIn
from dialects.instatus.objects import maintenance_object, maintenance_update_object
from maintenances import selectors, services
from maintenances.models import MaintenanceStatus
from statuspages.publishing import published_update_delete, published_update_edit
from statuspages.selectors import page_for_key


def _component_ids(data: dict) -> list[str] | None:
    if "components" not in data and "statuses" not in data:
        return None
    ids = list(
        dict.fromkeys([*data.get("components", []), *(e["id"] for e in data.get("statuses", []))])
    )
    return ids


def _detailed(maintenance) -> dict:
    selectors.maintenances_with_details([maintenance])
    return maintenance_object(maintenance)


class MaintenanceListView(InstatusView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        shown = list(selectors.maintenances_for_page(page).order_by("-start_at", "-id")[window])
        selectors.maintenances_with_details(shown)
        return Response([maintenance_object(maintenance) for maintenance in shown])

    @transaction.atomic
    def post(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        form = MaintenanceIn(data=request.data if isinstance(request.data, dict) else {})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        window = form.window()
        auto = form.auto_transition()
        maintenance = services.maintenance_create(
            page=page,
            name=data.get("name", ""),
            start_at=window.get("start_at"),
            end_at=window.get("end_at"),
            message=data.get("message", ""),
            component_ids=_component_ids(data) or [],
            status=data.get("status", MaintenanceStatus.SCHEDULED),
            auto_transition=True if auto is None else auto,
            notify_subscribers=data["notify"],
        )
        return Response(_detailed(maintenance))


class MaintenanceDetailView(InstatusView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id, maintenance_id):
        page = page_for_key(self.api_key, page_id)
        return Response(_detailed(selectors.maintenance_for_page(page, maintenance_id)))

    @transaction.atomic
    def put(self, request, page_id, maintenance_id):
        page = page_for_key(self.api_key, page_id)
        maintenance = selectors.maintenance_for_page(page, maintenance_id)
        form = MaintenanceIn(data=request.data if isinstance(request.data, dict) else {})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        changes = form.window(current_start=maintenance.start_at)
        if "name" in data:
            changes["name"] = data["name"]
        if _component_ids(data) is not None:
            changes["component_ids"] = _component_ids(data)
        if form.auto_transition() is not None:
            changes["auto_transition"] = form.auto_transition()
        if changes:
            maintenance = services.maintenance_change(maintenance=maintenance, **changes)
        if "status" in data or "message" in data:
            services.maintenance_update_publish(
                maintenance=maintenance,
                status=data.get("status", maintenance.status),
                message=data.get("message", ""),
                notify_subscribers=data["notify"],
            )
        return Response(_detailed(selectors.maintenance_for_page(page, maintenance_id)))

    # Instatus's own clients update a maintenance with POST on its path as well.
    post = patch = put

    @transaction.atomic
    def delete(self, request, page_id, maintenance_id):
        page = page_for_key(self.api_key, page_id)
        maintenance = selectors.maintenance_for_page(page, maintenance_id)
        services.maintenance_delete(maintenance=maintenance)
        return Response({"id": maintenance_id})


class MaintenanceUpdateListView(InstatusView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id, maintenance_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        maintenance = selectors.maintenance_for_page(page, maintenance_id)
        selectors.maintenances_with_details([maintenance])
        updates = sorted(maintenance.updates.all(), key=lambda u: (u.created_at, u.id))[window]
        return Response([maintenance_update_object(u, maintenance) for u in updates])

    @transaction.atomic
    def post(self, request, page_id, maintenance_id):
        page = page_for_key(self.api_key, page_id)
        maintenance = selectors.maintenance_for_page(page, maintenance_id)
        data = read(MaintenanceUpdateIn, request.data)
        update = services.maintenance_update_publish(
            maintenance=maintenance,
            status=data.get("status", maintenance.status),
            message=data.get("message", ""),
            notify_subscribers=data["notify"],
        )
        maintenance = selectors.maintenance_for_page(page, maintenance_id)
        selectors.maintenances_with_details([maintenance])
        return Response(maintenance_update_object(update, maintenance))


def _update_of(page, maintenance_id: str, update_id: str):
    maintenance = selectors.maintenance_for_page(page, maintenance_id)
    update = maintenance.updates.filter(id=update_id).first()
    if update is None:
        raise Http404("Maintenance update not found.")
    return maintenance, update


class MaintenanceUpdateDetailView(InstatusView):
    """As for incident updates: editing corrects the text, withdrawing keeps the state."""

    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id, maintenance_id, update_id):
        page = page_for_key(self.api_key, page_id)
        maintenance, update = _update_of(page, maintenance_id, update_id)
        selectors.maintenances_with_details([maintenance])
        return Response(maintenance_update_object(update, maintenance))

    def put(self, request, page_id, maintenance_id, update_id):
        page = page_for_key(self.api_key, page_id)
        maintenance, update = _update_of(page, maintenance_id, update_id)
        data = read(UpdateEditIn, request.data)
        update = published_update_edit(
            update=update, page_id=maintenance.page_id, message=data["message"]
        )
        selectors.maintenances_with_details([maintenance])
        return Response(maintenance_update_object(update, maintenance))

    patch = put

    def delete(self, request, page_id, maintenance_id, update_id):
        page = page_for_key(self.api_key, page_id)
        maintenance, update = _update_of(page, maintenance_id, update_id)
        published_update_delete(update=update, page_id=maintenance.page_id)
        return Response({"id": update_id})
