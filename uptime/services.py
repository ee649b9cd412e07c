"""Every write to the uptime history: one interval per stretch of non-operational status."""

from django.db import transaction

from incidents.models import IncidentUpdate
from maintenances.models import MaintenanceUpdate
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import Component, ComponentStatus, StatusPage
from statuspages.publishing import StatusChange
from uptime.models import StatusInterval


def status_change_record(change: StatusChange) -> None:
    """Status-change sink (``statuspages.publishing``), inside the publishing transaction:
    the open interval ends and, unless the component is back to operational, a new one opens."""
    # The component's row lock orders concurrent publishers touching the same component.
    locked = Component.objects.select_for_update().filter(id=change.component_id)
    if not locked.exists():
        return
    StatusInterval.objects.filter(component_id=change.component_id, ended_at__isnull=True).update(
        ended_at=change.at
    )
    if change.new_status != ComponentStatus.OPERATIONAL:
        StatusInterval.objects.create(
            page_id=change.page_id,
            component_id=change.component_id,
            status=change.new_status,
            started_at=change.at,
        )


@transaction.atomic
def status_history_rebuild(*, page: StatusPage) -> int:
    """The page's intervals again from what its incident and maintenance updates recorded
    (each keeps every component's effective status before and after it), for history written
    with backdated updates (the demo). Manual changes other than the present status are not
    in those updates and are lost; returns the number of intervals."""
    changes = []
    for model, subject in ((IncidentUpdate, "incident"), (MaintenanceUpdate, "maintenance")):
        rows = model.objects.filter(**{f"{subject}__page": page}).values_list(
            "created_at", "component_statuses"
        )
        for created_at, records in rows:
            for record in records or []:
                if isinstance(record, dict) and record.get("new_status"):
                    changes.append((created_at, record.get("component_id"), record["new_status"]))
    changes.sort(key=lambda change: change[0])
    components = {component.id: component for component in Component.objects.filter(page=page)}
    open_intervals: dict[str, StatusInterval] = {}
    finished = []
    for at, component_id, status in changes:
        current = open_intervals.get(component_id)
        if component_id not in components or (current is not None and current.status == status):
            continue
        if current is not None:
            current.ended_at = at
            finished.append(open_intervals.pop(component_id))
        if status != ComponentStatus.OPERATIONAL:
            open_intervals[component_id] = StatusInterval(
                page=page, component_id=component_id, status=status, started_at=at
            )
    for component in components.values():
        if (
            component.id not in open_intervals
            and component.manual_status != ComponentStatus.OPERATIONAL
        ):
            open_intervals[component.id] = StatusInterval(
                page=page,
                component_id=component.id,
                status=component.manual_status,
                started_at=component.updated_at,
            )
    StatusInterval.objects.filter(page=page).delete()
    created = StatusInterval.objects.bulk_create([*finished, *open_intervals.values()])
    page_invalidate_on_commit(page.id)
    return len(created)
