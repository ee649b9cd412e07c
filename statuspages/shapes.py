"""Statuspage's public JSON shapes for a page, a component, a component group and an incident
update, each built here once. The public documents, the Statuspage v1 dialect (which extends
them) and webhook bodies all use these; ``incidents.shapes`` and ``maintenances.shapes`` build
the incident on top of ``incident_fields`` and ``update_shape``.

Builders take rows already loaded and never query; the caller decides which status each
component shows. Times are RFC 3339 UTC with Statuspage's precision (milliseconds) and ``Z``.
"""

from collections.abc import Iterable
from functools import partial

from core.serializers import rfc3339

# Statuspage's precision: milliseconds.
shape_time = partial(rfc3339, timespec="milliseconds")


def page_shape(page, *, updated_at) -> dict:
    """The ``page`` of every v2 document; ``updated_at`` is the caller's (the documents give
    the last change of anything the page shows, v1 the page row's own)."""
    return {
        "id": page.id,
        "name": page.name,
        "url": page.public_url,
        "time_zone": page.time_zone,
        "updated_at": shape_time(updated_at),
    }


def component_shape(component, status: str) -> dict:
    return {
        "id": component.id,
        "name": component.name,
        "status": status,
        "created_at": shape_time(component.created_at),
        "updated_at": shape_time(component.updated_at),
        "position": component.position,
        "description": component.description or None,
        "showcase": component.showcase,
        "start_date": component.start_date.isoformat() if component.start_date else None,
        "group_id": component.group_id,
        "page_id": component.page_id,
        "group": False,
        "only_show_if_degraded": component.only_show_if_degraded,
    }


def component_group_shape(group, component_ids: list[str]) -> dict:
    """A component group as a group: what Statuspage's v1 ``/component-groups`` returns, and
    every value the group's row in the v2 component list carries."""
    return {
        "id": group.id,
        "page_id": group.page_id,
        "name": group.name,
        "description": group.description or None,
        "components": component_ids,
        "position": group.position,
        "created_at": shape_time(group.created_at),
        "updated_at": shape_time(group.updated_at),
    }


def group_component_shape(group, component_ids: list[str], status: str) -> dict:
    """A group as the v2 component list shows it: a component with ``group: true``."""
    fields = component_group_shape(group, component_ids)
    return {
        "id": fields["id"],
        "name": fields["name"],
        "status": status,
        "created_at": fields["created_at"],
        "updated_at": fields["updated_at"],
        "position": fields["position"],
        "description": fields["description"],
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": fields["page_id"],
        "group": True,
        "only_show_if_degraded": False,
        "components": fields["components"],
    }


def affected_components(
    records: Iterable[dict], hidden: frozenset[str] = frozenset()
) -> list[dict] | None:
    """An update's ``component_statuses`` records as Statuspage's ``affected_components``;
    ``null`` when there are none, as Statuspage publishes it. ``hidden``: component ids this
    reader may not see (audience pages)."""
    changes = [
        {
            "code": record.get("component_id"),
            "name": record.get("name"),
            "old_status": record.get("old_status"),
            "new_status": record.get("new_status"),
        }
        for record in records or ()
        if record.get("component_id") not in hidden
    ]
    return changes or None


def update_shape(update, *, incident_id: str, hidden: frozenset[str] = frozenset()) -> dict:
    """An incident or maintenance update (a ``PublishedUpdate``) as Statuspage's incident
    update; maintenances are Statuspage incidents, so theirs say ``incident_id`` too."""
    created = shape_time(update.created_at)
    return {
        "id": update.id,
        "status": update.status,
        "body": update.message,
        "incident_id": incident_id,
        "created_at": created,
        "updated_at": created,
        "display_at": created,
        "affected_components": affected_components(update.component_statuses, hidden),
        "deliver_notifications": update.notify_subscribers,
        "custom_tweet": None,
        "tweet_id": None,
    }


def incident_fields(
    *,
    id: str,
    name: str,
    status: str,
    created_at,
    updated_at,
    monitoring_at,
    resolved_at,
    impact: str,
    shortlink: str,
    started_at,
    page_id: str,
    updates: Iterable,
    components: Iterable[tuple[object, str]],
    hidden: frozenset[str] = frozenset(),
) -> dict:
    """Statuspage's incident, in its key order; a scheduled maintenance is one of these with
    ``scheduled_for`` and ``scheduled_until`` after it. Times are datetimes (or None);
    ``updates`` are ``PublishedUpdate`` rows newest first; ``components`` the components to
    list, each with the status to show, listed in page order; ``hidden`` the component ids
    this reader may not see (audience pages), left out of the updates too."""
    return {
        "id": id,
        "name": name,
        "status": status,
        "created_at": shape_time(created_at),
        "updated_at": shape_time(updated_at),
        "monitoring_at": shape_time(monitoring_at),
        "resolved_at": shape_time(resolved_at),
        "impact": impact,
        "shortlink": shortlink,
        "started_at": shape_time(started_at),
        "page_id": page_id,
        "incident_updates": [
            update_shape(update, incident_id=id, hidden=hidden) for update in updates
        ],
        "components": [
            component_shape(component, component_status)
            for component, component_status in sorted(
                components, key=lambda pair: (pair[0].position, pair[0].id)
            )
        ],
    }
