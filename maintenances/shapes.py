"""Statuspage's scheduled maintenance, built here once: an incident with ``impact:
"maintenance"``, ``scheduled_for`` and ``scheduled_until``. The public documents, the
Statuspage v1 dialect (which extends it) and webhook bodies (frozen into the event when it is
published) all use ``maintenance_shape``. It takes a maintenance already loaded and never
queries."""

from collections.abc import Iterable

from maintenances.models import Maintenance
from statuspages.models import Component
from statuspages.shapes import incident_fields, shape_time

MAINTENANCE_IMPACT = "maintenance"


def maintenance_started_at(maintenance: Maintenance):
    """Statuspage publishes a scheduled maintenance's ``started_at`` as the moment it was
    created (its ``created_at``, not its ``scheduled_for``); once ours has begun, the moment
    it went in progress."""
    return maintenance.started_at or maintenance.created_at


def maintenance_shape(
    maintenance: Maintenance,
    *,
    components: Iterable[tuple[Component, str]],
    hidden: frozenset[str] = frozenset(),
    updates: Iterable | None = None,
) -> dict:
    """``components``: the window's components to list, each with the status to show;
    ``hidden``: component ids this reader may not see; ``updates`` (newest first) when the
    caller has them fresher than the prefetched ``maintenance.updates``."""
    return {
        **incident_fields(
            id=maintenance.id,
            name=maintenance.name,
            status=maintenance.status,
            created_at=maintenance.created_at,
            updated_at=maintenance.updated_at,
            monitoring_at=None,
            resolved_at=maintenance.completed_at,
            impact=MAINTENANCE_IMPACT,
            shortlink=maintenance.shortlink,
            started_at=maintenance_started_at(maintenance),
            page_id=maintenance.page_id,
            updates=maintenance.updates.all() if updates is None else updates,
            components=components,
            hidden=hidden,
        ),
        "scheduled_for": shape_time(maintenance.start_at),
        "scheduled_until": shape_time(maintenance.end_at),
    }
