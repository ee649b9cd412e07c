"""Reads for the subscriber endpoints (the caller already checked the page)."""

from django.db.models import QuerySet
from django.http import Http404

from subscribers.models import Subscriber


def subscribers_for_page(page, *, channel: str | None = None) -> QuerySet[Subscriber]:
    subscribers = Subscriber.objects.filter(page=page)
    if channel:
        subscribers = subscribers.filter(channel=channel)
    return subscribers


def subscriber_for_page(page, subscriber_id: str) -> Subscriber:
    subscriber = (
        Subscriber.objects.filter(page=page, id=subscriber_id).select_related("page").first()
    )
    if subscriber is None:
        raise Http404("Subscriber not found.")
    return subscriber
