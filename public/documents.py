"""The Statuspage v2 public documents, field for field as Statuspage publishes them.

Key names, nesting and order follow Statuspage's own responses (see
shared/seeds/statuspage-public-api-v2.txt); times are RFC 3339 UTC with milliseconds and ``Z``.
"""

from incidents.models import Incident
from incidents.shapes import incident_shape
from maintenances.models import Maintenance
from maintenances.shapes import maintenance_shape
from public import selectors
from public.selectors import PageState
from statuspages.shapes import component_shape, group_component_shape, page_shape


def page_object(state: PageState) -> dict:
    return page_shape(state.page, updated_at=state.updated_at)


def component_list(state: PageState) -> list[dict]:
    """Each group followed by its components, then ungrouped components, as Statuspage lists
    them; hidden (``only_show_if_degraded`` and operational) components are left out."""
    listed = []
    for group, children, status in state.layout():
        if group is not None:
            listed.append(group_component_shape(group, [child.id for child in children], status))
        listed.extend(component_shape(child, state.statuses[child.id]) for child in children)
    return listed


def _shown(component_ids, state: PageState):
    """The page's components among ``component_ids`` this reader sees, with their status."""
    return [
        (state.by_id[component_id], state.statuses[component_id])
        for component_id in component_ids
        if component_id in state.by_id
    ]


def incident_object(incident: Incident, state: PageState) -> dict:
    links = incident.component_links.all()
    return incident_shape(
        incident,
        components=_shown([link.component_id for link in links], state),
        hidden=state.hidden_component_ids,
    )


def maintenance_object(maintenance: Maintenance, state: PageState) -> dict:
    return maintenance_shape(
        maintenance,
        components=_shown(maintenance.public_component_ids, state),
        hidden=state.hidden_component_ids,
    )


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
