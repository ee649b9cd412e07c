"""Atlassian Statuspage's management API v1 (``https://api.statuspage.io/v1``): the page, its
component groups and components, incidents and scheduled maintenances (one list), incident
templates and subscribers. ``Authorization: OAuth <key>``; lists are numbered pages of at most
100 (``per_page``, or ``limit`` where Statuspage names it so)."""

from imports.snapshot import (
    Snapshot,
    SourcePage,
    SourceSubscriber,
    SourceTemplate,
    text_read,
)
from imports.sources.base import Source
from imports.sources.statuspage_shapes import (
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    component_status,
    incident_read,
    is_maintenance,
    maintenance_read,
    structure_read,
)

PER_PAGE = 100
# Statuspage's subscriber modes that are channels here.
MODES = {"email", "sms", "webhook", "slack", "teams"}
# Statuspage lists one state at a time (active by default).
STATES = ("active", "unconfirmed", "quarantined")


class StatuspageSource(Source):
    kind = "statuspage"
    label = "Statuspage"

    def auth_headers(self, api_key: str) -> dict:
        return {"Authorization": f"OAuth {api_key}"}

    def read(self, *, page_id, with_subscribers) -> Snapshot:
        if not page_id:
            page_id = self.page_chosen(
                self.numbered("/pages", size_name="per_page", size=100), None
            )
        raw_page = self.client.get(f"/pages/{page_id}")
        snapshot = Snapshot(
            source_key=self.source_key(page_id),
            page=SourcePage(
                source_id=str(raw_page["id"]),
                name=text_read(raw_page.get("name")),
                slug=text_read(raw_page.get("subdomain")),
                time_zone=raw_page.get("time_zone") or "UTC",
            ),
        )
        base = f"/pages/{page_id}"
        components = [
            raw
            for raw in self.numbered(f"{base}/components", size_name="per_page", size=PER_PAGE)
            if not (isinstance(raw, dict) and raw.get("group"))  # groups come below
        ]
        groups = self.numbered(f"{base}/component-groups", size_name="per_page", size=PER_PAGE)
        structure_read(snapshot, groups, components)
        for raw in self.numbered(f"{base}/incidents", size_name="limit", size=PER_PAGE):
            if is_maintenance(raw):
                item = snapshot.read("maintenance", raw, maintenance_read)
                if item is not None:
                    snapshot.maintenances.append(item)
            else:
                item = snapshot.read("incident", raw, incident_read)
                if item is not None:
                    snapshot.incidents.append(item)
        for raw in self.numbered(f"{base}/incident_templates", size_name="per_page", size=PER_PAGE):
            item = snapshot.read("template", raw, _template)
            if item is not None:
                snapshot.templates.append(item)
        if with_subscribers:
            for state in STATES:
                for raw in self.numbered(
                    f"{base}/subscribers", size_name="limit", size=PER_PAGE, state=state
                ):
                    item = snapshot.read("subscriber", raw, lambda r, s=state: _subscriber(r, s))
                    if item is not None:
                        snapshot.subscribers.append(item)
        return snapshot


def _template(raw) -> SourceTemplate:
    """Statuspage has one kind of template; one whose status is a maintenance's is ours."""
    status = raw.get("update_status") or ""
    kind = "maintenance" if status in MAINTENANCE_STATUSES - INCIDENT_STATUSES else "incident"
    if status and status not in INCIDENT_STATUSES | MAINTENANCE_STATUSES:
        raise ValueError(f"{status!r} is not a status")
    components = [
        {"component_id": str(c["id"]), "status": component_status(c.get("status", "operational"))}
        for c in raw.get("components") or []
    ]
    return SourceTemplate(
        source_id=str(raw["id"]),
        kind=kind,
        name=text_read(raw["name"]),
        title=text_read(raw.get("title")),
        message=text_read(raw.get("body")),
        status=status,
        notify_subscribers=bool(raw.get("should_send_notifications", True)),
        components=components,
    )


def _subscriber(raw, state: str) -> SourceSubscriber:
    mode = raw.get("mode")
    if mode not in MODES:
        raise ValueError(f"subscriber mode {mode!r} has no channel here")
    return SourceSubscriber(
        source_id=str(raw["id"]),
        channel=mode,
        email=text_read(raw.get("email")),
        phone_number=text_read(raw.get("phone_number")),
        phone_country=text_read(raw.get("phone_country")),
        endpoint=text_read(raw.get("endpoint")),
        component_ids=[str(cid) for cid in raw.get("components") or []],
        # Statuspage sends only to confirmed subscribers, so a quarantined one had confirmed.
        confirmed=state != "unconfirmed",
        quarantined=state == "quarantined" or bool(raw.get("quarantined_at")),
    )
