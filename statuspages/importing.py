"""What the import services of incidents and maintenances share: the checks of an update as
another service published it (its time, what it did to components)."""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from core.validation import choice_checked, refused
from statuspages.models import ComponentStatus

MAX_UPDATES = 1000
# What an imported update's record of a component may say (``PublishedUpdate.component_statuses``).
RECORD_STATUSES = ("status", "old_status", "new_status")


def time_checked(value, *, field: str) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise refused(field, "A time with its time zone is required.")
    return value


def records_checked(entries, *, field: str) -> list[dict]:
    """``[{component_id, status?, old_status?, new_status?}]``, each status one of ours, each
    component once."""
    if isinstance(entries, str | bytes | dict) or not isinstance(entries, Iterable):
        raise refused(field, "A list of {component_id, status}.")
    records, seen = [], set()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("component_id"), str):
            raise refused(field, "Each entry is {component_id, status}.")
        if entry["component_id"] in seen:
            raise refused(field, f"Component {entry['component_id']} is listed twice.")
        seen.add(entry["component_id"])
        record = {"component_id": entry["component_id"]}
        for key in RECORD_STATUSES:
            if entry.get(key) is not None:
                record[key] = choice_checked(
                    entry[key],
                    field=field,
                    choices=ComponentStatus.values,
                    what="a component status",
                )
        records.append(record)
    return records


def updates_listed(updates, *, field: str = "updates") -> list:
    updates = list(updates)
    if len(updates) > MAX_UPDATES:
        raise refused(field, f"At most {MAX_UPDATES} updates.")
    return updates


def published_at_checked(update, previous_at, *, field: str) -> datetime:
    """An update's time: given with its zone, not before the update before it."""
    if not isinstance(update, dict):
        raise refused(field, "Each update is {status, message, published_at}.")
    published_at = time_checked(update.get("published_at"), field=f"{field}.published_at")
    if previous_at is not None and published_at < previous_at:
        raise refused(f"{field}.published_at", "Updates must be in chronological order.")
    return published_at
