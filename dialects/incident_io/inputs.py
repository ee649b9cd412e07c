"""incident.io's request bodies, read into our services' arguments. Only names are mapped
here (``full_outage`` is our ``major_outage``, ``maintenance_*`` our maintenance statuses),
and the fields incident.io's API requires are required; every rule about the values (blank
names, lengths, incident statuses, which are named alike in both, components of the page)
is the services'."""

from rest_framework import serializers

from maintenances.models import MaintenanceStatus
from statuspages.models import ComponentStatus

# incident.io's component statuses in an incident, and ours.
INCIDENT_COMPONENT_STATUSES = {
    "operational": ComponentStatus.OPERATIONAL,
    "degraded_performance": ComponentStatus.DEGRADED_PERFORMANCE,
    "partial_outage": ComponentStatus.PARTIAL_OUTAGE,
    "full_outage": ComponentStatus.MAJOR_OUTAGE,
}
MAINTENANCE_STATUSES = {
    "maintenance_scheduled": MaintenanceStatus.SCHEDULED,
    "maintenance_in_progress": MaintenanceStatus.IN_PROGRESS,
    "maintenance_complete": MaintenanceStatus.COMPLETED,
}
MAINTENANCE_COMPONENT_STATUSES = ("operational", "under_maintenance")


class _ComponentStatus(serializers.Serializer):
    component_id = serializers.CharField(max_length=64)
    component_status = serializers.ChoiceField(choices=list(INCIDENT_COMPONENT_STATUSES))


def component_statuses(entries) -> list[dict]:
    """incident.io's ``[{component_id, component_status}]`` as our ``component_statuses``."""
    return [
        {
            "component_id": entry["component_id"],
            "status": INCIDENT_COMPONENT_STATUSES[entry["component_status"]],
        }
        for entry in entries or ()
    ]


class ComponentIn(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    # Ours, not incident.io's: its components belong to the organization, ours to a page.
    status_page_id = serializers.CharField(required=False, max_length=64)


class IncidentCreateIn(serializers.Serializer):
    idempotency_key = serializers.CharField()
    status_page_id = serializers.CharField(max_length=64)
    name = serializers.CharField(allow_blank=True)
    # incident.io's incident statuses are ours by name: incident_create judges them.
    incident_status = serializers.CharField()
    message = serializers.CharField(allow_blank=True)
    notify_subscribers = serializers.BooleanField()
    component_statuses = _ComponentStatus(many=True, required=False)


class IncidentChangeIn(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)


class IncidentUpdateIn(serializers.Serializer):
    status_page_incident_id = serializers.CharField(max_length=64)
    message = serializers.CharField(allow_blank=True)
    notify_subscribers = serializers.BooleanField()
    incident_status = serializers.CharField(required=False)
    component_statuses = _ComponentStatus(many=True, required=False)


class _RetrospectiveUpdate(serializers.Serializer):
    incident_status = serializers.CharField()
    message = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField()
    component_statuses = _ComponentStatus(many=True, required=False)


class RetrospectiveIncidentIn(serializers.Serializer):
    idempotency_key = serializers.CharField()
    status_page_id = serializers.CharField(max_length=64)
    name = serializers.CharField(allow_blank=True)
    updates = _RetrospectiveUpdate(many=True, allow_empty=True)


def retrospective_updates(entries) -> list[dict]:
    return [
        {
            "status": entry["incident_status"],
            "message": entry["message"],
            "published_at": entry["published_at"],
            "component_statuses": component_statuses(entry.get("component_statuses")),
        }
        for entry in entries
    ]


class MaintenanceCreateIn(serializers.Serializer):
    idempotency_key = serializers.CharField()
    status_page_id = serializers.CharField(max_length=64)
    name = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()
    maintenance_status = serializers.ChoiceField(choices=list(MAINTENANCE_STATUSES))
    affected_component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), allow_empty=True
    )
    notify_subscribers = serializers.BooleanField()
    automate_maintenance_status = serializers.BooleanField(required=False, default=False)


class MaintenanceChangeIn(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()


class _MaintenanceComponentStatus(serializers.Serializer):
    component_id = serializers.CharField(max_length=64)
    component_status = serializers.ChoiceField(choices=MAINTENANCE_COMPONENT_STATUSES)


class MaintenanceUpdateIn(serializers.Serializer):
    status_page_maintenance_id = serializers.CharField(max_length=64)
    message = serializers.CharField(allow_blank=True)
    notify_subscribers = serializers.BooleanField()
    maintenance_status = serializers.ChoiceField(choices=list(MAINTENANCE_STATUSES), required=False)
    component_statuses = _MaintenanceComponentStatus(many=True, required=False)


def maintenance_component_ids(current: list[str], entries) -> list[str]:
    """The window's components after incident.io's ``component_statuses``: a component
    ``under_maintenance`` is in the window, one ``operational`` is not."""
    ids = list(current)
    for entry in entries:
        if entry["component_status"] == "under_maintenance" and entry["component_id"] not in ids:
            ids.append(entry["component_id"])
        elif entry["component_status"] == "operational" and entry["component_id"] in ids:
            ids.remove(entry["component_id"])
    return ids


class ListQuery(serializers.Serializer):
    status_page_id = serializers.CharField(max_length=64)
    component_id = serializers.CharField(required=False, max_length=64)
    group_id = serializers.CharField(required=False, max_length=64)
    sub_page_id = serializers.CharField(required=False, max_length=64)
    start_at = serializers.DateTimeField(required=False)
    end_at = serializers.DateTimeField(required=False)


class AvailabilityQuery(serializers.Serializer):
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()
