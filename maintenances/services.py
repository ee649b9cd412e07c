"""Every write to maintenance windows, including the automatic start and completion."""

from collections.abc import Iterable
from datetime import datetime

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
)
from maintenances.models import ACTIVE_STATUSES, Maintenance, MaintenanceStatus, MaintenanceUpdate
from maintenances.shapes import maintenance_shape
from pagetemplates.services import maintenance_template_apply, template_arguments_required
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import Component
from statuspages.publishing import (
    EventKind,
    Subject,
    message_checked,
    publish_update,
    status_changes_around,
)
from statuspages.readers import audience_groups_set
from statuspages.selectors import page_components_checked
from statuspages.status import effective_statuses

CHANGEABLE_FIELDS = {"name", "start_at", "end_at", "auto_transition", "component_ids"}
STARTED_MESSAGE = (
    "Scheduled maintenance is currently in progress. We will provide updates as necessary."
)
COMPLETED_MESSAGE = "The scheduled maintenance has been completed."


MAX_COMPONENTS = 1000


def _page_components(page, component_ids: Iterable[str]) -> list[Component]:
    if isinstance(component_ids, str | bytes | dict) or not isinstance(component_ids, Iterable):
        raise refused("component_ids", "A list of component ids.")
    component_ids = list(component_ids)
    if not all(isinstance(component_id, str) for component_id in component_ids):
        raise refused("component_ids", "A list of component ids.")
    if len(component_ids) > MAX_COMPONENTS:
        raise refused("component_ids", f"At most {MAX_COMPONENTS} components.")
    if len(set(component_ids)) != len(component_ids):
        raise ValidationError({"component_ids": ["Each component may be listed once."]})
    return list(page_components_checked(page.id, component_ids).values())


def _check_window(start_at, end_at) -> None:
    for field, moment in (("start_at", start_at), ("end_at", end_at)):
        if moment is None:
            raise refused(field, "This field is required.")
        if not isinstance(moment, datetime) or timezone.is_naive(moment):
            raise refused(field, "Give a time with its time zone.")
    if end_at <= start_at:
        raise ValidationError({"end_at": ["end_at must be after start_at."]})


def _status_checked(status) -> str:
    return choice_checked(
        status, field="status", choices=MaintenanceStatus.values, what="a maintenance status"
    )


def _event_kind(previous: str | None, status: str) -> str:
    if previous is None:
        return (
            EventKind.MAINTENANCE_SCHEDULED
            if status == MaintenanceStatus.SCHEDULED
            else (
                EventKind.MAINTENANCE_COMPLETED
                if status == MaintenanceStatus.COMPLETED
                else EventKind.MAINTENANCE_STARTED
            )
        )
    if status == MaintenanceStatus.COMPLETED and previous != status:
        return EventKind.MAINTENANCE_COMPLETED
    if status in ACTIVE_STATUSES and previous == MaintenanceStatus.SCHEDULED:
        return EventKind.MAINTENANCE_STARTED
    return EventKind.MAINTENANCE_UPDATED


def _maintenance_snapshot(maintenance: Maintenance, components: list[Component]) -> dict:
    """What the event (and so a webhook body) carries: Statuspage's scheduled maintenance as
    this publish leaves it, its components at their effective status."""
    statuses = effective_statuses(components)
    return maintenance_shape(
        maintenance,
        components=[(component, statuses[component.id]) for component in components],
        updates=MaintenanceUpdate.objects.filter(maintenance=maintenance).order_by(
            "-created_at", "-id"
        ),
    )


def _publish(
    *,
    maintenance: Maintenance,
    status: str,
    message: str,
    notify_subscribers: bool,
    previous: str | None,
) -> MaintenanceUpdate:
    """Move to ``status`` through the publishing pipeline. The caller holds the transaction."""
    components = list(maintenance.components.all())

    def apply() -> None:
        now = timezone.now()
        maintenance.status = status
        if status in ACTIVE_STATUSES and maintenance.started_at is None:
            maintenance.started_at = now
        if status == MaintenanceStatus.COMPLETED:
            maintenance.completed_at = maintenance.completed_at or now
        else:
            maintenance.completed_at = None
        maintenance.save()

    return publish_update(
        page=maintenance.page,
        subject=Subject(
            type="maintenance",
            id=maintenance.id,
            snapshot=lambda: _maintenance_snapshot(maintenance, components),
            concerned_component_ids=lambda: [c.id for c in components],
        ),
        update_model=MaintenanceUpdate,
        status=status,
        message=message,
        notify_subscribers=notify_subscribers,
        kind=_event_kind(previous, status),
        components=components,
        apply=apply,
    )


def _transition_if_due(maintenance: Maintenance, now) -> int:
    """Start a due window and complete an ended one; returns how many updates it published."""
    published = 0
    if not maintenance.auto_transition:
        return published
    if maintenance.status == MaintenanceStatus.SCHEDULED and maintenance.start_at <= now:
        _publish(
            maintenance=maintenance,
            status=MaintenanceStatus.IN_PROGRESS,
            message=STARTED_MESSAGE,
            notify_subscribers=True,
            previous=MaintenanceStatus.SCHEDULED,
        )
        published += 1
    if maintenance.status in ACTIVE_STATUSES and maintenance.end_at <= now:
        _publish(
            maintenance=maintenance,
            status=MaintenanceStatus.COMPLETED,
            message=COMPLETED_MESSAGE,
            notify_subscribers=True,
            previous=maintenance.status,
        )
        published += 1
    return published


@transaction.atomic
def maintenance_create(
    *,
    page,
    name: str = UNSET,
    start_at,
    end_at,
    message: str = UNSET,
    component_ids: Iterable[str] = UNSET,
    status: str = UNSET,
    auto_transition: bool = True,
    notify_subscribers: bool = UNSET,
    audience_group_ids: list[str] | None = None,
    template_id: str | None = None,
    template_values: dict | None = None,
) -> Maintenance:
    """Schedule a window (one created already due, with ``auto_transition``, starts at once).
    With ``template_id`` the fields not given are the template's; without, ``name`` is
    required."""
    arguments = given(
        name=name,
        message=message,
        component_ids=component_ids,
        status=status,
        notify_subscribers=notify_subscribers,
    )
    _check_window(start_at, end_at)
    if template_id is not None:
        arguments = maintenance_template_apply(
            page=page,
            template_id=template_id,
            template_values=template_values,
            explicit=arguments,
            started_at=start_at,
        )
    template_arguments_required(arguments, ["name"], template_id=template_id)
    name = name_checked(arguments["name"])
    status = _status_checked(arguments.get("status", MaintenanceStatus.SCHEDULED))
    message = message_checked(arguments.get("message"))
    notify_subscribers = flag_checked(
        arguments.get("notify_subscribers", True), field="notify_subscribers"
    )
    auto_transition = flag_checked(auto_transition, field="auto_transition")
    components = _page_components(page, arguments.get("component_ids", ()))
    maintenance = Maintenance.objects.create(
        page=page,
        name=name,
        start_at=start_at,
        end_at=end_at,
        auto_transition=auto_transition,
        status=MaintenanceStatus.SCHEDULED,
    )
    maintenance.components.set(components)
    if audience_group_ids:  # before the publish: its notifications go to these readers alone
        audience_groups_set(item=maintenance, group_ids=audience_group_ids)
    _publish(
        maintenance=maintenance,
        status=status,
        message=message,
        notify_subscribers=notify_subscribers,
        previous=None,
    )
    _transition_if_due(maintenance, timezone.now())
    return maintenance


def _locked(maintenance: Maintenance) -> Maintenance:
    return (
        Maintenance.objects.select_for_update(of=("self",))
        .select_related("page")
        .get(pk=maintenance.pk)
    )


@transaction.atomic
def maintenance_update_publish(
    *,
    maintenance: Maintenance,
    status: str = UNSET,
    message: str = UNSET,
    notify_subscribers: bool = UNSET,
    template_id: str | None = None,
    template_values: dict | None = None,
) -> MaintenanceUpdate:
    """Publish an update and move the window to its status; with ``template_id`` the fields
    not given are the template's (``status`` is required otherwise)."""
    maintenance = _locked(maintenance)
    arguments = given(status=status, message=message, notify_subscribers=notify_subscribers)
    if template_id is not None:
        arguments = maintenance_template_apply(
            page=maintenance.page,
            template_id=template_id,
            template_values=template_values,
            explicit=arguments,
            started_at=maintenance.start_at,
            current_component_ids=maintenance.components.values_list("id", flat=True),
            with_name=False,
        )
    template_arguments_required(arguments, ["status"], template_id=template_id)
    return _publish(
        maintenance=maintenance,
        status=_status_checked(arguments["status"]),
        message=message_checked(arguments.get("message")),
        notify_subscribers=flag_checked(
            arguments.get("notify_subscribers", True), field="notify_subscribers"
        ),
        previous=maintenance.status,
    )


@transaction.atomic
def maintenance_change(
    *, maintenance: Maintenance, audience_group_ids: list[str] | None = None, **changes
) -> Maintenance:
    unknown = set(changes) - CHANGEABLE_FIELDS
    if unknown:
        raise TypeError(f"maintenance_change got unknown fields: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = name_checked(changes["name"])
    if "auto_transition" in changes:
        changes["auto_transition"] = flag_checked(
            changes["auto_transition"], field="auto_transition"
        )
    maintenance = _locked(maintenance)
    component_ids = changes.pop("component_ids", None)
    for name, value in changes.items():
        setattr(maintenance, name, value)
    _check_window(maintenance.start_at, maintenance.end_at)
    maintenance.save()
    if component_ids is not None:
        listed = _page_components(maintenance.page, component_ids)
        # A running window's new or dropped components change their effective status.
        status_changes_around(
            page_id=maintenance.page_id,
            components={c.id: c for c in [*maintenance.components.all(), *listed]}.values(),
            apply=lambda: maintenance.components.set(listed),
        )
    if audience_group_ids is not None:
        audience_groups_set(item=maintenance, group_ids=audience_group_ids)
    page_invalidate_on_commit(maintenance.page_id)
    _transition_if_due(maintenance, timezone.now())
    return maintenance


@transaction.atomic
def maintenance_delete(*, maintenance: Maintenance) -> None:
    page_invalidate_on_commit(maintenance.page_id)
    status_changes_around(
        page_id=maintenance.page_id,
        components=list(maintenance.components.all()),
        apply=maintenance.delete,
    )


def maintenances_auto_transition(*, now=None) -> int:
    """Start due windows and complete ended ones, each in its own transaction. Idempotent and
    safe to run concurrently: each window is re-read under a lock and re-checked."""
    now = now or timezone.now()
    due = Maintenance.objects.filter(auto_transition=True).filter(
        status=MaintenanceStatus.SCHEDULED, start_at__lte=now
    ) | Maintenance.objects.filter(
        auto_transition=True, status__in=ACTIVE_STATUSES, end_at__lte=now
    )
    published = 0
    for maintenance_id in due.order_by("start_at").values_list("id", flat=True)[:500]:
        with transaction.atomic():
            maintenance = (
                Maintenance.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("page")
                .filter(id=maintenance_id)
                .first()
            )
            if maintenance is not None:
                published += _transition_if_due(maintenance, now)
    return published
