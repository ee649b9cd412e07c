"""Every write to incidents: create, publish an update, resolve, change, delete.

Each is one transaction that also derives the incident's impact, records the notification
event (when subscribers are to be told) and invalidates the page's public documents on commit.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.validation import (
    UNSET,
    choice_checked,
    flag_checked,
    given,
    name_checked,
    refused,
    text_checked,
)
from incidents.models import Incident, IncidentComponent, IncidentStatus, IncidentUpdate
from incidents.shapes import incident_shape
from pagetemplates.services import incident_template_apply, template_arguments_required
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import Component, ComponentStatus, Impact
from statuspages.publishing import (
    EventKind,
    Subject,
    message_checked,
    publish_update,
    status_changes_around,
)
from statuspages.readers import audience_groups_set
from statuspages.selectors import page_components_checked
from statuspages.status import effective_statuses, impact_for_statuses

CHANGEABLE_FIELDS = {"name", "impact_override", "postmortem", "started_at"}


POSTMORTEM_MAX_LENGTH = 100_000
MAX_COMPONENT_STATUSES = 1000


def _entries(component_statuses) -> list:
    if isinstance(component_statuses, str | bytes | dict) or not isinstance(
        component_statuses, Iterable
    ):
        raise refused("component_statuses", "A list of {component_id, status}.")
    return list(component_statuses)


def _component_changes(page, component_statuses: list) -> dict[str, str]:
    """``{component_id: status}`` from ``[{component_id, status}]``, checked against the page."""
    if len(component_statuses) > MAX_COMPONENT_STATUSES:
        raise refused("component_statuses", f"At most {MAX_COMPONENT_STATUSES} components.")
    changes: dict[str, str] = {}
    for entry in component_statuses:
        if not isinstance(entry, dict) or not isinstance(entry.get("component_id"), str):
            raise refused("component_statuses", "Each entry is {component_id, status}.")
        component_id, status = entry["component_id"], entry.get("status")
        if component_id in changes:
            raise refused("component_statuses", f"Component {component_id} is listed twice.")
        if status not in ComponentStatus.values:
            raise refused("component_statuses", f"'{status}' is not a component status.")
        changes[component_id] = status
    page_components_checked(page.id, changes, field="component_statuses")
    return changes


def _status_checked(status) -> str:
    return choice_checked(
        status, field="status", choices=IncidentStatus.values, what="an incident status"
    )


def _impact_override_checked(impact_override) -> str | None:
    if impact_override in (None, ""):
        return None
    return choice_checked(
        impact_override, field="impact_override", choices=Impact.values, what="an impact"
    )


def _follow_status(incident: Incident, status: str, now) -> None:
    """``monitoring_at`` and ``resolved_at`` follow the status; reopening clears ``resolved_at``."""
    previous = incident.status
    incident.status = status
    if status == IncidentStatus.MONITORING and previous != IncidentStatus.MONITORING:
        incident.monitoring_at = now
    elif status in (IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED):
        incident.monitoring_at = None
    if status == IncidentStatus.RESOLVED:
        if previous != IncidentStatus.RESOLVED:
            incident.resolved_at = now
    else:
        incident.resolved_at = None


def _derive_impact(incident: Incident, link_statuses: Iterable[str]) -> None:
    if not incident.is_resolved:
        incident.component_impact = impact_for_statuses(link_statuses)
    incident.impact = incident.impact_override or incident.component_impact


def _incident_snapshot(incident: Incident, links: Iterable[IncidentComponent]) -> dict:
    """What the event (and so a webhook body) carries: Statuspage's incident as this publish
    leaves it, its components at their effective status as the public documents show them."""
    components = [link.component for link in links]
    statuses = effective_statuses(components)
    return incident_shape(
        incident,
        components=[(component, statuses[component.id]) for component in components],
        updates=IncidentUpdate.objects.filter(incident=incident).order_by("-created_at", "-id"),
    )


def _publish(
    *,
    incident: Incident,
    status: str,
    message: str,
    changes: dict[str, str],
    notify_subscribers: bool,
    kind: str,
) -> IncidentUpdate:
    """Apply ``changes`` (component id → status within this incident) and the new status
    through the publishing pipeline. The caller holds the transaction."""
    links = {
        link.component_id: link for link in incident.component_links.select_related("component")
    }
    if status == IncidentStatus.RESOLVED:
        changes = dict.fromkeys(links, ComponentStatus.OPERATIONAL)
    components = {c.id: c for c in Component.objects.filter(id__in=set(changes))}

    def apply() -> None:
        new_links, changed_links = [], []
        for component_id, component_status in changes.items():
            link = links.get(component_id)
            if link is None:
                link = IncidentComponent(
                    incident=incident, component=components[component_id], status=component_status
                )
                links[component_id] = link
                new_links.append(link)
            elif link.status != component_status:
                link.status = component_status
                changed_links.append(link)
        IncidentComponent.objects.bulk_create(new_links)
        IncidentComponent.objects.bulk_update(changed_links, ["status"])
        _follow_status(incident, status, timezone.now())
        _derive_impact(incident, [link.status for link in links.values()])
        incident.save()

    return publish_update(
        page=incident.page,
        subject=Subject(
            type="incident",
            id=incident.id,
            snapshot=lambda: _incident_snapshot(incident, links.values()),
            concerned_component_ids=lambda: links.keys(),
        ),
        update_model=IncidentUpdate,
        status=status,
        message=message,
        notify_subscribers=notify_subscribers,
        kind=kind,
        components=components.values(),
        apply=apply,
        requested=changes,
    )


def _reject_components_on_resolve(status: str, component_statuses) -> None:
    if status == IncidentStatus.RESOLVED and component_statuses:
        raise ValidationError(
            {
                "component_statuses": [
                    "Resolving resets this incident's components to operational; "
                    "send no component_statuses with status 'resolved'."
                ]
            }
        )


@transaction.atomic
def incident_create(
    *,
    page,
    name: str = UNSET,
    status: str = UNSET,
    message: str = UNSET,
    component_statuses: Iterable[dict] = UNSET,
    impact_override: str | None = None,
    notify_subscribers: bool = UNSET,
    started_at=None,
    audience_group_ids: list[str] | None = None,
    template_id: str | None = None,
    template_values: dict | None = None,
) -> Incident:
    """Open an incident. With ``template_id`` (a template of the page) the fields not given
    are the template's, its title and message rendered with ``template_values``; without,
    ``name`` is required and the rest default (investigating, no message, no components,
    subscribers notified)."""
    arguments = given(
        name=name,
        status=status,
        message=message,
        component_statuses=component_statuses,
        notify_subscribers=notify_subscribers,
    )
    if template_id is not None:
        arguments = incident_template_apply(
            page=page,
            template_id=template_id,
            template_values=template_values,
            explicit=arguments,
            resolving_status=IncidentStatus.RESOLVED,
            started_at=started_at or timezone.now(),
        )
    template_arguments_required(arguments, ["name"], template_id=template_id)
    name = name_checked(arguments["name"])
    status = _status_checked(arguments.get("status", IncidentStatus.INVESTIGATING))
    message = message_checked(arguments.get("message"))
    notify_subscribers = flag_checked(
        arguments.get("notify_subscribers", True), field="notify_subscribers"
    )
    component_statuses = _entries(arguments.get("component_statuses", ()))
    _reject_components_on_resolve(status, component_statuses)
    changes = _component_changes(page, component_statuses)
    incident = Incident(
        page=page,
        name=name,
        status=IncidentStatus.INVESTIGATING,
        impact_override=_impact_override_checked(impact_override),
        started_at=started_at or timezone.now(),
    )
    incident.save()
    if audience_group_ids:  # before the publish: its notifications go to these readers alone
        audience_groups_set(item=incident, group_ids=audience_group_ids)
    _publish(
        incident=incident,
        status=status,
        message=message,
        changes=changes,
        notify_subscribers=notify_subscribers,
        kind=EventKind.INCIDENT_CREATED,
    )
    return incident


def _locked(incident: Incident) -> Incident:
    """Re-read the incident under a row lock, so concurrent updates apply one after another."""
    return (
        Incident.objects.select_for_update(of=("self",)).select_related("page").get(pk=incident.pk)
    )


@transaction.atomic
def incident_update_publish(
    *,
    incident: Incident,
    status: str = UNSET,
    message: str = UNSET,
    component_statuses: Iterable[dict] = UNSET,
    notify_subscribers: bool = UNSET,
    template_id: str | None = None,
    template_values: dict | None = None,
) -> IncidentUpdate:
    """Publish an update; ``component_statuses`` merge into the incident's. ``resolved``
    resets every component of this incident to operational (and must carry none). With
    ``template_id``, the fields not given are the template's (``status`` is required
    otherwise)."""
    incident = _locked(incident)
    arguments = given(
        status=status,
        message=message,
        component_statuses=component_statuses,
        notify_subscribers=notify_subscribers,
    )
    if template_id is not None:
        arguments = incident_template_apply(
            page=incident.page,
            template_id=template_id,
            template_values=template_values,
            explicit=arguments,
            resolving_status=IncidentStatus.RESOLVED,
            started_at=incident.started_at,
            current_component_ids=incident.component_links.values_list("component_id", flat=True),
            with_name=False,
        )
    template_arguments_required(arguments, ["status"], template_id=template_id)
    status = _status_checked(arguments["status"])
    message = message_checked(arguments.get("message"))
    notify_subscribers = flag_checked(
        arguments.get("notify_subscribers", True), field="notify_subscribers"
    )
    component_statuses = _entries(arguments.get("component_statuses", ()))
    _reject_components_on_resolve(status, component_statuses)
    changes = _component_changes(incident.page, component_statuses)
    if status == IncidentStatus.RESOLVED:
        kind = EventKind.INCIDENT_RESOLVED
    else:
        kind = EventKind.INCIDENT_UPDATED
    return _publish(
        incident=incident,
        status=status,
        message=message,
        changes=changes,
        notify_subscribers=notify_subscribers,
        kind=kind,
    )


def incident_resolve(
    *, incident: Incident, message: str = "", notify_subscribers: bool = True
) -> IncidentUpdate:
    return incident_update_publish(
        incident=incident,
        status=IncidentStatus.RESOLVED,
        message=message,
        notify_subscribers=notify_subscribers,
    )


def _check_started_at(incident: Incident, started_at) -> None:
    if started_at is None or started_at.tzinfo is None:
        raise ValidationError({"started_at": ["A time with its time zone is required."]})
    if started_at > timezone.now():
        raise ValidationError({"started_at": ["An incident cannot start in the future."]})
    if incident.resolved_at and started_at > incident.resolved_at:
        raise ValidationError({"started_at": ["An incident cannot start after it was resolved."]})


@transaction.atomic
def incident_change(
    *, incident: Incident, audience_group_ids: list[str] | None = None, **changes
) -> Incident:
    """Change ``name``, ``impact_override``, ``postmortem`` (the last only once resolved) or
    ``started_at`` (not in the future, not after the incident was resolved), or the reader
    groups it is limited to (audience pages)."""
    unknown = set(changes) - CHANGEABLE_FIELDS
    if unknown:
        raise TypeError(f"incident_change got unknown fields: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = name_checked(changes["name"])
    if "impact_override" in changes:
        changes["impact_override"] = _impact_override_checked(changes["impact_override"])
    if "postmortem" in changes:
        changes["postmortem"] = text_checked(
            changes["postmortem"], field="postmortem", max_length=POSTMORTEM_MAX_LENGTH
        )
    incident = _locked(incident)
    if changes.get("postmortem") and not incident.is_resolved:
        raise ValidationError(
            {"postmortem": ["A postmortem can be added once the incident is resolved."]}
        )
    if "started_at" in changes:
        _check_started_at(incident, changes["started_at"])
    for name, value in changes.items():
        setattr(incident, name, value)
    if "impact_override" in changes:
        incident.impact_override = changes["impact_override"] or None
        _derive_impact(incident, incident.component_links.values_list("status", flat=True))
    if "postmortem" in changes:
        incident.postmortem = changes["postmortem"] or ""
        incident.postmortem_published_at = timezone.now() if incident.postmortem else None
    incident.save()
    if audience_group_ids is not None:
        audience_groups_set(item=incident, group_ids=audience_group_ids)
    page_invalidate_on_commit(incident.page_id)
    return incident


@transaction.atomic
def incident_delete(*, incident: Incident) -> None:
    """Deleting an incident also removes what it did to its components' statuses."""
    page_invalidate_on_commit(incident.page_id)
    status_changes_around(
        page_id=incident.page_id,
        components=Component.objects.filter(incident_links__incident=incident),
        apply=incident.delete,
    )


def incident_create_from_template(
    *, page, template_id: str, template_values: dict | None = None, **explicit
) -> Incident:
    """``incident_create`` with a template (kept for callers written before it took one)."""
    return incident_create(
        page=page, template_id=template_id, template_values=template_values, **explicit
    )


def incident_update_publish_from_template(
    *, incident: Incident, template_id: str, template_values: dict | None = None, **explicit
) -> IncidentUpdate:
    """``incident_update_publish`` with a template (kept for callers written before it took
    one)."""
    return incident_update_publish(
        incident=incident, template_id=template_id, template_values=template_values, **explicit
    )


def _retrospective_timeline(page, updates: list[dict], now) -> list[tuple[dict, dict[str, str]]]:
    """Each update with its checked ``{component_id: status}``; refuses a timeline that is not
    past, chronological and ending resolved."""
    if not updates:
        raise ValidationError({"updates": ["A retrospective incident needs at least one update."]})
    timeline, previous_at = [], None
    for index, update in enumerate(updates):
        field = f"updates.{index}"
        if not isinstance(update, dict):
            raise refused(field, "Each update is {status, message, published_at}.")
        update["message"] = message_checked(update.get("message"), field=f"{field}.message")
        status, published_at = update.get("status"), update.get("published_at")
        if status not in IncidentStatus.values:
            raise ValidationError(
                {f"{field}.status": [f"Use one of: {', '.join(IncidentStatus.values)}."]}
            )
        if published_at is None or published_at > now:
            raise ValidationError({f"{field}.published_at": ["Must be a time in the past."]})
        if previous_at is not None and published_at < previous_at:
            raise ValidationError(
                {f"{field}.published_at": ["Updates must be in chronological order."]}
            )
        previous_at = published_at
        changes = _component_changes(page, _entries(update.get("component_statuses") or ()))
        if status == IncidentStatus.RESOLVED and set(changes.values()) - {"operational"}:
            raise ValidationError(
                {
                    f"{field}.component_statuses": [
                        "Resolving leaves every component operational within this incident."
                    ]
                }
            )
        timeline.append((update, changes))
    if updates[-1]["status"] != IncidentStatus.RESOLVED:
        raise ValidationError(
            {f"updates.{len(updates) - 1}.status": ["The last update must resolve the incident."]}
        )
    return timeline


@transaction.atomic
def incident_create_retrospective(*, page, name: str, updates: Iterable[dict]) -> Incident:
    """Record an incident that is already over, as its updates told it at the time:
    ``updates`` (``status``, ``message``, ``published_at``, ``component_statuses``) oldest
    first, the last one ``resolved``. Stored resolved and back-dated; it notifies nobody and
    changes no component's present status."""
    now = timezone.now()
    name = name_checked(name)
    updates = list(updates)
    timeline = _retrospective_timeline(page, updates, now)
    names = dict(
        Component.objects.filter(
            page=page, id__in={cid for _, changes in timeline for cid in changes}
        ).values_list("id", "name")
    )
    started_at = timeline[0][0]["published_at"]
    incident = Incident.objects.create(
        page=page, name=name, status=IncidentStatus.INVESTIGATING, started_at=started_at
    )
    statuses: dict[str, str] = {}
    for update, changes in timeline:
        if update["status"] == IncidentStatus.RESOLVED:
            changes = dict.fromkeys(statuses, ComponentStatus.OPERATIONAL)
        statuses.update(changes)
        _follow_status(incident, update["status"], update["published_at"])
        _derive_impact(incident, statuses.values())
        row = IncidentUpdate.objects.create(
            incident=incident,
            status=update["status"],
            message=update.get("message") or "",
            # What was asked of each component; the effective statuses of then are not known.
            component_statuses=[
                {"component_id": cid, "name": names[cid], "status": status}
                for cid, status in changes.items()
            ],
            notify_subscribers=False,
        )
        IncidentUpdate.objects.filter(pk=row.pk).update(created_at=update["published_at"])
    IncidentComponent.objects.bulk_create(
        IncidentComponent(incident=incident, component_id=cid, status=status)
        for cid, status in statuses.items()
    )
    incident.save()
    Incident.objects.filter(pk=incident.pk).update(created_at=started_at)
    incident.created_at = started_at
    page_invalidate_on_commit(page.id)
    return incident
