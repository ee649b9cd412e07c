"""incident.io's Status Pages V2 API (``https://api.incident.io``): the page, its structure
(groups and components in order), the organization's components (for their descriptions),
incidents and maintenance windows (cursor paging: ``page_size`` and ``after``).
``Authorization: Bearer <key>``. incident.io publishes no templates or subscribers."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.utils.text import slugify

from imports.http import SourceUnreadable
from imports.snapshot import (
    Snapshot,
    SourceComponent,
    SourceGroup,
    SourceIncident,
    SourceMaintenance,
    SourcePage,
    SourceUpdate,
    text_read,
    time_read,
)
from imports.sources.base import MAX_PAGES, Source, mapped

PAGE_SIZE = 100
COMPONENT_STATUSES = {
    "operational": "operational",
    "degraded_performance": "degraded_performance",
    "partial_outage": "partial_outage",
    "full_outage": "major_outage",
    "under_maintenance": "under_maintenance",
}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved"}
MAINTENANCE_STATUSES = {
    "maintenance_scheduled": "scheduled",
    "maintenance_in_progress": "in_progress",
    "maintenance_complete": "completed",
}
NOTES = [
    "incident.io's API publishes no templates and no subscribers: none are imported.",
    "incident.io gives a maintenance window's times only through its components' periods: "
    "a window without components, or still running, takes its times from its updates.",
]


class IncidentIoSource(Source):
    kind = "incident-io"
    label = "incident.io"

    def auth_headers(self, api_key: str) -> dict:
        return {"Authorization": f"Bearer {api_key}"}

    def cursor(self, path: str, key: str, **params) -> list:
        """Every item of a list paged by ``after`` (incident.io's ``pagination_meta``)."""
        items, after = [], None
        for _ in range(MAX_PAGES):
            query = {**params, "page_size": PAGE_SIZE, **({"after": after} if after else {})}
            answer = self.client.get(path, query)
            batch = answer.get(key) if isinstance(answer, dict) else None
            if not isinstance(batch, list):
                raise SourceUnreadable(f"{self.client.url(path)}: no {key} list.")
            items.extend(batch)
            after = (answer.get("pagination_meta") or {}).get("after")
            if not after or not batch:
                break
        return items

    def read(self, *, page_id, with_subscribers) -> Snapshot:
        if not page_id:
            page_id = self.page_chosen(self.cursor("/v2/status_pages", "status_pages"), None)
        raw_page = self.client.get(f"/v2/status_pages/{page_id}")["status_page"]
        name = text_read(raw_page.get("name"))
        snapshot = Snapshot(
            source_key=self.source_key(page_id),
            page=SourcePage(
                source_id=str(raw_page["id"]),
                name=name,
                slug=_slug(raw_page.get("public_url"), name),
            ),
            notes=list(NOTES),
        )
        described = {
            c.get("id"): c.get("description")
            for c in self.client.get("/v2/status_page_components").get("status_page_components")
            or []
            if isinstance(c, dict)
        }
        structure = self.client.get(f"/v2/status_page_structures/{page_id}")
        _structure_read(snapshot, structure["current_structure"]["items"], described)
        for raw in self.cursor(
            "/v2/status_page_incidents", "status_page_incidents", status_page_id=page_id
        ):
            item = snapshot.read("incident", raw, _incident)
            if item is not None:
                snapshot.incidents.append(item)
        for raw in self.cursor(
            "/v2/status_page_maintenances", "status_page_maintenances", status_page_id=page_id
        ):
            item = snapshot.read("maintenance", raw, _maintenance)
            if item is not None:
                snapshot.maintenances.append(item)
        return snapshot


def _slug(public_url, name: str) -> str:
    path = [s for s in urlsplit(public_url or "").path.split("/") if s]
    return path[-1] if path else slugify(name)


def _structure_read(snapshot: Snapshot, items: list, described: dict) -> None:
    """Groups in their order, each with its components in order; ungrouped components in
    theirs (incident.io interleaves the two; we keep each kind's own order)."""
    ungrouped = 0
    for raw in items:
        if isinstance(raw, dict) and raw.get("group"):
            group = snapshot.read("group", raw["group"], _group)
            if group is None:
                continue
            group.position = len(snapshot.groups)
            snapshot.groups.append(group)
            for position, member in enumerate(raw["group"].get("components") or []):
                component = snapshot.read(
                    "component", member, lambda m, g=group.source_id: _component(m, described, g)
                )
                if component is not None:
                    component.position = position
                    snapshot.components.append(component)
        else:
            raw_component = raw.get("component") if isinstance(raw, dict) else None
            component = snapshot.read(
                "component", raw_component or raw, lambda m: _component(m, described, None)
            )
            if component is not None:
                component.position = ungrouped
                ungrouped += 1
                snapshot.components.append(component)


def _group(raw) -> SourceGroup:
    return SourceGroup(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        description=text_read(raw.get("description")),
        position=0,
    )


def _component(raw, described: dict, group_id) -> SourceComponent:
    component_id = str(raw["component_id"])
    return SourceComponent(
        source_id=component_id,
        name=text_read(raw["name"]),
        description=text_read(described.get(component_id)),
        group_id=group_id,
        position=0,
        # incident.io shows a component's status only through its incidents.
        status="operational",
        showcase=bool(raw.get("display_uptime", True)),
    )


def _update(raw, status_key: str, statuses) -> SourceUpdate:
    return SourceUpdate(
        source_id=str(raw["id"]),
        status=statuses(raw[status_key]),
        message=text_read(raw.get("message")),
        published_at=time_read(raw["published_at"]),
        components=[
            {
                "component_id": str(entry["component_id"]),
                "status": mapped(entry["component_status"], COMPONENT_STATUSES, "a status"),
            }
            for entry in raw.get("component_statuses") or []
        ],
    )


def _updates(raw, status_key: str, statuses) -> list[SourceUpdate]:
    updates = [_update(update, status_key, statuses) for update in raw["updates"]]
    return sorted(reversed(updates), key=lambda update: update.published_at)


def _incident_status(value) -> str:
    if value not in INCIDENT_STATUSES:
        raise ValueError(f"{value!r} is not an incident status")
    return value


def _incident(raw) -> SourceIncident:
    published_at = time_read(raw["published_at"])
    return SourceIncident(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        updates=_updates(raw, "incident_status", _incident_status),
        started_at=published_at,
        created_at=published_at,
    )


def _maintenance(raw) -> SourceMaintenance:
    def status(value):
        return mapped(value, MAINTENANCE_STATUSES, "a maintenance status")

    updates = [
        _update({**u, "component_statuses": []}, "maintenance_status", status)
        for u in raw["updates"]
    ]
    updates = sorted(reversed(updates), key=lambda update: update.published_at)
    periods = raw.get("component_maintenance_periods") or []
    starts = [time_read(p["start_at"]) for p in periods]
    ends = [time_read(p["end_at"]) for p in periods if p.get("end_at")]
    published_at = time_read(raw["published_at"])
    current = status(raw["maintenance_status"])
    start_at = min(starts) if starts else (updates[0].published_at if updates else published_at)
    if ends:
        end_at = max(ends)
    elif current == "completed" and updates:
        end_at = updates[-1].published_at
    else:
        end_at = start_at + timedelta(hours=1)  # still running: no end published
    end_at = max(end_at, start_at + timedelta(minutes=1))
    return SourceMaintenance(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        status=current,
        start_at=start_at,
        end_at=end_at,
        updates=updates,
        component_ids=[str(p["component_id"]) for p in periods],
        auto_transition=bool(raw.get("automate_maintenance_status", True)),
        created_at=published_at,
    )
