"""Every write to the uptime history: one interval per stretch of non-operational status."""

from statuspages.models import Component, ComponentStatus
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
