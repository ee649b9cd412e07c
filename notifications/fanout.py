"""From an event to its deliveries: who hears about it, one Delivery row per subscriber."""

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Q

from incidents.models import Incident
from maintenances.models import Maintenance
from notifications.models import Delivery, DeliveryStatus, EventKind, NotificationEvent
from statuspages.access import email_audiences
from statuspages.models import Component
from subscribers.models import Channel, Subscriber

FANOUT_CHUNK = 1000  # subscribers read and deliveries inserted per keyset step


def event_candidates(event: NotificationEvent):
    """Confirmed, non-quarantined subscribers of the page who may hear about this kind (on a
    non-public page, email subscribers only: ``_ReaderFilter`` then keeps the admitted)."""
    candidates = Subscriber.objects.active().filter(page_id=event.page_id)
    if not event.page.is_public:
        candidates = candidates.filter(channel=Channel.EMAIL)
    if event.kind == EventKind.COMPONENT_UPDATED:
        return candidates.filter(channel=Channel.WEBHOOK, incident__isnull=True)
    if event.incident_id and not _incident_resolved_before(event):
        return candidates.filter(Q(incident__isnull=True) | Q(incident_id=event.incident_id))
    return candidates.filter(incident__isnull=True)


def _incident_resolved_before(event: NotificationEvent) -> bool:
    """An incident subscription ends with the first resolution (a reopened incident is news
    for the page's subscribers, not for those who asked about it until it resolved)."""
    return NotificationEvent.objects.filter(
        incident_id=event.incident_id,
        kind=EventKind.INCIDENT_RESOLVED,
        created_at__lt=event.created_at,
    ).exists()


def subscriber_matches(*, event_components: set[str], incident_id, component_ids) -> bool:
    """Incident subscribers were already narrowed; component-tuned ones need a touched one."""
    if incident_id or not component_ids:
        return True
    return not event_components.isdisjoint(component_ids)


class _ReaderFilter:
    """On a non-public page, who of a chunk of email subscribers may read what the event is
    about: an address the page admits, whose audience sees the incident or maintenance and
    at least one of the event's components when it names any (README, "Page visibility")."""

    def __init__(self, event: NotificationEvent):
        self.page = event.page
        self.item_groups: set[str] = set()
        if event.incident_id:
            links = Incident.audience_groups.through.objects.filter(incident_id=event.incident_id)
            self.item_groups = set(links.values_list("readergroup_id", flat=True))
        elif event.maintenance_id:
            links = Maintenance.audience_groups.through.objects.filter(
                maintenance_id=event.maintenance_id
            )
            self.item_groups = set(links.values_list("readergroup_id", flat=True))
        self.component_groups: dict[str, set[str]] = {
            component: set() for component in event.component_ids
        }
        component_links = Component.audience_groups.through.objects.filter(
            component_id__in=event.component_ids
        ).values_list("component_id", "readergroup_id")
        for component_id, group_id in component_links:
            self.component_groups[component_id].add(group_id)

    def admitted(self, emails: list[str]) -> set[str]:
        """The addresses among ``emails`` that may hear about the event (lower-cased)."""
        audiences = email_audiences(self.page, emails)
        return {
            email
            for email, audience in audiences.items()
            if audience.sees(self.item_groups)
            and (
                not self.component_groups
                or any(audience.sees(groups) for groups in self.component_groups.values())
            )
        }


def event_is_bulk(*, event_id: str) -> bool:
    """More candidates than NOTIFICATIONS_BULK_SUBSCRIBERS (a bounded count, however large)."""
    event = NotificationEvent.objects.select_related("page").filter(id=event_id).first()
    if event is None or event.state == NotificationEvent.State.FANNED_OUT:
        return False
    limit = settings.NOTIFICATIONS_BULK_SUBSCRIBERS
    return event_candidates(event).order_by()[: limit + 1].count() > limit


def event_fan_out(*, event_id: str, after: str = "") -> Iterator[tuple[list[str], str]]:
    """Create the event's deliveries chunk by chunk, from the subscriber after ``after`` on,
    yielding each chunk's pending delivery ids (for the caller to queue, so sends start before
    the last chunk is written) and the cursor to go on from. Marks the event fanned out when
    the last chunk is done; a caller may stop early and continue later from a cursor. Safe to
    repeat: a delivery exists once per (event, subscriber)."""
    event = NotificationEvent.objects.select_related("page").filter(id=event_id).first()
    if event is None or event.state == NotificationEvent.State.FANNED_OUT:
        return
    candidates = (
        event_candidates(event)
        .order_by("id")
        .values_list("id", "incident_id", "component_ids", "email")
    )
    event_components = set(event.component_ids)
    readers = None if event.page.is_public else _ReaderFilter(event)
    while True:
        rows = list(candidates.filter(id__gt=after)[:FANOUT_CHUNK])
        if not rows:
            break
        after = rows[-1][0]
        admitted = None if readers is None else readers.admitted([row[3] for row in rows])
        ids = [
            sid
            for sid, inc, comps, email in rows
            if subscriber_matches(
                event_components=event_components, incident_id=inc, component_ids=comps
            )
            and (admitted is None or email.lower() in admitted)
        ]
        yield _deliveries_create(event, ids), after
    NotificationEvent.objects.filter(id=event.id).update(state=NotificationEvent.State.FANNED_OUT)


def _deliveries_create(event: NotificationEvent, subscriber_ids: list[str]) -> list[str]:
    """One INSERT for the chunk (rows that exist are left alone), then its pending ids."""
    if not subscriber_ids:
        return []
    Delivery.objects.bulk_create(
        [
            Delivery(
                page_id=event.page_id,
                event_id=event.id,
                subscriber_id=sid,
                kind=event.kind,
                incident_id=event.incident_id,
                maintenance_id=event.maintenance_id,
            )
            for sid in subscriber_ids
        ],
        ignore_conflicts=True,
    )
    pending = (
        Delivery.objects.filter(
            event_id=event.id, subscriber_id__in=subscriber_ids, status=DeliveryStatus.PENDING
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    return list(pending)
