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
    flag_checked,
    given,
    name_checked,
    text_checked,
)
from incidents.checks import (
    POSTMORTEM_MAX_LENGTH,
    component_changes_checked,
    component_entries,
    components_refused_on_resolve,
    impact_override_checked,
    retrospective_timeline_checked,
    started_at_checked,
    status_checked,
)
from incidents.models import Incident, IncidentComponent, IncidentStatus, IncidentUpdate
from incidents.shapes import incident_shape
from pagetemplates.services import incident_template_apply, template_arguments_required
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import Component, ComponentStatus
from statuspages.publishing import (
    EventKind,
    Subject,
    message_checked,
    publish_update,
    status_changes_around,
)
from statuspages.readers import audience_groups_set
from statuspages.status import effective_statuses, impact_for_statuses

CHANGEABLE_FIELDS = {"name", "impact_override", "postmortem", "started_at"}


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
    status = status_checked(arguments.get("status", IncidentStatus.INVESTIGATING))
    message = message_checked(arguments.get("message"))
    notify_subscribers = flag_checked(
        arguments.get("notify_subscribers", True), field="notify_subscribers"
    )
    component_statuses = component_entries(arguments.get("component_statuses", ()))
    components_refused_on_resolve(status, component_statuses)
    changes = component_changes_checked(page, component_statuses)
    incident = Incident(
        page=page,
        name=name,
        status=IncidentStatus.INVESTIGATING,
        impact_override=impact_override_checked(impact_override),
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
    status = status_checked(arguments["status"])
    message = message_checked(arguments.get("message"))
    notify_subscribers = flag_checked(
        arguments.get("notify_subscribers", True), field="notify_subscribers"
    )
    component_statuses = component_entries(arguments.get("component_statuses", ()))
    components_refused_on_resolve(status, component_statuses)
    changes = component_changes_checked(incident.page, component_statuses)
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
        changes["impact_override"] = impact_override_checked(changes["impact_override"])
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
        started_at_checked(incident, changes["started_at"])
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


@transaction.atomic
def incident_create_retrospective(*, page, name: str, updates: Iterable[dict]) -> Incident:
    """Record an incident that is already over, as its updates told it at the time:
    ``updates`` (``status``, ``message``, ``published_at``, ``component_statuses``) oldest
    first, the last one ``resolved``. Stored resolved and back-dated; it notifies nobody and
    changes no component's present status."""
    now = timezone.now()
    name = name_checked(name)
    updates = list(updates)
    timeline = retrospective_timeline_checked(page, updates, now)
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
        IncidentUpdate.objects.create(
            incident=incident,
            status=update["status"],
            message=update.get("message") or "",
            # What was asked of each component; the effective statuses of then are not known.
            component_statuses=[
                {"component_id": cid, "name": names[cid], "status": status}
                for cid, status in changes.items()
            ],
            notify_subscribers=False,
            created_at=update["published_at"],
        )
    IncidentComponent.objects.bulk_create(
        IncidentComponent(incident=incident, component_id=cid, status=status)
        for cid, status in statuses.items()
    )
    incident.save()
    Incident.objects.filter(pk=incident.pk).update(created_at=started_at)
    incident.created_at = started_at
    page_invalidate_on_commit(page.id)
    return incident
