"""Published events, recorded for fan-out in the transaction that published them.

``publish_key`` (the update's id) is unique, so one publish is never two events.
"""

from django.db import transaction

from notifications.models import NotificationEvent
from statuspages.publishing import PublishedEvent


def notification_event_record(event: PublishedEvent) -> NotificationEvent:
    """Record a published event in its publishing transaction (it must be inside one)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notification_event_record must run inside the publishing transaction")
    record = NotificationEvent.objects.create(
        page_id=event.page.id,
        kind=event.kind,
        publish_key=event.publish_key,
        payload=event.as_payload(),
        component_ids=sorted(set(event.component_ids)),
        incident_id=event.incident_id,
        incident_update_id=event.incident_update_id,
        maintenance_id=event.maintenance_id,
        maintenance_update_id=event.maintenance_update_id,
    )
    return record
