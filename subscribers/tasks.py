"""Celery entry points for subscribers: the confirmation link, retried with backoff while the
provider's failure may pass (network, 5xx, 429), given up at once when it cannot."""

import logging

from celery import shared_task

from channels.backoff import backoff_delay
from channels.transports import TransportError
from subscribers import confirmations

logger = logging.getLogger(__name__)

CONFIRMATION_MAX_RETRIES = 5  # about five minutes of backoff in all


@shared_task(
    bind=True,
    # The name it had under notifications: messages queued before a deploy still find it.
    name="notifications.tasks.subscriber_confirmation_send",
    max_retries=CONFIRMATION_MAX_RETRIES,
    time_limit=60,
    soft_time_limit=50,
    acks_late=True,
    reject_on_worker_lost=True,
)
def subscriber_confirmation_send(self, subscriber_id: str) -> bool:
    try:
        return confirmations.subscriber_confirmation_deliver(subscriber_id=subscriber_id)
    except TransportError as exc:
        if exc.permanent or self.request.retries >= self.max_retries:
            logger.warning(
                "Confirmation for %s not sent (attempt %d, giving up): %s",
                subscriber_id,
                self.request.retries + 1,
                exc.message,
            )
            return False
        countdown = backoff_delay(self.request.retries + 1, exc.retry_after)
        raise self.retry(exc=exc, countdown=countdown) from exc
