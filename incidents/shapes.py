"""Statuspage's incident, built here once: the public documents, the Statuspage v1 dialect
(which extends it) and webhook bodies (frozen into the event when it is published) all use
``incident_shape``. It takes an incident already loaded and never queries."""

from collections.abc import Iterable

from incidents.models import Incident, IncidentStatus
from statuspages.models import Component
from statuspages.shapes import incident_fields

# Statuspage shows a resolved incident with a published postmortem as "postmortem".
POSTMORTEM = "postmortem"


def public_incident_status(incident: Incident) -> str:
    if incident.status == IncidentStatus.RESOLVED and incident.postmortem_published_at:
        return POSTMORTEM
    return incident.status


def incident_shape(
    incident: Incident,
    *,
    components: Iterable[tuple[Component, str]],
    hidden: frozenset[str] = frozenset(),
    updates: Iterable | None = None,
) -> dict:
    """``components``: the incident's components to list, each with the status to show;
    ``hidden``: component ids this reader may not see; ``updates`` (newest first) when the
    caller has them fresher than the prefetched ``incident.updates``."""
    return incident_fields(
        id=incident.id,
        name=incident.name,
        status=public_incident_status(incident),
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        monitoring_at=incident.monitoring_at,
        resolved_at=incident.resolved_at,
        impact=incident.impact,
        shortlink=incident.shortlink,
        started_at=incident.started_at,
        page_id=incident.page_id,
        updates=incident.updates.all() if updates is None else updates,
        components=components,
        hidden=hidden,
    )
