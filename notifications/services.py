"""Sending a delivery: claim, send through its channel's transport, record, retry or give up.

Exactly one delivery per (event, subscriber): the unique constraint makes a second row
impossible, and a send first claims its row with a conditional UPDATE, so however many task
messages exist for a delivery (retries, the sweep, a redelivered message) only one sends.
"""

import logging
import random
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.messages import notice_for, unsubscribe_url
from notifications.models import Delivery, DeliveryStatus
from notifications.transports import TRANSPORTS, Envelope, TransportError
from subscribers.models import Subscriber

logger = logging.getLogger(__name__)

SEND_BATCH = 20  # deliveries per send task
MAX_ATTEMPTS = 8
BACKOFF_BASE = 10.0  # seconds before the first retry
BACKOFF_CAP = 300.0  # below the broker's visibility timeout, so a delayed message survives
RETRY_AFTER_CAP = 3600.0
QUARANTINE_AFTER = 10  # consecutive failed deliveries


def _enqueue_sends(delivery_ids: list[str], countdown: float | None = None) -> None:
    from notifications.tasks import deliveries_send

    for start in range(0, len(delivery_ids), SEND_BATCH):
        batch = delivery_ids[start : start + SEND_BATCH]
        try:
            deliveries_send.apply_async((batch,), countdown=countdown)
        except Exception:  # broker down: the rows stay pending and the sweep queues them later
            logger.exception("Could not queue %d deliveries; the sweep will", len(batch))
            return


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
