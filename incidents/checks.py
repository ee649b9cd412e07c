"""What the incident services accept: each argument checked and normalised, refused with the
services' one error type (``ValidationError`` keyed by field path) that every entrance renders
in its own dialect."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.validation import choice_checked, refused
from incidents.models import Incident, IncidentStatus
from statuspages.models import ComponentStatus, Impact
from statuspages.publishing import message_checked
from statuspages.selectors import page_components_checked

POSTMORTEM_MAX_LENGTH = 100_000
MAX_COMPONENT_STATUSES = 1000


def component_entries(component_statuses) -> list:
    if isinstance(component_statuses, str | bytes | dict) or not isinstance(
        component_statuses, Iterable
    ):
        raise refused("component_statuses", "A list of {component_id, status}.")
    return list(component_statuses)


def component_changes_checked(page, component_statuses: list) -> dict[str, str]:
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


def status_checked(status) -> str:
    return choice_checked(
        status, field="status", choices=IncidentStatus.values, what="an incident status"
    )


def impact_override_checked(impact_override) -> str | None:
    if impact_override in (None, ""):
        return None
    return choice_checked(
        impact_override, field="impact_override", choices=Impact.values, what="an impact"
    )


def components_refused_on_resolve(status: str, component_statuses) -> None:
    if status == IncidentStatus.RESOLVED and component_statuses:
        raise ValidationError(
            {
                "component_statuses": [
                    "Resolving resets this incident's components to operational; "
                    "send no component_statuses with status 'resolved'."
                ]
            }
        )


def started_at_checked(incident: Incident, started_at) -> None:
    if started_at is None or started_at.tzinfo is None:
        raise ValidationError({"started_at": ["A time with its time zone is required."]})
    if started_at > timezone.now():
        raise ValidationError({"started_at": ["An incident cannot start in the future."]})
    if incident.resolved_at and started_at > incident.resolved_at:
        raise ValidationError({"started_at": ["An incident cannot start after it was resolved."]})


def retrospective_timeline_checked(
    page, updates: list[dict], now
) -> list[tuple[dict, dict[str, str]]]:
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
        changes = component_changes_checked(
            page, component_entries(update.get("component_statuses") or ())
        )
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
