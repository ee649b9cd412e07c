"""The Statuspage v2 public documents, field for field as Statuspage publishes them.

Key names, nesting and order follow Statuspage's own responses (see
shared/seeds/statuspage-public-api-v2.txt); times are RFC 3339 UTC with milliseconds and ``Z``.
"""

from datetime import date
from functools import partial

from core.serializers import rfc3339 as core_rfc3339
from incidents.models import Incident, IncidentStatus
from maintenances.models import Maintenance
from maintenances.services import maintenance_shortlink
from public import selectors
from public.selectors import PageState
from statuspages.models import Component, ComponentGroup

# Statuspage shows a resolved incident with a published postmortem as "postmortem".
POSTMORTEM = "postmortem"
MAINTENANCE_IMPACT = "maintenance"


# Statuspage's precision: milliseconds.
rfc3339 = partial(core_rfc3339, timespec="milliseconds")


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def page_object(state: PageState) -> dict:
    page = state.page
    return {
        "id": page.id,
        "name": page.name,
        "url": page.public_url,
        "time_zone": page.time_zone,
        "updated_at": rfc3339(state.updated_at),
    }


def component_object(component: Component, state: PageState) -> dict:
    return {
        "id": component.id,
        "name": component.name,
        "status": state.statuses[component.id],
        "created_at": rfc3339(component.created_at),
        "updated_at": rfc3339(component.updated_at),
        "position": component.position,
        "description": component.description or None,
        "showcase": component.showcase,
        "start_date": _date(component.start_date),
        "group_id": component.group_id,
        "page_id": component.page_id,
        "group": False,
        "only_show_if_degraded": component.only_show_if_degraded,
    }


def group_object(group: ComponentGroup, children: list[Component], status: str) -> dict:
    return {
        "id": group.id,
        "name": group.name,
        "status": status,
        "created_at": rfc3339(group.created_at),
        "updated_at": rfc3339(group.updated_at),
        "position": group.position,
        "description": group.description or None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": group.page_id,
        "group": True,
        "only_show_if_degraded": False,
        "components": [child.id for child in children],
    }


def component_list(state: PageState) -> list[dict]:
    """Each group followed by its components, then ungrouped components, as Statuspage lists
    them; hidden (``only_show_if_degraded`` and operational) components are left out."""
    listed = []
    for group, children, status in state.layout():
        if group is not None:
            listed.append(group_object(group, children, status))
        listed.extend(component_object(child, state) for child in children)
    return listed


def _update_object(update, parent_id: str, affected: list[dict] | None) -> dict:
    created = rfc3339(update.created_at)
    return {
        "id": update.id,
        "status": update.status,
        "body": update.message,
        "incident_id": parent_id,
        "created_at": created,
        "updated_at": created,
        "display_at": created,
        "affected_components": affected,
        "deliver_notifications": update.notify_subscribers,
        "custom_tweet": None,
        "tweet_id": None,
    }


def affected_components(update, state: PageState) -> list[dict] | None:
    changes = [
        {
            "code": change.get("component_id"),
            "name": change.get("name"),
            "old_status": change.get("old_status"),
            "new_status": change.get("new_status"),
        }
        for change in (update.component_statuses or [])
        if change.get("component_id") not in state.hidden_component_ids
    ]
    return changes or None


def public_incident_status(incident: Incident) -> str:
    if incident.status == IncidentStatus.RESOLVED and incident.postmortem_published_at:
        return POSTMORTEM
    return incident.status


def incident_object(incident: Incident, state: PageState) -> dict:
    components = [
        component_object(state.by_id[link.component_id], state)
        for link in incident.component_links.all()
        if link.component_id in state.by_id
    ]
    return {
        "id": incident.id,
        "name": incident.name,
        "status": public_incident_status(incident),
        "created_at": rfc3339(incident.created_at),
        "updated_at": rfc3339(incident.updated_at),
        "monitoring_at": rfc3339(incident.monitoring_at),
        "resolved_at": rfc3339(incident.resolved_at),
        "impact": incident.impact,
        "shortlink": incident.shortlink,
        "started_at": rfc3339(incident.started_at),
        "page_id": incident.page_id,
        "incident_updates": [
            _update_object(update, incident.id, affected_components(update, state))
            for update in incident.updates.all()
        ],
        "components": components,
    }


def maintenance_object(maintenance: Maintenance, state: PageState) -> dict:
    components = [
        component_object(state.by_id[component_id], state)
        for component_id in maintenance.public_component_ids
        if component_id in state.by_id
    ]
    return {
        "id": maintenance.id,
        "name": maintenance.name,
        "status": maintenance.status,
        "created_at": rfc3339(maintenance.created_at),
        "updated_at": rfc3339(maintenance.updated_at),
        "monitoring_at": None,
        "resolved_at": rfc3339(maintenance.completed_at),
        "impact": MAINTENANCE_IMPACT,
        "shortlink": maintenance_shortlink(maintenance),
        "started_at": rfc3339(maintenance.started_at or maintenance.created_at),
        "page_id": maintenance.page_id,
        "incident_updates": [
            _update_object(update, maintenance.id, affected_components(update, state))
            for update in maintenance.updates.all()
        ],
        "components": components,
        "scheduled_for": rfc3339(maintenance.start_at),
        "scheduled_until": rfc3339(maintenance.end_at),
    }


def _incidents(incidents, state):
    return [incident_object(incident, state) for incident in incidents]


def _maintenances(maintenances, state):
    return [maintenance_object(maintenance, state) for maintenance in maintenances]


def summary(state: PageState) -> dict:
    page = state.page
    return {
        "page": page_object(state),
        "components": component_list(state),
        "incidents": _incidents(selectors.incidents_unresolved(page), state),
        "scheduled_maintenances": _maintenances(selectors.maintenances_open(page), state),
        "status": state.status,
    }


def status(state: PageState) -> dict:
    return {"page": page_object(state), "status": state.status}


def components(state: PageState) -> dict:
    return {"page": page_object(state), "components": component_list(state)}


def incidents(state: PageState) -> dict:
    recent = selectors.incidents_recent(state.page)
    return {"page": page_object(state), "incidents": _incidents(recent, state)}


def incidents_unresolved(state: PageState) -> dict:
    unresolved = selectors.incidents_unresolved(state.page)
    return {"page": page_object(state), "incidents": _incidents(unresolved, state)}


def maintenances(state: PageState) -> dict:
    recent = selectors.maintenances_recent(state.page)
    return {"page": page_object(state), "scheduled_maintenances": _maintenances(recent, state)}


def maintenances_upcoming(state: PageState) -> dict:
    upcoming = selectors.maintenances_upcoming(state.page)
    return {"page": page_object(state), "scheduled_maintenances": _maintenances(upcoming, state)}


def maintenances_active(state: PageState) -> dict:
    active = selectors.maintenances_active(state.page)
    return {"page": page_object(state), "scheduled_maintenances": _maintenances(active, state)}


# URL file name -> builder; the names double as cache keys.
DOCUMENTS = {
    "summary.json": summary,
    "status.json": status,
    "components.json": components,
    "incidents.json": incidents,
    "incidents/unresolved.json": incidents_unresolved,
    "scheduled-maintenances.json": maintenances,
    "scheduled-maintenances/upcoming.json": maintenances_upcoming,
    "scheduled-maintenances/active.json": maintenances_active,
}
