"""Instatus's API (``https://api.instatus.com``): pages (v2), and per page (v1) components with
their groups, incidents and maintenances with their updates, templates and subscribers.
``Authorization: Bearer <key>``; lists are numbered pages (``?page=&per_page=``, at most 100).
Upper-case values are read as ours (``MINOROUTAGE`` as a partial outage)."""

from imports.http import SourceUnreadable
from imports.snapshot import (
    Snapshot,
    SourceComponent,
    SourceGroup,
    SourceIncident,
    SourceMaintenance,
    SourcePage,
    SourceSubscriber,
    SourceTemplate,
    SourceUpdate,
    ordered,
    text_read,
    time_read,
)
from imports.sources.base import Source, mapped

PER_PAGE = 100
COMPONENT_STATUSES = {
    "OPERATIONAL": "operational",
    "UNDERMAINTENANCE": "under_maintenance",
    "DEGRADEDPERFORMANCE": "degraded_performance",
    "PARTIALOUTAGE": "partial_outage",
    "MINOROUTAGE": "partial_outage",
    "MAJOROUTAGE": "major_outage",
}
INCIDENT_STATUSES = {
    "INVESTIGATING": "investigating",
    "IDENTIFIED": "identified",
    "MONITORING": "monitoring",
    "RESOLVED": "resolved",
}
MAINTENANCE_STATUSES = {
    "NOTSTARTEDYET": "scheduled",
    "INPROGRESS": "in_progress",
    "COMPLETED": "completed",
}
IMPACTS = {"NONE": "none", "MINOR": "minor", "MAJOR": "major", "CRITICAL": "critical"}
CHANNELS = {
    "EMAIL": "email",
    "SMS": "sms",
    "WEBHOOK": "webhook",
    "SLACK": "slack",
    "TEAMS": "teams",
    "DISCORD": "discord",
    "GOOGLE_CHAT": "google_chat",
    "GOOGLECHAT": "google_chat",
}


class InstatusSource(Source):
    kind = "instatus"
    label = "Instatus"

    def auth_headers(self, api_key: str) -> dict:
        return {"Authorization": f"Bearer {api_key}"}

    def listed(self, path: str) -> list:
        return self.numbered(path, size_name="per_page", size=PER_PAGE)

    def read(self, *, page_id, with_subscribers) -> Snapshot:
        pages = self.listed("/v2/pages")
        page_id = self.page_chosen(pages, page_id)
        raw_page = next((p for p in pages if isinstance(p, dict) and p.get("id") == page_id), None)
        if raw_page is None:
            raise SourceUnreadable(f"Instatus: the key reaches no page {page_id}.")
        snapshot = Snapshot(
            source_key=self.source_key(page_id),
            page=SourcePage(
                source_id=str(raw_page["id"]),
                name=text_read(raw_page.get("name")),
                slug=text_read(raw_page.get("subdomain")),
                time_zone=raw_page.get("timeZone") or "UTC",
            ),
        )
        base = f"/v1/{page_id}"
        _structure_read(snapshot, self.listed(f"{base}/components"))
        for raw in self.listed(f"{base}/incidents"):
            raw = self._with_updates(raw, f"{base}/incidents", "incident-updates")
            item = snapshot.read("incident", raw, _incident)
            if item is not None:
                snapshot.incidents.append(item)
        for raw in self.listed(f"{base}/maintenances"):
            raw = self._with_updates(raw, f"{base}/maintenances", "maintenance-updates")
            item = snapshot.read("maintenance", raw, _maintenance)
            if item is not None:
                snapshot.maintenances.append(item)
        for raw in self.listed(f"{base}/templates"):
            item = snapshot.read("template", raw, _template)
            if item is not None:
                snapshot.templates.append(item)
        if with_subscribers:
            for raw in self.listed(f"{base}/subscribers"):
                item = snapshot.read("subscriber", raw, _subscriber)
                if item is not None:
                    snapshot.subscribers.append(item)
        return snapshot

    def _with_updates(self, raw, path: str, updates_path: str):
        """A listed incident or maintenance with its updates (read on their own when the list
        leaves them out)."""
        if not isinstance(raw, dict) or "updates" in raw or "id" not in raw:
            return raw
        updates = self.listed(f"{path}/{raw['id']}/{updates_path}")
        return {**raw, "updates": updates}


def _structure_read(snapshot: Snapshot, components_raw: list) -> None:
    """Instatus gives each component its group (``group``: id, name, order): groups by their
    order, components by theirs within each group and among the ungrouped."""
    groups: dict[str, tuple] = {}
    for raw in components_raw:
        group = raw.get("group") if isinstance(raw, dict) else None
        if isinstance(group, dict) and group.get("id") not in groups:
            read = snapshot.read("group", group, _group)
            if read is not None:
                groups[read.source_id] = (read, group.get("order"))
    for position, (group, _order) in enumerate(ordered(list(groups.values()), lambda g: g[1])):
        group.position = position
        snapshot.groups.append(group)
    next_position: dict[str | None, int] = {}
    for raw in ordered(components_raw, lambda r: r.get("order") if isinstance(r, dict) else None):
        component = snapshot.read("component", raw, _component)
        if component is None:
            continue
        if component.group_id not in groups:
            component.group_id = None
        component.position = next_position.get(component.group_id, 0)
        next_position[component.group_id] = component.position + 1
        snapshot.components.append(component)


def _group(raw) -> SourceGroup:
    return SourceGroup(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        description=text_read(raw.get("description")),
        position=0,
    )


def _component(raw) -> SourceComponent:
    group = raw.get("group")
    return SourceComponent(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        description=text_read(raw.get("description")),
        group_id=str(group["id"]) if isinstance(group, dict) else None,
        position=0,
        status=mapped(raw.get("status", "OPERATIONAL"), COMPONENT_STATUSES, "a status"),
        showcase=bool(raw.get("showUptime", True)),
    )


def _updates(raw, statuses: dict) -> list[SourceUpdate]:
    updates = [
        SourceUpdate(
            source_id=str(update["id"]),
            status=mapped(update["status"], statuses, "a status"),
            message=text_read(update.get("message")),
            published_at=time_read(update.get("started") or update["createdAt"]),
        )
        for update in raw["updates"]
    ]
    return sorted(updates, key=lambda update: update.published_at)  # Instatus: oldest first


def _affected(raw) -> list[dict]:
    return [
        {
            "component_id": str(c["id"]),
            "status": mapped(c.get("status", "OPERATIONAL"), COMPONENT_STATUSES, "a status"),
        }
        for c in raw.get("components") or []
    ]


def _incident(raw) -> SourceIncident:
    impact = raw.get("impact")
    updates = _updates(raw, INCIDENT_STATUSES)
    return SourceIncident(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        updates=updates,
        impact=mapped(impact, IMPACTS, "an impact") if impact else None,
        started_at=time_read(raw.get("started")),
        components=_affected(raw),
    )


def _maintenance(raw) -> SourceMaintenance:
    return SourceMaintenance(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        status=mapped(raw["status"], MAINTENANCE_STATUSES, "a maintenance status"),
        start_at=time_read(raw["start"]),
        end_at=time_read(raw["end"]),
        updates=_updates(raw, MAINTENANCE_STATUSES),
        component_ids=[str(c["id"]) for c in raw.get("components") or []],
        auto_transition=bool(raw.get("autoStart", True)),
    )


def _template(raw) -> SourceTemplate:
    kind = mapped(raw["type"], {"INCIDENT": "incident", "MAINTENANCE": "maintenance"}, "a type")
    statuses = INCIDENT_STATUSES if kind == "incident" else MAINTENANCE_STATUSES
    status = raw.get("status")
    return SourceTemplate(
        source_id=str(raw["id"]),
        kind=kind,
        name=text_read(raw["name"]),
        title=text_read(raw.get("title")),
        message=text_read(raw.get("message")),
        status=mapped(status, statuses, "a status") if status else "",
        notify_subscribers=bool(raw.get("notify", True)),
        components=[
            {
                "component_id": str(c.get("componentId") or c["id"]),
                "status": mapped(c.get("status", "OPERATIONAL"), COMPONENT_STATUSES, "a status"),
            }
            for c in raw.get("components") or []
        ],
    )


def _subscriber(raw) -> SourceSubscriber:
    channel = raw.get("channel")
    if channel is None:  # older answers name no channel: the address says it
        channel = "EMAIL" if raw.get("email") else "SMS" if raw.get("phone") else "WEBHOOK"
    return SourceSubscriber(
        source_id=str(raw["id"]),
        channel=mapped(channel, CHANNELS, "a channel"),
        email=text_read(raw.get("email")),
        phone_number=text_read(raw.get("phone")),
        endpoint=text_read(raw.get("webhook")),
        component_ids=[] if raw.get("all") else [str(c) for c in raw.get("components") or []],
        confirmed=bool(raw.get("confirmed")),
    )
