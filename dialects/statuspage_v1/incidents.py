"""``/v1/pages/{page_id}/incidents``: our incidents and, as Statuspage's scheduled incidents,
our maintenance windows. Every write goes through their services."""

from django.db import transaction
from django.http import Http404
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from dialects.statuspage_v1.base import V1View, page_window, search_text
from dialects.statuspage_v1.inputs import (
    INCIDENT_FIELD_NAMES,
    IncidentIn,
    IncidentUpdateIn,
    nested_body,
)
from dialects.statuspage_v1.objects import incident_object, maintenance_object, update_object
from incidents import selectors as incident_selectors
from incidents import services as incident_services
from incidents.models import Incident, IncidentStatus
from maintenances import selectors as maintenance_selectors
from maintenances import services as maintenance_services
from maintenances.models import ACTIVE_STATUSES, Maintenance, MaintenanceStatus
from statuspages.publishing import published_update_edit
from statuspages.selectors import page_for_key

ORDERING = ("-created_at", "-id")
# Incidents and maintenances are two tables merged in memory: deep pages would mean long reads.
MAX_OFFSET = 10_000


def _object(subject) -> dict:
    if isinstance(subject, Maintenance):
        maintenance_selectors.maintenances_with_details([subject])
        return maintenance_object(subject)
    incident_selectors.incidents_with_details([subject])
    return incident_object(subject)


def _objects(incidents, maintenances, window: slice) -> list[dict]:
    """Both kinds newest first, ``window`` of them, in a fixed number of queries: the first
    ``window.stop`` keys of each kind are merged, then only the rows shown are loaded."""
    if window.start >= MAX_OFFSET:
        raise serializers.ValidationError(
            {"page": [f"Pages beyond the first {MAX_OFFSET} incidents are not listed; use q."]}
        )
    keys = sorted(
        [
            *((created, pk, Incident) for pk, created in _keys(incidents, window)),
            *((created, pk, Maintenance) for pk, created in _keys(maintenances, window)),
        ],
        reverse=True,
    )[window]
    found = {
        **incidents.in_bulk([pk for _, pk, kind in keys if kind is Incident]),
        **maintenances.in_bulk([pk for _, pk, kind in keys if kind is Maintenance]),
    }
    subjects = [found[pk] for _, pk, _ in keys if pk in found]
    incident_selectors.incidents_with_details([s for s in subjects if isinstance(s, Incident)])
    maintenance_selectors.maintenances_with_details(
        [s for s in subjects if isinstance(s, Maintenance)]
    )
    return [
        maintenance_object(s) if isinstance(s, Maintenance) else incident_object(s)
        for s in subjects
    ]


def _keys(queryset, window: slice) -> list[tuple[str, object]]:
    return list(queryset.order_by(*ORDERING).values_list("id", "created_at")[: window.stop])


def _subject(page, incident_id: str):
    """An incident or a maintenance window of the page (Statuspage has one kind of id)."""
    if incident_id.startswith("mnt_"):
        return maintenance_selectors.maintenance_for_page(page, incident_id)
    return incident_selectors.incident_for_page(page, incident_id)


def _read_incident(data) -> IncidentIn:
    incident = IncidentIn(data=nested_body(data, "incident"))
    incident.is_valid(raise_exception=True)
    return incident


class IncidentListView(V1View):
    write_scope = Scope.INCIDENTS_WRITE
    service_field_names = INCIDENT_FIELD_NAMES

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        incidents = incident_selectors.incidents_for_page(page)
        maintenances = maintenance_selectors.maintenances_for_page(page)
        query = search_text(request.query_params)
        if query:
            incidents = incidents.filter(name__icontains=query)
            maintenances = maintenances.filter(name__icontains=query)
        return Response(_objects(incidents, maintenances, window))

    @transaction.atomic
    def post(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        incident = _read_incident(request.data)
        if incident.is_scheduled:
            created = maintenance_services.maintenance_create(
                page=page, **incident.maintenance_arguments()
            )
        else:
            created = incident_services.incident_create(page=page, **incident.incident_arguments())
        return Response(_object(created), status=status.HTTP_201_CREATED)


class _FilteredList(V1View):
    def subjects(self, page) -> tuple:
        raise NotImplementedError

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        incidents, maintenances = self.subjects(page)
        return Response(_objects(incidents, maintenances, window))


class UnresolvedListView(_FilteredList):
    def subjects(self, page):
        return incident_selectors.incidents_for_page(
            page, status="unresolved"
        ), Maintenance.objects.none()


class ScheduledListView(_FilteredList):
    def subjects(self, page):
        return Incident.objects.none(), maintenance_selectors.maintenances_for_page(page)


class UpcomingListView(_FilteredList):
    def subjects(self, page):
        return Incident.objects.none(), maintenance_selectors.maintenances_for_page(
            page, status=MaintenanceStatus.SCHEDULED
        )


class ActiveMaintenanceListView(_FilteredList):
    def subjects(self, page):
        return Incident.objects.none(), maintenance_selectors.maintenances_for_page(page).filter(
            status__in=ACTIVE_STATUSES
        )


def _incident_patch(incident: Incident, form: IncidentIn) -> None:
    data = form.validated_data
    changes = {name: data[name] for name in ("name", "impact_override") if name in data}
    if "impact_override" in changes:
        changes["impact_override"] = changes["impact_override"] or None
    if changes:
        incident_services.incident_change(incident=incident, **changes)
    publishes = {"status", "body", "components", "component_ids"} & set(data)
    if not publishes:
        return
    new_status = data.get("status", incident.status)
    incident_services.incident_update_publish(
        incident=incident,
        status=new_status,
        message=data.get("body") or "",
        # Statuspage scripts resolve with every component back to operational; resolving
        # does exactly that here, so the map is not needed (nor accepted) then.
        component_statuses=(
            [] if new_status == IncidentStatus.RESOLVED else form.component_statuses()
        ),
        notify_subscribers=data.get("deliver_notifications", True),
    )


def _maintenance_patch(maintenance: Maintenance, form: IncidentIn) -> None:
    data = form.validated_data
    changes = {}
    if "name" in data:
        changes["name"] = data["name"]
    if data.get("scheduled_for"):
        changes["start_at"] = data["scheduled_for"]
    if data.get("scheduled_until"):
        changes["end_at"] = data["scheduled_until"]
    if form.affected_component_ids() is not None:
        changes["component_ids"] = form.affected_component_ids()
    if any(name in data for name in IncidentIn.AUTO_FIELDS):
        changes["auto_transition"] = form.auto_transition(default=maintenance.auto_transition)
    if changes:
        # A window moved into the past may have started: publish from where it is now.
        maintenance = maintenance_services.maintenance_change(maintenance=maintenance, **changes)
    if "status" not in data and "body" not in data:
        return
    maintenance_services.maintenance_update_publish(
        maintenance=maintenance,
        status=data.get("status", maintenance.status),
        message=data.get("body") or "",
        notify_subscribers=data.get("deliver_notifications", True),
    )


class IncidentDetailView(V1View):
    write_scope = Scope.INCIDENTS_WRITE
    service_field_names = INCIDENT_FIELD_NAMES

    def get(self, request, page_id, incident_id):
        page = page_for_key(self.api_key, page_id)
        return Response(_object(_subject(page, incident_id)))

    @transaction.atomic
    def patch(self, request, page_id, incident_id):
        page = page_for_key(self.api_key, page_id)
        subject = _subject(page, incident_id)
        form = _read_incident(request.data)
        if isinstance(subject, Maintenance):
            _maintenance_patch(subject, form)
        else:
            _incident_patch(subject, form)
        return Response(_object(_subject(page, incident_id)))

    put = patch

    @transaction.atomic
    def delete(self, request, page_id, incident_id):
        subject = _subject(page_for_key(self.api_key, page_id), incident_id)
        deleted = _object(subject)
        if isinstance(subject, Maintenance):
            maintenance_services.maintenance_delete(maintenance=subject)
        else:
            incident_services.incident_delete(incident=subject)
        return Response(deleted)


class IncidentUpdateDetailView(V1View):
    write_scope = Scope.INCIDENTS_WRITE
    service_field_names = INCIDENT_FIELD_NAMES

    def patch(self, request, page_id, incident_id, update_id):
        subject = _subject(page_for_key(self.api_key, page_id), incident_id)
        update = subject.updates.filter(id=update_id).first()
        if update is None:
            raise Http404("Incident update not found.")
        form = IncidentUpdateIn(data=nested_body(request.data, "incident_update"))
        form.is_valid(raise_exception=True)
        update = published_update_edit(
            update=update, page_id=subject.page_id, message=form.validated_data["body"]
        )
        return Response(update_object(update, subject.id))

    put = patch
