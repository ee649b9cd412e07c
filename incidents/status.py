"""What unresolved incidents say about components and pages (registered in apps.ready)."""

from collections import defaultdict

from incidents.models import Incident, IncidentComponent, IncidentStatus
from statuspages.status import PageSignals


def incident_component_statuses(component_ids: list[str]) -> dict[str, list[str]]:
    rows = (
        IncidentComponent.objects.filter(component_id__in=component_ids)
        .exclude(incident__status=IncidentStatus.RESOLVED)
        .values_list("component_id", "status")
    )
    imposed: dict[str, list[str]] = defaultdict(list)
    for component_id, status in rows:
        imposed[component_id].append(status)
    return imposed


def incident_page_signals(page_ids: list[str], signals: dict[str, PageSignals]) -> None:
    rows = (
        Incident.objects.filter(page_id__in=page_ids)
        .exclude(status=IncidentStatus.RESOLVED)
        .values_list("page_id", "impact")
    )
    for page_id, impact in rows:
        signals[page_id].impacts.append(impact)


def component_used_by_incident(component) -> str | None:
    incident = (
        Incident.objects.filter(component_links__component=component)
        .exclude(status=IncidentStatus.RESOLVED)
        .first()
    )
    if incident is None:
        return None
    return f"The component is used by the unresolved incident {incident.id}; resolve it first."
