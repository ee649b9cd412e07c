"""Statuspage's objects as its v1 API and its public v2 JSON both publish them: a component
list (groups among them or beside it), an incident with its updates, a scheduled maintenance."""

from imports.snapshot import (
    Snapshot,
    SourceComponent,
    SourceGroup,
    SourceIncident,
    SourceMaintenance,
    SourceUpdate,
    date_read,
    ordered,
    text_read,
    time_read,
)

COMPONENT_STATUSES = {
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
IMPACTS = {"none", "minor", "major", "critical"}


def _choice(value, choices: set[str], what: str) -> str:
    if value not in choices:
        raise ValueError(f"{value!r} is not {what}")
    return value


def component_status(value) -> str:
    return _choice(value, COMPONENT_STATUSES, "a component status")


def incident_status(value) -> str:
    # A published postmortem shows as "postmortem": the incident is resolved.
    return _choice("resolved" if value == "postmortem" else value, INCIDENT_STATUSES, "a status")


def structure_read(snapshot: Snapshot, groups_raw: list, components_raw: list) -> None:
    """Groups and components into ``snapshot``, positions as the source orders them: groups by
    position, each group's components in its list's order, the ungrouped by position."""
    groups = [
        g
        for g in (snapshot.read("group", raw, _group) for raw in ordered(groups_raw, _position))
        if g is not None
    ]
    members = {}
    for index, (group, members_raw) in enumerate(groups):
        group.position = index
        snapshot.groups.append(group)
        for position, component_id in enumerate(members_raw):
            members[component_id] = (group.source_id, position)
    grouped_next: dict[str, int] = {g.source_id: len(m) for g, m in groups}
    ungrouped = 0
    for raw in ordered(components_raw, _position):
        component = snapshot.read("component", raw, _component)
        if component is None:
            continue
        if component.source_id in members:
            component.group_id, component.position = members[component.source_id]
        elif component.group_id in grouped_next:
            component.position = grouped_next[component.group_id]
            grouped_next[component.group_id] += 1
        else:
            component.group_id, component.position = None, ungrouped
            ungrouped += 1
        snapshot.components.append(component)


def _position(raw):
    return raw.get("position") if isinstance(raw, dict) else None


def _group(raw) -> tuple[SourceGroup, list[str]]:
    members = raw.get("components") or []
    if not all(isinstance(member, str) for member in members):
        raise TypeError("a group's components are ids")
    group = SourceGroup(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        description=text_read(raw.get("description")),
        position=0,
    )
    return group, members


def _component(raw) -> SourceComponent:
    return SourceComponent(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        description=text_read(raw.get("description")),
        group_id=raw.get("group_id"),
        position=0,
        status=component_status(raw.get("status", "operational")),
        showcase=bool(raw.get("showcase", True)),
        only_show_if_degraded=bool(raw.get("only_show_if_degraded", False)),
        start_date=date_read(raw.get("start_date")),
    )


def is_maintenance(raw) -> bool:
    """Statuspage lists scheduled maintenances as incidents with ``scheduled_for``."""
    return isinstance(raw, dict) and bool(raw.get("scheduled_for"))


def _updates(raw, status_read) -> list[SourceUpdate]:
    updates = [
        SourceUpdate(
            source_id=str(update["id"]),
            status=status_read(update["status"]),
            message=text_read(update.get("body")),
            published_at=time_read(update.get("display_at") or update["created_at"]),
            components=[
                {
                    "component_id": str(affected["code"]),
                    "old_status": component_status(affected["old_status"])
                    if affected.get("old_status")
                    else None,
                    "new_status": component_status(affected["new_status"])
                    if affected.get("new_status")
                    else None,
                }
                for affected in update.get("affected_components") or []
            ],
        )
        for update in raw["incident_updates"]
    ]
    # Statuspage lists them newest first.
    return sorted(reversed(updates), key=lambda update: update.published_at)


def incident_read(raw) -> SourceIncident:
    impact = raw.get("impact")
    return SourceIncident(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        updates=_updates(raw, incident_status),
        impact=_choice(impact, IMPACTS, "an impact") if impact is not None else None,
        impact_override=raw.get("impact_override") or None,
        started_at=time_read(raw.get("started_at")),
        created_at=time_read(raw.get("created_at")),
        updated_at=time_read(raw.get("updated_at")),
        postmortem=text_read(raw.get("postmortem_body")),
        postmortem_published_at=time_read(raw.get("postmortem_published_at")),
        components=[
            {"component_id": str(c["id"]), "status": component_status(c["status"])}
            for c in raw.get("components") or []
        ],
    )


def maintenance_status(value) -> str:
    return _choice(value, MAINTENANCE_STATUSES, "a maintenance status")


def maintenance_read(raw, *, auto_transition: bool | None = None) -> SourceMaintenance:
    if auto_transition is None:
        auto_transition = bool(
            raw.get("scheduled_auto_in_progress", raw.get("auto_transition_to_maintenance_state"))
        )
    return SourceMaintenance(
        source_id=str(raw["id"]),
        name=text_read(raw["name"]),
        status=maintenance_status(raw["status"]),
        start_at=time_read(raw["scheduled_for"]),
        end_at=time_read(raw["scheduled_until"]),
        updates=_updates(raw, maintenance_status),
        component_ids=[str(c["id"]) for c in raw.get("components") or []],
        auto_transition=auto_transition,
        created_at=time_read(raw.get("created_at")),
        updated_at=time_read(raw.get("updated_at")),
    )
