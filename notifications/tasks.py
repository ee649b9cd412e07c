"""Celery entry points, and the only place that queues notification work: ids in, a service
call, the follow-up messages out. At-least-once: acks_late and reject_on_worker_lost redeliver
a message whose worker died; claims make repeats harmless."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from notifications import events, fanout, services, sweep
from statuspages.publishing import PublishedEvent

logger = logging.getLogger(__name__)

_AT_LEAST_ONCE = {"acks_late": True, "reject_on_worker_lost": True}


def fan_out_queue(event_id: str) -> None:
    try:
        event_fan_out.delay(event_id)
    except Exception:  # broker down: the event stays pending and the sweep queues it later
        logger.exception("Could not queue fan-out of %s; the sweep will", event_id)


def sends_queue(
    delivery_ids: list[str], countdown: float | None = None, queue: str | None = None
) -> None:
    """Queue sends in batches of NOTIFICATIONS_SEND_BATCH, on ``queue`` (default: Celery's
    default queue; a large page's first sends go to the bulk queue)."""
    size = settings.NOTIFICATIONS_SEND_BATCH
    for start in range(0, len(delivery_ids), size):
        batch = delivery_ids[start : start + size]
        try:
            deliveries_send.apply_async((batch,), countdown=countdown, queue=queue)
        except Exception:  # broker down: the rows stay pending and the sweep queues them later
            logger.exception("Could not queue %d deliveries; the sweep will", len(batch))
            return


def event_record(event: PublishedEvent):
    """The publishing pipeline's sink (registered in NotificationsConfig.ready): record the
    event in the publishing transaction and queue its fan-out once that commits."""
    record = events.notification_event_record(event)
    transaction.on_commit(lambda: fan_out_queue(record.id))
    return record


@shared_task(
    name="notifications.tasks.event_fan_out", time_limit=600, soft_time_limit=570, **_AT_LEAST_ONCE
)
def event_fan_out(event_id: str, bulk: bool = False, after: str = "") -> int:
    """Create up to NOTIFICATIONS_FANOUT_TASK_SUBSCRIBERS deliveries, queue their sends, and
    queue the rest of the fan-out as another task from where this one stopped, so a page of a
    million subscribers never sits in one task and any worker can take the next part.

    Fairness: an event for more than NOTIFICATIONS_BULK_SUBSCRIBERS subscribers moves to
    the bulk queue with its sends, so a small page's notifications (default queue, which
    workers consume in turn with the bulk one) never wait behind a huge page's."""
    if not bulk and not after and fanout.event_is_bulk(event_id=event_id):
        bulk_queue = settings.NOTIFICATIONS_BULK_QUEUE
        event_fan_out.apply_async((event_id,), {"bulk": True}, queue=bulk_queue)
        return 0
    queue = settings.NOTIFICATIONS_BULK_QUEUE if bulk else None
    share = settings.NOTIFICATIONS_FANOUT_TASK_SUBSCRIBERS
    queued = read = 0
    for pending, cursor in fanout.event_fan_out(event_id=event_id, after=after):
        sends_queue(pending, queue=queue)
        queued += len(pending)
        read += fanout.FANOUT_CHUNK
        if read >= share:
            _rest_queue(event_id, bulk=bulk, after=cursor, queue=queue)
            break
    return queued


def _rest_queue(event_id: str, *, bulk: bool, after: str, queue: str | None) -> None:
    try:
        event_fan_out.apply_async((event_id,), {"bulk": bulk, "after": after}, queue=queue)
    except Exception:  # broker down: the event stays pending and the sweep starts it again
        logger.exception("Could not queue the rest of the fan-out of %s; the sweep will", event_id)


@shared_task(
    name="notifications.tasks.deliveries_send",
    time_limit=240,
    soft_time_limit=220,
    **_AT_LEAST_ONCE,
)
def deliveries_send(delivery_ids: list[str]) -> None:
    services.deliveries_send(delivery_ids=delivery_ids, retry_queue=sends_queue)


@shared_task(
    name="notifications.tasks.notifications_sweep",
    time_limit=300,
    soft_time_limit=280,
    **_AT_LEAST_ONCE,
)
def notifications_sweep(grace: float | None = None, stale_after: float | None = None) -> dict:
    """Queue again what lost messages left behind (every 30 s from beat; the limits default
    to the NOTIFICATIONS_SWEEP_* settings)."""
    findings = sweep.notifications_sweep(grace=grace, stale_after=stale_after)
    for event_id in findings.event_ids:
        fan_out_queue(event_id)
    sends_queue(findings.delivery_ids)
    return findings.counts()
