"""Recording events, fanning them out to deliveries, sending, retrying and the sweep.

Exactly one delivery per (event, subscriber): the unique constraint makes a second row
impossible, and a send first claims its row with a conditional UPDATE, so however many task
messages exist for a delivery (retries, the sweep, a redelivered message) only one sends.
"""

import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.messages import notice_for, unsubscribe_url
from notifications.models import Delivery, DeliveryStatus, EventKind, NotificationEvent
from notifications.transports import TRANSPORTS, Envelope, TransportError
from statuspages.publishing import PublishedEvent
from subscribers.models import Channel, Subscriber

logger = logging.getLogger(__name__)

FANOUT_CHUNK = 1000  # subscribers read and deliveries inserted per keyset step
SEND_BATCH = 20  # deliveries per send task
MAX_ATTEMPTS = 8
BACKOFF_BASE = 10.0  # seconds before the first retry
BACKOFF_CAP = 300.0  # below the broker's visibility timeout, so a delayed message survives
RETRY_AFTER_CAP = 3600.0
QUARANTINE_AFTER = 10  # consecutive failed deliveries


def notification_event_record(event: PublishedEvent) -> NotificationEvent:
    """Record a published event (the sink registered with the publishing pipeline, called in
    its transaction); the fan-out is queued when that transaction commits, never if it rolls
    back."""
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
    transaction.on_commit(lambda: _enqueue_fan_out(record.id))
    return record


def _enqueue_fan_out(event_id: str) -> None:
    from notifications.tasks import event_fan_out

    try:
        event_fan_out.delay(event_id)
    except Exception:  # broker down: the event stays pending and the sweep queues it later
        logger.exception("Could not queue fan-out of %s; the sweep will", event_id)


def _enqueue_sends(delivery_ids: list[str], countdown: float | None = None) -> None:
    from notifications.tasks import deliveries_send

    for start in range(0, len(delivery_ids), SEND_BATCH):
        batch = delivery_ids[start : start + SEND_BATCH]
        try:
            deliveries_send.apply_async((batch,), countdown=countdown)
        except Exception:  # broker down: the rows stay pending and the sweep queues them later
            logger.exception("Could not queue %d deliveries; the sweep will", len(batch))
            return


# ---- fan-out --------------------------------------------------------------------------------


def event_candidates(event: NotificationEvent):
    """Confirmed, non-quarantined subscribers of the page who may hear about this kind."""
    candidates = Subscriber.objects.filter(
        page_id=event.page_id, confirmed_at__isnull=False, quarantined_at__isnull=True
    )
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


def event_fan_out(*, event_id: str) -> int:
    """Create the event's deliveries chunk by chunk and queue their sends. Safe to repeat."""
    event = NotificationEvent.objects.filter(id=event_id).first()
    if event is None or event.state == NotificationEvent.State.FANNED_OUT:
        return 0
    candidates = (
        event_candidates(event).order_by("id").values_list("id", "incident_id", "component_ids")
    )
    event_components = set(event.component_ids)
    after, matched = "", 0
    while True:
        rows = list(candidates.filter(id__gt=after)[:FANOUT_CHUNK])
        if not rows:
            break
        after = rows[-1][0]
        ids = [
            sid
            for sid, inc, comps in rows
            if subscriber_matches(
                event_components=event_components, incident_id=inc, component_ids=comps
            )
        ]
        if not ids:
            continue
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
                for sid in ids
            ],
            ignore_conflicts=True,
        )
        pending = (
            Delivery.objects.filter(
                event_id=event.id, subscriber_id__in=ids, status=DeliveryStatus.PENDING
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        _enqueue_sends(list(pending))
        matched += len(ids)
    NotificationEvent.objects.filter(id=event.id).update(state=NotificationEvent.State.FANNED_OUT)
    return matched


# ---- sending --------------------------------------------------------------------------------


def backoff_delay(attempts: int, retry_after: float | None = None) -> float:
    """Exponential with full jitter in its upper half; a server's Retry-After is a floor."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
    return delay


def delivery_send(*, delivery_id: str) -> str | None:
    """Claim and send one delivery; returns its new status, or None if it was not ours."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(id=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("event").filter(id=delivery_id).first()
    if delivery is None:
        return None
    mine = Delivery.objects.filter(id=delivery_id, status=DeliveryStatus.SENDING, claimed_at=now)
    subscriber = Subscriber.objects.filter(id=delivery.subscriber_id).first()
    if subscriber is None or not subscriber.is_active:
        reason = "Subscriber removed." if subscriber is None else "Subscriber is not active."
        mine.update(status=DeliveryStatus.SKIPPED, last_error=reason, updated_at=timezone.now())
        return DeliveryStatus.SKIPPED
    envelope = Envelope(
        delivery_id=delivery.id,
        event=delivery.event,
        subscriber=subscriber,
        notice=notice_for(delivery.event),
        unsubscribe_url=unsubscribe_url(subscriber.id),
        timestamp=int(time.time()),
    )
    try:
        code = TRANSPORTS[subscriber.channel](envelope)
    except TransportError as exc:
        return _delivery_failed(delivery, subscriber, mine, exc)
    mine.update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        response_code=code,
        last_error="",
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    if subscriber.consecutive_failures:
        Subscriber.objects.filter(id=subscriber.id).update(consecutive_failures=0)
    return DeliveryStatus.SENT


def _delivery_failed(delivery, subscriber, mine, exc: TransportError) -> str:
    now = timezone.now()
    error = exc.message[:2000]
    if not exc.permanent and delivery.attempts < MAX_ATTEMPTS:
        delay = backoff_delay(delivery.attempts, exc.retry_after)
        if mine.update(
            status=DeliveryStatus.PENDING,
            last_error=error,
            response_code=exc.response_code,
            updated_at=now,
            next_attempt_at=now + timedelta(seconds=delay),
        ):
            _enqueue_sends([delivery.id], countdown=delay)
        return DeliveryStatus.PENDING
    mine.update(
        status=DeliveryStatus.FAILED,
        last_error=error,
        response_code=exc.response_code,
        next_attempt_at=None,
        updated_at=now,
    )
    if exc.gone:
        from subscribers.services import subscriber_delete

        subscriber_delete(subscriber=subscriber)
        return DeliveryStatus.FAILED
    with transaction.atomic():
        Subscriber.objects.filter(id=subscriber.id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        Subscriber.objects.filter(
            id=subscriber.id,
            quarantined_at__isnull=True,
            consecutive_failures__gte=QUARANTINE_AFTER,
        ).update(quarantined_at=now)
    return DeliveryStatus.FAILED


# ---- sweep ----------------------------------------------------------------------------------


def notifications_sweep(
    *, now=None, grace: float | None = None, stale_after: float | None = None, limit: int = 10_000
) -> dict:
    """Re-queue what a lost message left behind: pending events, pending deliveries past their
    time, and deliveries whose sender died mid-send ("sending" for too long)."""
    now = now or timezone.now()
    grace = timedelta(
        seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS if grace is None else grace
    )
    stale_after = timedelta(
        seconds=settings.NOTIFICATIONS_SENDING_STALE_SECONDS if stale_after is None else stale_after
    )
    events = list(
        NotificationEvent.objects.filter(
            state=NotificationEvent.State.PENDING, created_at__lte=now - grace
        )
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:100]
    )
    for event_id in events:
        _enqueue_fan_out(event_id)
    stale = list(
        Delivery.objects.filter(
            status=DeliveryStatus.SENDING, claimed_at__lte=now - stale_after
        ).values_list("id", flat=True)[:limit]
    )
    Delivery.objects.filter(id__in=stale, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=None, updated_at=now - grace
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(
            Q(next_attempt_at__isnull=True, updated_at__lte=now - grace)
            | Q(next_attempt_at__lte=now - grace)
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    # Touch them so the next sweep waits another grace period for these messages.
    Delivery.objects.filter(id__in=due, status=DeliveryStatus.PENDING).update(updated_at=now)
    _enqueue_sends(due)
    return {"events": len(events), "stale": len(stale), "deliveries": len(due)}
