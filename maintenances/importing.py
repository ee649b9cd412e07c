"""The write service for a maintenance window recorded as another service published it
(``manage.py import_page``): its updates kept as they were dated, nobody notified, and no
automatic start or completion published by the import itself."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.validation import choice_checked, flag_checked, name_checked
from maintenances.models import ACTIVE_STATUSES, Maintenance, MaintenanceStatus, MaintenanceUpdate
from maintenances.services import _check_window, _page_components
from statuspages.cache import page_invalidate_on_commit
from statuspages.importing import (
    published_at_checked,
    records_checked,
    time_checked,
    updates_listed,
)
from statuspages.publishing import message_checked, status_changes_around


def _status_checked(value, field: str) -> str:
    return choice_checked(
        value, field=field, choices=MaintenanceStatus.values, what="a maintenance status"
    )


def _timeline_checked(updates) -> list[dict]:
    timeline, previous_at = [], None
    for index, update in enumerate(updates_listed(updates)):
        field = f"updates.{index}"
        published_at = previous_at = published_at_checked(update, previous_at, field=field)
        timeline.append(
            {
                "id": update.get("id"),
                "status": _status_checked(update.get("status"), f"{field}.status"),
                "message": message_checked(update.get("message"), field=f"{field}.message"),
                "published_at": published_at,
                "component_statuses": records_checked(
                    update.get("component_statuses") or (), field=f"{field}.component_statuses"
                ),
            }
        )
    return timeline


def _first_at(timeline, statuses) -> object | None:
    return next((u["published_at"] for u in timeline if u["status"] in statuses), None)


@transaction.atomic
def maintenance_import(
    *,
    page,
    name: str,
    start_at,
    end_at,
    updates: Iterable[dict],
    component_ids: Iterable[str] = (),
    status: str | None = None,
    auto_transition: bool = True,
    maintenance: Maintenance | None = None,
    started_at=None,
    completed_at=None,
    created_at=None,
    updated_at=None,
) -> tuple[Maintenance, list[MaintenanceUpdate]]:
    """Record a maintenance window as another service published it, or record it again
    (``maintenance``, imported before): ``updates`` oldest first, each ``{status, message,
    published_at, component_statuses, id}`` where ``id`` names one of the window's updates to
    rewrite; its other updates are removed. Its status is ``status``, else the last update's;
    ``started_at`` and ``completed_at`` default to the first update that started or completed
    it. A window already due that the source had not moved keeps ``auto_transition`` off, so
    the import publishes nothing, now or later. Nobody is notified. Returns the window and
    its updates, in the order given."""
    name = name_checked(name)
    _check_window(start_at, end_at)
    timeline = _timeline_checked(updates)
    if status is None:
        if not timeline:
            raise ValidationError({"updates": ["Give the status or at least one update."]})
        status = timeline[-1]["status"]
    status = _status_checked(status, "status")
    auto_transition = flag_checked(auto_transition, field="auto_transition")
    now = timezone.now()
    if (status == MaintenanceStatus.SCHEDULED and start_at <= now) or (
        status in ACTIVE_STATUSES and end_at <= now
    ):
        auto_transition = False
    components = _page_components(page, component_ids)
    first_at = timeline[0]["published_at"] if timeline else start_at
    moments = {
        "created_at": created_at or first_at,
        "updated_at": updated_at or (timeline[-1]["published_at"] if timeline else first_at),
    }
    if status != MaintenanceStatus.SCHEDULED:
        started_at = started_at or _first_at(timeline, (*ACTIVE_STATUSES, "completed")) or start_at
    if status == MaintenanceStatus.COMPLETED:
        completed_at = completed_at or _first_at(timeline, ("completed",)) or end_at
    else:
        completed_at = None
    for field, value in {**moments, "started_at": started_at, "completed_at": completed_at}.items():
        if value is not None:
            time_checked(value, field=field)
    names = {component.id: component.name for component in components}

    existing: dict[str, MaintenanceUpdate] = {}
    was_active = False
    if maintenance is None:
        maintenance = Maintenance(page=page)
    else:
        maintenance = Maintenance.objects.select_for_update().get(pk=maintenance.pk, page=page)
        existing = {update.id: update for update in maintenance.updates.all()}
        was_active = maintenance.is_active
    before = list(maintenance.components.all()) if maintenance.pk else []
    maintenance.name = name
    maintenance.start_at, maintenance.end_at = start_at, end_at
    maintenance.status = status
    maintenance.auto_transition = auto_transition
    maintenance.started_at = started_at if status != MaintenanceStatus.SCHEDULED else None
    maintenance.completed_at = completed_at

    rows: list[MaintenanceUpdate] = []

    def write() -> None:
        maintenance.save()
        maintenance.components.set(components)
        rows.extend(_updates_written(maintenance, timeline, existing, names))
        Maintenance.objects.filter(pk=maintenance.pk).update(**moments)
        maintenance.created_at, maintenance.updated_at = (
            moments["created_at"],
            moments["updated_at"],
        )

    if was_active or maintenance.is_active:
        # Its components' present statuses move: reported as any change is (uptime).
        concerned = {c.id: c for c in [*before, *components]}
        status_changes_around(page_id=page.id, components=concerned.values(), apply=write)
    else:
        write()
    page_invalidate_on_commit(page.id)
    return maintenance, rows


def _updates_written(maintenance, timeline, existing, names) -> list[MaintenanceUpdate]:
    rows, changed, new = [], [], []
    for update in timeline:
        row = existing.pop(update["id"], None) if update["id"] else None
        if row is None:
            row = MaintenanceUpdate(maintenance=maintenance, notify_subscribers=False)
            new.append(row)
        else:
            changed.append(row)
        row.status = update["status"]
        row.message = update["message"]
        row.created_at = update["published_at"]
        # Only the window's own components, named as they are here.
        row.component_statuses = [
            {
                "component_id": record["component_id"],
                "name": names[record["component_id"]],
                **record,
            }
            for record in update["component_statuses"]
            if record["component_id"] in names
        ]
        rows.append(row)
    MaintenanceUpdate.objects.bulk_create(new)
    MaintenanceUpdate.objects.bulk_update(
        changed, ["status", "message", "created_at", "component_statuses"]
    )
    if existing:  # updates the source no longer has
        MaintenanceUpdate.objects.filter(pk__in=list(existing)).delete()
    return rows
