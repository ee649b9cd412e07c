"""Sending deliveries: claim a batch, send through each channel's transport, record, retry or
give up — a handful of queries per batch, never one per delivery.

Exactly one delivery per (event, subscriber): the unique constraint makes a second row
impossible, and a send first claims its rows with one conditional ``UPDATE ... RETURNING``
(on PostgreSQL over ``FOR UPDATE SKIP LOCKED``), so however many task messages exist for a
delivery (retries, the sweep, a redelivered message) only one claimer sends it. The claim is a
lease renewed while the batch's requests are in flight; a claim that stopped being renewed (its
worker died) may be taken again, and the repeat carries the same webhook-id.
"""

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from channels.backoff import backoff_delay
from channels.dispatch import Outcome, messages_send
from channels.transports import transport_for
from notifications.audience import NOT_ADMITTED, reader_views
from notifications.messages import MessageBuilder
from notifications.models import Delivery, DeliveryStatus, NotificationEvent
from subscribers.models import Subscriber
from subscribers.services import subscribers_delete

MAX_ATTEMPTS = 8
QUARANTINE_AFTER = 10  # consecutive failed deliveries

# Queues a retry: (delivery ids, seconds from now). The tasks module passes its queue.
RetryQueue = Callable[[list[str], float], None]


@dataclass(frozen=True)
class Claimed:
    id: str
    event_id: str
    subscriber_id: str
    attempts: int


def _claim_sql(count: int) -> str:
    table = connection.ops.quote_name(Delivery._meta.db_table)
    ids = ", ".join(["%s"] * count)
    claimable = (
        "((status = %s AND (next_attempt_at IS NULL OR next_attempt_at <= %s))"
        " OR (status = %s AND claimed_at <= %s))"
    )
    if connection.vendor == "postgresql":
        # Rows another claimer holds are skipped, not waited for and then taken twice.
        where = (
            f"id IN (SELECT id FROM {table} WHERE id IN ({ids}) AND {claimable}"  # noqa: S608 - placeholders and our table
            " ORDER BY id FOR UPDATE SKIP LOCKED)"
        )
    else:
        where = f"id IN ({ids}) AND {claimable}"
    return (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1,"  # noqa: S608
        f" updated_at = %s WHERE {where} RETURNING id, event_id, subscriber_id, attempts"
    )


def deliveries_claim(*, delivery_ids: list[str], now: datetime) -> list[Claimed]:
    """Claim the due ones of ``delivery_ids`` (pending and past their backoff, or "sending"
    under a lease that ran out) in one statement; returns what this caller now holds."""
    if not delivery_ids:
        return []
    stale_before = now - timedelta(seconds=settings.NOTIFICATIONS_SENDING_STALE_SECONDS)
    at = connection.ops.adapt_datetimefield_value
    params = [
        DeliveryStatus.SENDING,
        at(now),
        at(now),
        *delivery_ids,
        DeliveryStatus.PENDING,
        at(now),
        DeliveryStatus.SENDING,
        at(stale_before),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(len(delivery_ids)), params)
        rows = cursor.fetchall()
    return [Claimed(*row) for row in rows]


class _Lease:
    """The batch's claim: every claimed row carries ``claimed_at``; renewing moves it on."""

    def __init__(self, ids: list[str], claimed_at: datetime):
        self.ids, self.claimed_at = ids, claimed_at

    def rows(self):
        return Delivery.objects.filter(
            id__in=self.ids, status=DeliveryStatus.SENDING, claimed_at=self.claimed_at
        )

    def renew(self) -> None:
        now = timezone.now()
        self.rows().update(claimed_at=now)
        self.claimed_at = now


def deliveries_send(
    *, delivery_ids: list[str], retry_queue: RetryQueue | None = None
) -> dict[str, str]:
    """Claim and send a batch of deliveries; returns the new status of each one this call
    claimed (ids it did not claim are absent). A failure that may pass leaves a delivery
    pending until its backoff ends and queues it for then with ``retry_queue`` (without one,
    the sweep finds it)."""
    now = timezone.now()
    claims = deliveries_claim(delivery_ids=list(dict.fromkeys(delivery_ids)), now=now)
    if not claims:
        return {}
    lease = _Lease([c.id for c in claims], now)
    subscribers = Subscriber.objects.in_bulk({c.subscriber_id for c in claims})
    events = NotificationEvent.objects.select_related("page").in_bulk({c.event_id for c in claims})
    skipped: dict[str, dict[str, Any]] = {}
    sends = {}
    messages = MessageBuilder(timestamp=int(time.time()))
    claimed = {c.id: c for c in claims}
    views = reader_views(
        [
            (events[c.event_id], subscribers[c.subscriber_id])
            for c in claims
            if c.subscriber_id in subscribers
        ]
    )
    for claim in claimed.values():
        subscriber = subscribers.get(claim.subscriber_id)
        if subscriber is None or not subscriber.is_active:
            reason = "Subscriber removed." if subscriber is None else "Subscriber is not active."
            skipped[claim.id] = {"status": DeliveryStatus.SKIPPED, "last_error": reason}
            continue
        view = views.get((claim.event_id, subscriber.id), frozenset())
        if view is None:  # a non-public page that no longer admits them
            skipped[claim.id] = {"status": DeliveryStatus.SKIPPED, "last_error": NOT_ADMITTED}
            continue
        transport = transport_for(subscriber.channel)
        message = messages.message(
            delivery_id=claim.id,
            event=events[claim.event_id],
            subscriber=subscriber,
            message_type=transport.message_type,
            hidden_components=view,
        )
        sends[claim.id] = (transport, message)
    statuses = _skipped_record(lease, skipped)
    renew_every = settings.NOTIFICATIONS_SENDING_STALE_SECONDS / 3
    renewed = time.monotonic()
    # Outcomes are recorded as they arrive (once a second by default), so a worker that dies
    # mid-batch repeats only what it sent since its last record.
    for outcomes in messages_send(
        sends,
        concurrency=settings.NOTIFICATIONS_SEND_CONCURRENCY,
        serial_connections=settings.NOTIFICATIONS_SERIAL_CONNECTIONS,
        every=settings.NOTIFICATIONS_RECORD_SECONDS,
    ):
        if outcomes:
            recorded = _outcomes_record(lease, claimed, subscribers, outcomes, retry_queue)
            statuses.update(recorded)
        if time.monotonic() - renewed >= renew_every:
            lease.renew()
            renewed = time.monotonic()
    return statuses


def delivery_send(*, delivery_id: str, retry_queue: RetryQueue | None = None) -> str | None:
    """Claim and send one delivery; returns its new status, or None if it was not ours."""
    return deliveries_send(delivery_ids=[delivery_id], retry_queue=retry_queue).get(delivery_id)


def _skipped_record(lease: "_Lease", skipped: dict[str, dict[str, Any]]) -> dict[str, str]:
    if skipped:
        _results_record(lease, skipped)
    return {delivery_id: result["status"] for delivery_id, result in skipped.items()}


def _outcomes_record(
    lease: "_Lease",
    claimed: dict[str, Claimed],
    subscribers: dict[str, Subscriber],
    outcomes: dict[str, Outcome],
    retry_queue: RetryQueue | None,
) -> dict[str, str]:
    """Record a group of outcomes: one UPDATE of their rows, a few grouped ones of their
    subscribers, and one retry message per minute of backoff."""
    now = timezone.now()
    results: dict[str, dict[str, Any]] = {}
    retries: dict[str, float] = {}
    sent_to, failed_for, gone = [], [], []
    for delivery_id, outcome in outcomes.items():
        claim = claimed[delivery_id]
        result = results[delivery_id] = _result(claim, outcome, now)
        if outcome.error is None:
            sent_to.append(claim.subscriber_id)
        elif result["status"] == DeliveryStatus.PENDING:
            delay = (result["next_attempt_at"] - now).total_seconds()
            retries[delivery_id] = max(0.0, delay)
        elif outcome.error.gone:
            gone.append(claim.subscriber_id)
        else:
            failed_for.append(claim.subscriber_id)
    _results_record(lease, results)
    _subscribers_record(subscribers, sent_to=sent_to, failed_for=failed_for, gone=gone)
    if retries and retry_queue is not None:
        _retries_queue(retries, retry_queue)
    return {delivery_id: result["status"] for delivery_id, result in results.items()}


def _result(claim: Claimed, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The row's new fields; ``now`` is the same for a whole group, so most fields are too."""
    error = outcome.error
    if error is None:
        return {
            "status": DeliveryStatus.SENT,
            "sent_at": now,
            "response_code": outcome.response_code,
            "last_error": "",
            "next_attempt_at": None,
        }
    fields = {"last_error": error.message[:2000], "response_code": error.response_code}
    if not error.permanent and claim.attempts < MAX_ATTEMPTS:
        delay = backoff_delay(claim.attempts, error.retry_after)
        return {
            **fields,
            "status": DeliveryStatus.PENDING,
            "next_attempt_at": now + timedelta(seconds=delay),
        }
    return {**fields, "status": DeliveryStatus.FAILED, "next_attempt_at": None}


def _results_record(lease: _Lease, results: dict[str, dict[str, Any]]) -> None:
    """One UPDATE for the whole batch, limited to the rows this lease still holds: a field
    every row gives the same value is set outright, the others through a CASE on the id."""
    updates: dict[str, Any] = {}
    for name in sorted({name for values in results.values() for name in values}):
        field = Delivery._meta.get_field(name)
        values = {delivery_id: r[name] for delivery_id, r in results.items() if name in r}
        distinct = set(values.values())
        if len(values) == len(results) and len(distinct) == 1:
            updates[name] = Value(distinct.pop(), output_field=field)
            continue
        updates[name] = Case(
            *(
                When(id=delivery_id, then=Value(value, output_field=field))
                for delivery_id, value in values.items()
            ),
            default=F(name),
            output_field=field,
        )
    lease.rows().filter(id__in=list(results)).update(**updates, updated_at=timezone.now())


def _subscribers_record(subscribers, *, sent_to, failed_for, gone) -> None:
    """A success resets the failure count, a final failure adds one (quarantined after
    QUARANTINE_AFTER in a row), 410 unsubscribes: a few grouped UPDATEs per batch."""
    reset = [sid for sid in set(sent_to) if subscribers[sid].consecutive_failures]
    if reset:
        Subscriber.objects.filter(id__in=reset).update(consecutive_failures=0)
    if gone:
        subscribers_delete(subscriber_ids=sorted(set(gone)))
    if not failed_for:
        return
    by_count: dict[int, list[str]] = defaultdict(list)
    for sid, count in Counter(failed_for).items():
        by_count[count].append(sid)
    with transaction.atomic():
        for count, ids in by_count.items():
            Subscriber.objects.filter(id__in=ids).update(
                consecutive_failures=F("consecutive_failures") + count
            )
        Subscriber.objects.filter(
            id__in=list(set(failed_for)),
            quarantined_at__isnull=True,
            consecutive_failures__gte=QUARANTINE_AFTER,
        ).update(quarantined_at=timezone.now())


def _retries_queue(retries: dict[str, float], retry_queue: RetryQueue) -> None:
    """One message per minute of delay: each is queued for when its last row is due (the
    claim skips a row that is not due yet; the sweep finds it then)."""
    buckets: dict[int, list[str]] = defaultdict(list)
    for delivery_id, delay in retries.items():
        buckets[math.ceil(delay / 60)].append(delivery_id)
    for ids in buckets.values():
        retry_queue(ids, max(retries[delivery_id] for delivery_id in ids))
