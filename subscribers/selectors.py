"""Reads for the subscriber endpoints (the caller already checked the page)."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from incidents.models import Incident
from statuspages.access import email_audiences, page_audience, visible_to
from subscribers.models import Channel, Subscriber


def subscribers_for_page(page, *, channel: str | None = None) -> QuerySet[Subscriber]:
    subscribers = Subscriber.objects.filter(page=page)
    if channel:
        subscribers = subscribers.filter(channel=channel)
    return subscribers


def subscribers_for_export(page) -> QuerySet:
    """The page's subscribers as the CSV export's tuples (``subscribers.csvfile``), oldest
    first: the page's and components' subscribers, whatever their state. Those following one
    incident are left out: the file has no column to say which (and they end with it).
    Secrets (webhook signing secrets) are not selected."""
    confirmed = ExpressionWrapper(Q(confirmed_at__isnull=False), output_field=BooleanField())
    return (
        Subscriber.objects.filter(page=page, incident__isnull=True)
        .order_by("created_at", "id")
        .annotate(confirmed=confirmed)
        .values_list(
            "channel",
            "email",
            "phone_number",
            "phone_country",
            "endpoint",
            "component_ids",
            "confirmed",
        )
    )


def subscriber_on_page(page, subscriber_id: str) -> Subscriber | None:
    return Subscriber.objects.filter(page=page, id=subscriber_id).select_related("page").first()


def incident_on_page(page, incident_id: str) -> Incident | None:
    """The incident a subscription may follow (any status: callers decide what they accept),
    if the reader the page was resolved for may see it."""
    incidents = visible_to(Incident.objects.filter(page=page), page_audience(page))
    return incidents.filter(id=incident_id).first()


def subscriber_may_hear(subscriber: Subscriber) -> bool:
    """Whether anything of the page may reach this subscriber: on a non-public page, only an
    email address the page admits (README, "Page visibility")."""
    if subscriber.page.is_public:
        return True
    if subscriber.channel != Channel.EMAIL:
        return False
    return bool(email_audiences(subscriber.page, [subscriber.email]))


def subscriber_for_page(page, subscriber_id: str) -> Subscriber:
    subscriber = subscriber_on_page(page, subscriber_id)
    if subscriber is None:
        raise Http404("Subscriber not found.")
    return subscriber
