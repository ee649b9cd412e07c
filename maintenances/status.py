"""What running maintenances say about components and pages (registered in apps.ready)."""

from collections import defaultdict

from maintenances.models import ACTIVE_STATUSES, Maintenance
from statuspages.models import ComponentStatus
from statuspages.status import PageSignals


def maintenance_component_statuses(component_ids: list[str]) -> dict[str, list[str]]:
    rows = Maintenance.components.through.objects.filter(
        component_id__in=component_ids, maintenance__status__in=ACTIVE_STATUSES
    ).values_list("component_id", flat=True)
    imposed: dict[str, list[str]] = defaultdict(list)
    for component_id in set(rows):
        imposed[component_id].append(ComponentStatus.UNDER_MAINTENANCE)
    return imposed


def maintenance_page_signals(page_ids: list[str], signals: dict[str, PageSignals]) -> None:
    running = Maintenance.objects.filter(page_id__in=page_ids, status__in=ACTIVE_STATUSES)
    for page_id in set(running.values_list("page_id", flat=True)):
        signals[page_id].maintenance_in_progress = True


def component_used_by_maintenance(component) -> str | None:
    maintenance = Maintenance.objects.filter(
        components=component, status__in=ACTIVE_STATUSES
    ).first()
    if maintenance is None:
        return None
    return f"The component is used by the active maintenance {maintenance.id}; complete it first."
