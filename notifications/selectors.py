"""Reads for the delivery and notification-event endpoints (the caller already checked the
page)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, QuerySet
from django.http import Http404

from notifications.models import Delivery, DeliveryStatus, NotificationEvent


def deliveries_for_page(
    page,
    *,
    subscriber_id: str | None = None,
    incident_id: str | None = None,
    status: str | None = None,
) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(page=page)
    if subscriber_id:
        deliveries = deliveries.filter(subscriber_id=subscriber_id)
    if incident_id:
        deliveries = deliveries.filter(incident_id=incident_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def events_for_page(
    page, *, incident_id: str | None = None, maintenance_id: str | None = None
) -> QuerySet[NotificationEvent]:
    events = NotificationEvent.objects.filter(page=page)
    if incident_id:
        events = events.filter(incident_id=incident_id)
    if maintenance_id:
        events = events.filter(maintenance_id=maintenance_id)
    return events


def event_for_page(page, event_id: str) -> NotificationEvent:
    event = NotificationEvent.objects.filter(page=page, id=event_id).first()
    if event is None:
        raise Http404("Notification event not found.")
    return event


@dataclass(frozen=True)
class DeliveryProgress:
    """How far an event's notifications have got."""

    counts: dict[str, int]  # by delivery status, every status present (0 when none)
    last_sent_at: datetime | None
    # Seconds from the publish to the last delivery sent, once none is left to send.
    delivered_in: float | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def delivery_progress(events: list[NotificationEvent]) -> dict[str, DeliveryProgress]:
    """``{event_id: DeliveryProgress}`` for these events, in one query."""
    rows = (
        Delivery.objects.filter(event_id__in=[event.id for event in events])
        .values("event_id", "status")
        .annotate(count=Count("id"), last_sent_at=Max("sent_at"))
        .order_by()
    )
    counts = {event.id: dict.fromkeys(DeliveryStatus.values, 0) for event in events}
    last_sent: dict[str, datetime] = {}
    for row in rows:
        counts[row["event_id"]][row["status"]] = row["count"]
        if row["last_sent_at"] and (
            row["event_id"] not in last_sent or row["last_sent_at"] > last_sent[row["event_id"]]
        ):
            last_sent[row["event_id"]] = row["last_sent_at"]
    progress = {}
    for event in events:
        by_status, last = counts[event.id], last_sent.get(event.id)
        settled = (
            event.state == NotificationEvent.State.FANNED_OUT
            and by_status[DeliveryStatus.PENDING] == 0
            and by_status[DeliveryStatus.SENDING] == 0
        )
        progress[event.id] = DeliveryProgress(
            counts=by_status,
            last_sent_at=last,
            delivered_in=(last - event.created_at).total_seconds() if settled and last else None,
        )
    return progress
