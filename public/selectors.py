"""Reads behind the public documents and pages, each in a fixed number of queries.

Every document starts from ``page_state`` (groups, components, effective statuses) so that
incidents and maintenances can show their components without more queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from incidents.models import Incident, IncidentComponent, IncidentStatus, IncidentUpdate
from maintenances.models import ACTIVE_STATUSES, Maintenance, MaintenanceStatus, MaintenanceUpdate
from statuspages.access import page_audience, visible_to
from statuspages.models import Component, ComponentGroup, ComponentStatus, StatusPage
from statuspages.status import (
    components_with_status_hints,
    effective_statuses,
    page_statuses,
    worst_status,
)

RECENT_LIMIT = 50
HISTORY_DAYS = 90


@dataclass
class PageState:
    page: StatusPage
    groups: list[ComponentGroup]
    components: list[Component]
    statuses: dict[str, str]
    status: dict
    updated_at: datetime
    by_id: dict[str, Component] = field(default_factory=dict)
    # Components of the page this reader may not see (audience pages): left out everywhere,
    # update texts included.
    hidden_component_ids: frozenset[str] = frozenset()

    def __post_init__(self):
        self.by_id = {component.id: component for component in self.components}

    def is_visible(self, component: Component) -> bool:
        """``only_show_if_degraded`` components stay off the page while operational."""
        return not (
            component.only_show_if_degraded
            and self.statuses[component.id] == ComponentStatus.OPERATIONAL
        )

    def layout(self) -> list[tuple[ComponentGroup | None, list[Component], str]]:
        """Groups in order with their visible components, then ungrouped ones (group None).

        A group whose every component is hidden is left out; its status is the worst of its
        visible components."""
        children: dict[str | None, list[Component]] = defaultdict(list)
        has_any: set[str] = set()
        for component in self.components:
            if component.group_id:
                has_any.add(component.group_id)
            if self.is_visible(component):
                children[component.group_id].append(component)
        rows = []
        for group in self.groups:
            visible = children.get(group.id, [])
            if group.id in has_any and not visible:
                continue
            rows.append((group, visible, worst_status(self.statuses[c.id] for c in visible)))
        ungrouped = children.get(None, [])
        if ungrouped:
            rows.append((None, ungrouped, worst_status(self.statuses[c.id] for c in ungrouped)))
        return rows


def _latest_change(page: StatusPage) -> datetime:
    """When anything the page shows last changed (one query)."""

    def newest(model):
        return Subquery(
            model.objects.filter(page=OuterRef("pk"))
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )

    row = (
        StatusPage.objects.filter(pk=page.pk)
        .annotate(
            incident_at=newest(Incident),
            maintenance_at=newest(Maintenance),
            component_at=newest(Component),
            group_at=newest(ComponentGroup),
        )
        .values_list("incident_at", "maintenance_at", "component_at", "group_at")
        .first()
    )
    candidates = [page.updated_at, *(row or ())]
    return max(moment for moment in candidates if moment is not None)


def page_state(page: StatusPage) -> PageState:
    """What the reader the page was resolved for may see (``statuspages.access``): on an
    audience page, its status is the worst of the components they see."""
    groups = list(ComponentGroup.objects.filter(page=page).order_by("position", "id"))
    audience = page_audience(page)
    components = Component.objects.filter(page=page).order_by("position", "id")
    components = list(visible_to(components_with_status_hints(components), audience))
    hidden: frozenset[str] = frozenset()
    if not audience.everything:
        every = dict(Component.objects.filter(page=page).values_list("id", "group_id"))
        hidden = frozenset(every) - {component.id for component in components}
        shown_groups = {component.group_id for component in components}
        emptied = {every[component_id] for component_id in hidden} - shown_groups
        groups = [group for group in groups if group.id not in emptied]
    statuses = effective_statuses(components)
    status = page_statuses([page], {page.id: list(statuses.values())})[page.id]
    return PageState(
        page=page,
        groups=groups,
        components=components,
        statuses=statuses,
        status=status,
        updated_at=_latest_change(page),
        hidden_component_ids=hidden,
    )


def _incidents(page: StatusPage):
    """The page's incidents its reader may see."""
    return visible_to(Incident.objects.filter(page=page), page_audience(page))


def _maintenances(page: StatusPage):
    """The page's maintenances its reader may see."""
    return visible_to(Maintenance.objects.filter(page=page), page_audience(page))


def _with_children(incidents, page: StatusPage) -> list[Incident]:
    incidents = list(
        incidents.prefetch_related(
            Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-created_at", "-id")),
            Prefetch(
                "component_links",
                queryset=IncidentComponent.objects.order_by("created_at", "id").only(
                    "id", "incident_id", "component_id", "status"
                ),
            ),
        )
    )
    for incident in incidents:
        incident.page = page  # shortlink reads page.slug; no query per incident
    return incidents


def incidents_recent(page: StatusPage, limit: int = RECENT_LIMIT) -> list[Incident]:
    recent = _incidents(page).order_by("-created_at", "-id")[:limit]
    return _with_children(recent, page)


def incidents_unresolved(page: StatusPage) -> list[Incident]:
    incidents = _incidents(page).exclude(status=IncidentStatus.RESOLVED)
    return _with_children(incidents.order_by("-created_at", "-id"), page)


def incidents_for_status_page(page: StatusPage, days: int = HISTORY_DAYS):
    """``(unresolved, history)`` in one go: unresolved incidents, newest first, and every
    incident started within the last ``days`` days, newest first."""
    since = timezone.now() - timedelta(days=days)
    incidents = _incidents(page).filter(
        ~Q(status=IncidentStatus.RESOLVED) | Q(started_at__gte=since)
    )
    incidents = _with_children(incidents.order_by("-created_at", "-id"), page)
    unresolved = [incident for incident in incidents if not incident.is_resolved]
    history = sorted(
        (incident for incident in incidents if incident.started_at >= since),
        key=lambda incident: (incident.started_at, incident.id),
        reverse=True,
    )
    return unresolved, history


def incident_for_page(page: StatusPage, incident_id: str) -> Incident | None:
    found = _with_children(_incidents(page).filter(id=incident_id), page)
    return found[0] if found else None


def _maintenances_with_children(maintenances, page: StatusPage) -> list[Maintenance]:
    maintenances = list(
        maintenances.prefetch_related(
            Prefetch("updates", queryset=MaintenanceUpdate.objects.order_by("-created_at", "-id"))
        )
    )
    # The through table alone: component rows are already in PageState.
    links = Maintenance.components.through.objects.filter(
        maintenance_id__in=[maintenance.id for maintenance in maintenances]
    ).values_list("maintenance_id", "component_id")
    component_ids: dict[str, list[str]] = defaultdict(list)
    if maintenances:
        for maintenance_id, component_id in links:
            component_ids[maintenance_id].append(component_id)
    for maintenance in maintenances:
        maintenance.page = page
        maintenance.public_component_ids = component_ids.get(maintenance.id, [])
    return maintenances


def maintenances_recent(page: StatusPage, limit: int = RECENT_LIMIT) -> list[Maintenance]:
    recent = _maintenances(page).order_by("-start_at", "-id")[:limit]
    return _maintenances_with_children(recent, page)


def maintenances_upcoming(page: StatusPage) -> list[Maintenance]:
    upcoming = _maintenances(page).filter(status=MaintenanceStatus.SCHEDULED)
    return _maintenances_with_children(upcoming.order_by("start_at", "id"), page)


def maintenances_active(page: StatusPage) -> list[Maintenance]:
    active = _maintenances(page).filter(status__in=ACTIVE_STATUSES)
    return _maintenances_with_children(active.order_by("start_at", "id"), page)


def maintenances_open(page: StatusPage) -> list[Maintenance]:
    """Scheduled and running maintenances (summary.json), soonest first."""
    statuses = (MaintenanceStatus.SCHEDULED, *ACTIVE_STATUSES)
    open_ = _maintenances(page).filter(status__in=statuses)
    return _maintenances_with_children(open_.order_by("start_at", "id"), page)


def maintenance_for_page(page: StatusPage, maintenance_id: str) -> Maintenance | None:
    found = _maintenances_with_children(_maintenances(page).filter(id=maintenance_id), page)
    return found[0] if found else None
