"""incident.io's response objects, built from ours in one place each."""

from core.serializers import rfc3339
from maintenances.models import ACTIVE_STATUSES, MaintenanceStatus
from statuspages.models import ComponentStatus
from uptime.selectors import percentage_text

MANAGEMENT_META = {"annotations": {}, "managed_by": "dashboard"}
# Ours → incident.io's; an incident's ``under_maintenance`` has no name there and is not shown.
COMPONENT_STATUS_NAMES = {
    ComponentStatus.OPERATIONAL: "operational",
    ComponentStatus.DEGRADED_PERFORMANCE: "degraded_performance",
    ComponentStatus.PARTIAL_OUTAGE: "partial_outage",
    ComponentStatus.MAJOR_OUTAGE: "full_outage",
}
MAINTENANCE_STATUS_NAMES = {
    MaintenanceStatus.SCHEDULED: "maintenance_scheduled",
    MaintenanceStatus.IN_PROGRESS: "maintenance_in_progress",
    MaintenanceStatus.VERIFYING: "maintenance_in_progress",
    MaintenanceStatus.COMPLETED: "maintenance_complete",
}


def status_page_object(page) -> dict:
    return {"id": page.id, "name": page.name, "description": "", "public_url": page.public_url}


def component_object(component) -> dict:
    return {
        "id": component.id,
        "name": component.name,
        "description": component.description,
        "management_meta": MANAGEMENT_META,
    }


def _structure_component(component) -> dict:
    return {
        "component_id": component.id,
        "name": component.name,
        "display_uptime": component.showcase,
        "hidden": False,
    }


def structure_object(groups, ungrouped) -> dict:
    items = [
        {
            "group": {
                "id": group.id,
                "name": group.name,
                "description": group.description,
                "components": [_structure_component(c) for c in group.ordered_components],
                "display_aggregated_uptime": True,
                "hidden": False,
            }
        }
        for group in groups
    ]
    items += [{"component": _structure_component(component)} for component in ungrouped]
    return {
        "current_structure": {"items": items},
        "display_uptime_mode": "chart_and_percentage",
        "management_meta": MANAGEMENT_META,
    }


def _requested(update) -> list[tuple[str, str]]:
    """``(component_id, our status)`` an incident update asked for, as its record keeps them."""
    return [
        (record["component_id"], record["status"])
        for record in update.component_statuses or ()
        if isinstance(record, dict) and record.get("status") in COMPONENT_STATUS_NAMES
    ]


def incident_update_object(update, incident_id: str) -> dict:
    return {
        "id": update.id,
        "status_page_incident_id": incident_id,
        "incident_status": update.status,
        "message": update.message,
        "published_at": rfc3339(update.created_at),
        "component_statuses": [
            {"component_id": cid, "component_status": COMPONENT_STATUS_NAMES[status]}
            for cid, status in _requested(update)
        ],
    }


def _component_impacts(updates_oldest_first) -> list[dict]:
    """The periods each component spent in one non-operational status within the incident."""
    impacts: list[dict] = []
    current: dict[str, dict] = {}
    for update in updates_oldest_first:
        at = rfc3339(update.created_at)
        for component_id, status in _requested(update):
            period = current.get(component_id)
            if period is not None and period["component_status"] == COMPONENT_STATUS_NAMES[status]:
                continue
            if period is not None:
                period["end_at"] = at
                del current[component_id]
            if status != ComponentStatus.OPERATIONAL:
                current[component_id] = {
                    "component_id": component_id,
                    "component_status": COMPONENT_STATUS_NAMES[status],
                    "start_at": at,
                }
                impacts.append(current[component_id])
    return impacts


def incident_object(incident) -> dict:
    """Needs ``incidents_with_details`` (updates newest first)."""
    updates = list(incident.updates.all())
    return {
        "id": incident.id,
        "status_page_id": incident.page_id,
        "name": incident.name,
        "incident_status": incident.status,
        "published_at": rfc3339(incident.started_at),
        "component_impacts": _component_impacts(reversed(updates)),
        "updates": [incident_update_object(update, incident.id) for update in updates],
    }


def maintenance_update_object(update, maintenance) -> dict:
    """Needs the maintenance's components loaded (``maintenances_with_details``)."""
    component_status = "under_maintenance" if update.status in ACTIVE_STATUSES else "operational"
    return {
        "id": update.id,
        "status_page_maintenance_id": maintenance.id,
        "maintenance_status": MAINTENANCE_STATUS_NAMES[update.status],
        "message": update.message,
        "published_at": rfc3339(update.created_at),
        "component_statuses": [
            {"component_id": component.id, "component_status": component_status}
            for component in maintenance.components.all()
        ],
    }


def _maintenance_period(maintenance, component) -> dict:
    period = {
        "component_id": component.id,
        "start_at": rfc3339(maintenance.started_at or maintenance.start_at),
    }
    if maintenance.status == MaintenanceStatus.COMPLETED:
        period["end_at"] = rfc3339(maintenance.completed_at or maintenance.end_at)
    elif maintenance.status == MaintenanceStatus.SCHEDULED:
        period["end_at"] = rfc3339(maintenance.end_at)  # the plan; while running, it's ongoing
    return period


def maintenance_object(maintenance) -> dict:
    """Needs ``maintenances_with_details``."""
    return {
        "id": maintenance.id,
        "status_page_id": maintenance.page_id,
        "name": maintenance.name,
        "maintenance_status": MAINTENANCE_STATUS_NAMES[maintenance.status],
        "automate_maintenance_status": maintenance.auto_transition,
        "published_at": rfc3339(maintenance.created_at),
        "component_maintenance_periods": [
            _maintenance_period(maintenance, component)
            for component in maintenance.components.all()
        ],
        "updates": [
            maintenance_update_object(update, maintenance) for update in maintenance.updates.all()
        ],
    }


def availability_object(component, availability, *, start_at, end_at) -> dict:
    body = {
        "component_id": component.id,
        "status_page_id": component.page_id,
        "start_at": rfc3339(start_at),
        "end_at": rfc3339(end_at),
        "data_available_since": rfc3339(availability.data_available_since),
    }
    if availability.percentage is not None:
        body["availability_percent"] = percentage_text(availability.percentage)
    return body
