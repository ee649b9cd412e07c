"""``/v1/{page_id}/incidents`` and their ``incident-updates``. Every write goes through
``incidents.services`` (and ``statuspages.publishing`` for editing or withdrawing an update)."""

from django.db import transaction
from django.http import Http404
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Scope
from dialects.instatus.base import InstatusView, page_window
from dialects.instatus.enums import INCIDENT_IN
from dialects.instatus.inputs import (
    IncidentIn,
    IncidentUpdateIn,
    UpdateEditIn,
    component_statuses,
)
from dialects.instatus.objects import incident_object, incident_update_object
from incidents import selectors, services
from incidents.models import IncidentStatus
from statuspages.publishing import published_update_delete, published_update_edit
from statuspages.selectors import page_for_key


def read(form_class, data):
    form = form_class(data=data if isinstance(data, dict) else {})
    form.is_valid(raise_exception=True)
    return form.validated_data


def _statuses_filter(query_params) -> list[str] | None:
    """Instatus's ``?status=INVESTIGATING,MONITORING`` (any of these)."""
    given = query_params.get("status")
    if not given:
        return None
    names = [name.strip() for name in given.split(",") if name.strip()]
    unknown = [name for name in names if name not in INCIDENT_IN]
    if unknown:
        raise serializers.ValidationError({"status": [f"Use any of: {', '.join(INCIDENT_IN)}."]})
    return [INCIDENT_IN[name] for name in names]


def _detailed(incident) -> dict:
    selectors.incidents_with_details([incident])
    return incident_object(incident)


def _publishing(data: dict, status: str) -> list[dict]:
    """The components to set. Resolving puts every component of the incident back to
    operational (our rule, and what Instatus shows), so statuses sent with it are moot."""
    return [] if status == IncidentStatus.RESOLVED else component_statuses(data)


class IncidentListView(InstatusView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        incidents = selectors.incidents_for_page(page)
        statuses = _statuses_filter(request.query_params)
        if statuses is not None:
            incidents = incidents.filter(status__in=statuses)
        shown = list(incidents.order_by("-created_at", "-id")[window])
        selectors.incidents_with_details(shown)
        return Response([incident_object(incident) for incident in shown])

    @transaction.atomic
    def post(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        data = read(IncidentIn, request.data)
        status = data.get("status", IncidentStatus.INVESTIGATING)
        incident = services.incident_create(
            page=page,
            name=data.get("name", ""),
            status=status,
            message=data.get("message", ""),
            component_statuses=_publishing(data, status),
            notify_subscribers=data["notify"],
            started_at=data.get("started"),
        )
        return Response(_detailed(incident))


class IncidentDetailView(InstatusView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id, incident_id):
        page = page_for_key(self.api_key, page_id)
        return Response(_detailed(selectors.incident_for_page(page, incident_id)))

    @transaction.atomic
    def put(self, request, page_id, incident_id):
        page = page_for_key(self.api_key, page_id)
        incident = selectors.incident_for_page(page, incident_id)
        data = read(IncidentIn, request.data)
        changes = {}
        if "name" in data:
            changes["name"] = data["name"]
        if data.get("started"):
            changes["started_at"] = data["started"]
        if changes:
            incident = services.incident_change(incident=incident, **changes)
        if {"status", "message", "statuses", "components"} & set(data):
            status = data.get("status", incident.status)
            services.incident_update_publish(
                incident=incident,
                status=status,
                message=data.get("message", ""),
                component_statuses=_publishing(data, status),
                notify_subscribers=data["notify"],
            )
        return Response(_detailed(selectors.incident_for_page(page, incident_id)))

    patch = put

    @transaction.atomic
    def delete(self, request, page_id, incident_id):
        page = page_for_key(self.api_key, page_id)
        services.incident_delete(incident=selectors.incident_for_page(page, incident_id))
        return Response({"id": incident_id})


class IncidentUpdateListView(InstatusView):
    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id, incident_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        incident = selectors.incident_for_page(page, incident_id)
        selectors.incidents_with_details([incident])
        updates = sorted(incident.updates.all(), key=lambda u: (u.created_at, u.id))[window]
        return Response([incident_update_object(update, incident) for update in updates])

    @transaction.atomic
    def post(self, request, page_id, incident_id):
        page = page_for_key(self.api_key, page_id)
        incident = selectors.incident_for_page(page, incident_id)
        data = read(IncidentUpdateIn, request.data)
        status = data.get("status", incident.status)
        update = services.incident_update_publish(
            incident=incident,
            status=status,
            message=data.get("message", ""),
            component_statuses=_publishing(data, status),
            notify_subscribers=data["notify"],
        )
        incident = selectors.incident_for_page(page, incident_id)
        selectors.incidents_with_details([incident])
        return Response(incident_update_object(update, incident))


def _update_of(page, incident_id: str, update_id: str):
    incident = selectors.incident_for_page(page, incident_id)
    update = incident.updates.filter(id=update_id).first()
    if update is None:
        raise Http404("Incident update not found.")
    return incident, update


class IncidentUpdateDetailView(InstatusView):
    """Editing corrects an update's text (nobody is told again); a new status or component
    change is a new update (POST). Withdrawing keeps the incident's state as it is."""

    write_scope = Scope.INCIDENTS_WRITE

    def get(self, request, page_id, incident_id, update_id):
        incident, update = _update_of(page_for_key(self.api_key, page_id), incident_id, update_id)
        selectors.incidents_with_details([incident])
        return Response(incident_update_object(update, incident))

    def put(self, request, page_id, incident_id, update_id):
        incident, update = _update_of(page_for_key(self.api_key, page_id), incident_id, update_id)
        data = read(UpdateEditIn, request.data)
        update = published_update_edit(
            update=update, page_id=incident.page_id, message=data["message"]
        )
        selectors.incidents_with_details([incident])
        return Response(incident_update_object(update, incident))

    patch = put

    def delete(self, request, page_id, incident_id, update_id):
        incident, update = _update_of(page_for_key(self.api_key, page_id), incident_id, update_id)
        published_update_delete(update=update, page_id=incident.page_id)
        return Response({"id": update_id})
