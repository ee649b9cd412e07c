"""Reads for the delivery endpoints (the caller already checked the page)."""

from django.db.models import QuerySet

from notifications.models import Delivery


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
