"""Instatus's upper-case values and ours. Only names are mapped here; what a status means
(and which are allowed where) is the services' business.

Instatus also has ``MINOROUTAGE`` for a component; we have no such status. It is read as our
``partial_outage`` (the outage between degraded performance and a major outage), and so it
reads back as ``PARTIALOUTAGE``. Our maintenance status ``verifying`` reads as ``INPROGRESS``.
"""

from incidents.models import IncidentStatus
from maintenances.models import MaintenanceStatus
from statuspages.models import ComponentStatus

COMPONENT_OUT = {
    ComponentStatus.OPERATIONAL: "OPERATIONAL",
    ComponentStatus.UNDER_MAINTENANCE: "UNDERMAINTENANCE",
    ComponentStatus.DEGRADED_PERFORMANCE: "DEGRADEDPERFORMANCE",
    ComponentStatus.PARTIAL_OUTAGE: "PARTIALOUTAGE",
    ComponentStatus.MAJOR_OUTAGE: "MAJOROUTAGE",
}
COMPONENT_IN = {
    **{name: ours for ours, name in COMPONENT_OUT.items()},
    "MINOROUTAGE": ComponentStatus.PARTIAL_OUTAGE,
}

INCIDENT_OUT = {
    IncidentStatus.INVESTIGATING: "INVESTIGATING",
    IncidentStatus.IDENTIFIED: "IDENTIFIED",
    IncidentStatus.MONITORING: "MONITORING",
    IncidentStatus.RESOLVED: "RESOLVED",
}
INCIDENT_IN = {name: ours for ours, name in INCIDENT_OUT.items()}

MAINTENANCE_OUT = {
    MaintenanceStatus.SCHEDULED: "NOTSTARTEDYET",
    MaintenanceStatus.IN_PROGRESS: "INPROGRESS",
    MaintenanceStatus.VERIFYING: "INPROGRESS",
    MaintenanceStatus.COMPLETED: "COMPLETED",
}
MAINTENANCE_IN = {
    "NOTSTARTEDYET": MaintenanceStatus.SCHEDULED,
    "INPROGRESS": MaintenanceStatus.IN_PROGRESS,
    "COMPLETED": MaintenanceStatus.COMPLETED,
}

# The page status: UP, HASISSUES, or the worst status any component is in, with how many
# components are in it: ALL of them, ONE, or SOME (more than one, not all).
PAGE_STATUSES = [
    "UP",
    "HASISSUES",
    *(
        f"{extent}{status}"
        for extent in ("ALL", "SOME", "ONE")
        for status in (
            "UNDERMAINTENANCE",
            "DEGRADEDPERFORMANCE",
            "PARTIALOUTAGE",
            "MINOROUTAGE",
            "MAJOROUTAGE",
        )
    ),
]


def page_status(component_statuses: list[str], indicator: str) -> str:
    """Instatus's page status from our components' effective statuses and the page's
    indicator (an open incident with no component affected still has issues)."""
    affected = [s for s in component_statuses if s != ComponentStatus.OPERATIONAL]
    if affected:
        worst = max(affected, key=ComponentStatus.values.index)
        at_worst = affected.count(worst)
        if at_worst == len(component_statuses):
            extent = "ALL"
        elif at_worst == 1:
            extent = "ONE"
        else:
            extent = "SOME"
        return f"{extent}{COMPONENT_OUT[worst]}"
    if indicator not in ("none", "maintenance"):
        return "HASISSUES"
    return "UP"
