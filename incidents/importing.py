"""The write service for an incident recorded as another service published it (``manage.py
import_page``): its updates kept as they were dated, its present state the source's, and
nobody notified. One transaction, like every service."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from core.validation import choice_checked, name_checked, text_checked
from incidents.checks import POSTMORTEM_MAX_LENGTH, impact_override_checked
from incidents.models import Incident, IncidentComponent, IncidentStatus, IncidentUpdate
from statuspages.cache import page_invalidate_on_commit
from statuspages.importing import (
    published_at_checked,
    records_checked,
    time_checked,
    updates_listed,
)
from statuspages.models import Component, ComponentStatus, Impact
from statuspages.publishing import message_checked, status_changes_around
from statuspages.selectors import page_components_checked
from statuspages.status import impact_for_statuses


def _timeline_checked(updates) -> list[dict]:
    """Each update checked, oldest first: ``{status, message, published_at,
    component_statuses, id}``."""
    updates = updates_listed(updates)
    if not updates:
        raise ValidationError({"updates": ["An incident needs at least one update."]})
    timeline, previous_at = [], None
    for index, update in enumerate(updates):
        field = f"updates.{index}"
        published_at = previous_at = published_at_checked(update, previous_at, field=field)
        timeline.append(
            {
                "id": update.get("id"),
                "status": choice_checked(
                    update.get("status"),
                    field=f"{field}.status",
                    choices=IncidentStatus.values,
                    what="an incident status",
                ),
                "message": message_checked(update.get("message"), field=f"{field}.message"),
                "published_at": published_at,
                "component_statuses": records_checked(
                    update.get("component_statuses") or (), field=f"{field}.component_statuses"
                ),
            }
        )
    return timeline


def _follow(incident: Incident, status: str, at) -> None:
    """``monitoring_at`` and ``resolved_at`` as the publishing path sets them, at ``at``."""
    if status == IncidentStatus.MONITORING and incident.status != IncidentStatus.MONITORING:
        incident.monitoring_at = at
    elif status in (IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED):
        incident.monitoring_at = None
    if status == IncidentStatus.RESOLVED:
        if incident.status != IncidentStatus.RESOLVED:
            incident.resolved_at = at
    else:
        incident.resolved_at = None
    incident.status = status


@transaction.atomic
def incident_import(
    *,
    page,
    name: str,
    updates: Iterable[dict],
    incident: Incident | None = None,
    components: Iterable[dict] | None = None,
    impact: str | None = None,
    impact_override: str | None = None,
    postmortem: str = "",
    postmortem_published_at=None,
    started_at=None,
    created_at=None,
    updated_at=None,
) -> tuple[Incident, list[IncidentUpdate]]:
    """Record an incident as another service published it, or record it again (``incident``,
    imported before): ``updates`` oldest first, each ``{status, message, published_at,
    component_statuses [{component_id, status, old_status, new_status}], id}`` where ``id``
    names one of the incident's updates to rewrite; the incident's other updates are removed.

    The status, ``monitoring_at`` and ``resolved_at`` follow the updates, at their times.
    ``components`` (``[{component_id, status}]``) are the incident's components as the source
    shows them now; without, what the updates asked (``status``, else ``new_status``).
    Resolved, every component is back to operational within it. ``impact``: what the source
    recorded (kept; ours is derived from components the source may not have listed).
    Nobody is notified; components' effective statuses change as the incident says.
    Returns the incident and its updates, in the order given."""
    name = name_checked(name)
    timeline = _timeline_checked(updates)
    present = records_checked(components or (), field="components")
    impact_override = impact_override_checked(impact_override)
    if impact is not None:
        impact = choice_checked(impact, field="impact", choices=Impact.values, what="an impact")
    postmortem = text_checked(postmortem, field="postmortem", max_length=POSTMORTEM_MAX_LENGTH)
    moments = {
        "started_at": started_at or timeline[0]["published_at"],
        "created_at": created_at or timeline[0]["published_at"],
        "updated_at": updated_at or timeline[-1]["published_at"],
    }
    for field, value in moments.items():
        time_checked(value, field=field)
    if postmortem_published_at is not None:
        time_checked(postmortem_published_at, field="postmortem_published_at")

    mentioned = {r["component_id"] for u in timeline for r in u["component_statuses"]}
    mentioned |= {r["component_id"] for r in present}
    found = page_components_checked(page.id, mentioned, field="component_statuses")

    # The statuses within this incident: as the updates asked, then as the source shows now.
    # The impact derived as publishing would have: frozen when it resolved.
    statuses: dict[str, str] = {}
    derived = Impact.NONE
    for update in timeline:
        if update["status"] == IncidentStatus.RESOLVED:
            statuses = dict.fromkeys(statuses, ComponentStatus.OPERATIONAL)
            continue
        for record in update["component_statuses"]:
            asked = record.get("status") or record.get("new_status")
            if asked is not None:
                statuses[record["component_id"]] = asked
        derived = impact_for_statuses(statuses.values())
    for record in present:
        statuses[record["component_id"]] = record.get("status") or ComponentStatus.OPERATIONAL
    if timeline[-1]["status"] == IncidentStatus.RESOLVED:
        statuses = dict.fromkeys(statuses, ComponentStatus.OPERATIONAL)
    else:
        derived = impact_for_statuses(statuses.values())

    existing: dict[str, IncidentUpdate] = {}
    links: dict[str, IncidentComponent] = {}
    was_unresolved = False
    if incident is None:
        incident = Incident(page=page, status="")
    else:
        incident = Incident.objects.select_for_update().get(pk=incident.pk, page=page)
        existing = {update.id: update for update in incident.updates.all()}
        links = {link.component_id: link for link in incident.component_links.all()}
        was_unresolved = not incident.is_resolved
        incident.status, incident.monitoring_at, incident.resolved_at = "", None, None
    for update in timeline:
        _follow(incident, update["status"], update["published_at"])
    incident.name = name
    incident.started_at = moments["started_at"]
    incident.impact_override = impact_override
    incident.component_impact = impact or derived
    incident.impact = impact_override or incident.component_impact
    incident.postmortem = postmortem
    incident.postmortem_published_at = postmortem_published_at if postmortem else None

    def write() -> list[IncidentUpdate]:
        incident.save()
        rows = _updates_written(incident, timeline, existing, found)
        _links_written(incident, statuses, links, found)
        # Its own times, as the source published it (auto_now fields take no given value).
        Incident.objects.filter(pk=incident.pk).update(
            created_at=moments["created_at"], updated_at=moments["updated_at"]
        )
        incident.created_at, incident.updated_at = moments["created_at"], moments["updated_at"]
        return rows

    rows: list[IncidentUpdate] = []
    if was_unresolved or not incident.is_resolved:
        # Its components' present statuses move: reported as any change is (uptime).
        concerned = {c.id: c for c in found.values()}
        concerned.update(
            (c.id, c) for c in Component.objects.filter(id__in=set(links) - set(concerned))
        )
        status_changes_around(
            page_id=page.id, components=concerned.values(), apply=lambda: rows.extend(write())
        )
    else:
        rows = write()
    page_invalidate_on_commit(page.id)
    return incident, rows


def _updates_written(incident, timeline, existing, found) -> list[IncidentUpdate]:
    rows, changed, new = [], [], []
    for update in timeline:
        row = existing.pop(update["id"], None) if update["id"] else None
        values = {
            "status": update["status"],
            "message": update["message"],
            "created_at": update["published_at"],
            "component_statuses": [
                {"component_id": r["component_id"], "name": found[r["component_id"]].name, **r}
                for r in update["component_statuses"]
            ],
        }
        if row is None:
            row = IncidentUpdate(incident=incident, notify_subscribers=False, **values)
            new.append(row)
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
        rows.append(row)
    IncidentUpdate.objects.bulk_create(new)
    IncidentUpdate.objects.bulk_update(
        changed, ["status", "message", "created_at", "component_statuses"]
    )
    if existing:  # updates the source no longer has
        IncidentUpdate.objects.filter(pk__in=list(existing)).delete()
    return rows


def _links_written(incident, statuses: dict[str, str], links: dict, found: dict) -> None:
    new, changed = [], []
    for component_id, status in statuses.items():
        link = links.pop(component_id, None)
        if link is None:
            new.append(
                IncidentComponent(incident=incident, component=found[component_id], status=status)
            )
        elif link.status != status:
            link.status = status
            changed.append(link)
    IncidentComponent.objects.bulk_create(new)
    IncidentComponent.objects.bulk_update(changed, ["status"])
    if links:  # components the incident no longer lists
        IncidentComponent.objects.filter(pk__in=[link.pk for link in links.values()]).delete()
