from django.db import transaction

from notifications.models import NotificationEvent


def notification_event_record(
    *,
    page,
    kind: str,
    publish_key: str,
    payload: dict,
    component_ids: list[str] | None = None,
    incident_id: str | None = None,
    incident_update_id: str | None = None,
    maintenance_id: str | None = None,
    maintenance_update_id: str | None = None,
) -> NotificationEvent:
    """Record an event in the caller's transaction (it must be inside one).

    ``payload`` carries: ``page {id, name, url}``, the incident or maintenance (id, name,
    status, impact, shortlink, ...), the ``update`` (id, status, message, created_at) and
    ``components`` [{id, name, old_status, new_status}].
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notification_event_record must run inside the publishing transaction")
    return NotificationEvent.objects.create(
        page=page,
        kind=kind,
        publish_key=publish_key,
        payload=payload,
        component_ids=sorted(set(component_ids or [])),
        incident_id=incident_id,
        incident_update_id=incident_update_id,
        maintenance_id=maintenance_id,
        maintenance_update_id=maintenance_update_id,
    )
