"""Sending a delivery: claim, send through its channel's transport, record, retry or give up.

Exactly one delivery per (event, subscriber): the unique constraint makes a second row
impossible, and a send first claims its row with a conditional UPDATE, so however many task
messages exist for a delivery (retries, the sweep, a redelivered message) only one sends.
"""

import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.backoff import backoff_delay
from channels.transports import TransportError, transport_for
from notifications.messages import delivery_message
from notifications.models import Delivery, DeliveryStatus
from subscribers.models import Subscriber
from subscribers.services import subscriber_delete

MAX_ATTEMPTS = 8
QUARANTINE_AFTER = 10  # consecutive failed deliveries

# Queues a retry: (delivery ids, seconds from now). The tasks module passes its queue.
RetryQueue = Callable[[list[str], float], None]


def delivery_send(*, delivery_id: str, retry_queue: RetryQueue | None = None) -> str | None:
    """Claim and send one delivery; returns its new status, or None if it was not ours. A
    failure that may pass leaves it pending until its backoff ends and queues it for then with
    ``retry_queue`` (without one, the sweep finds it)."""
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
    transport = transport_for(subscriber.channel)
    message = delivery_message(
        delivery=delivery,
        subscriber=subscriber,
        message_type=transport.message_type,
        timestamp=int(time.time()),
    )
    try:
        code = transport.send(message)
    except TransportError as exc:
        return _delivery_failed(delivery, subscriber, mine, exc, retry_queue)
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


def _delivery_failed(
    delivery, subscriber, mine, exc: TransportError, retry_queue: RetryQueue | None
) -> str:
    now = timezone.now()
    error = exc.message[:2000]
    if not exc.permanent and delivery.attempts < MAX_ATTEMPTS:
        delay = backoff_delay(delivery.attempts, exc.retry_after)
        pending = mine.update(
            status=DeliveryStatus.PENDING,
            last_error=error,
            response_code=exc.response_code,
            updated_at=now,
            next_attempt_at=now + timedelta(seconds=delay),
        )
        if pending and retry_queue is not None:
            retry_queue([delivery.id], delay)
        return DeliveryStatus.PENDING
    mine.update(
        status=DeliveryStatus.FAILED,
        last_error=error,
        response_code=exc.response_code,
        next_attempt_at=None,
        updated_at=now,
    )
    if exc.gone:
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
