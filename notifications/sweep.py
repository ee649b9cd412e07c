"""The safety net: what a lost task message (a dead worker, a broker that was down) left
undone is found here and queued again by the beat's sweep task."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from notifications.models import Delivery, DeliveryStatus, NotificationEvent


@dataclass(frozen=True)
class SweepFindings:
    event_ids: list[str]  # pending events whose fan-out message may be lost
    stale: int  # deliveries reclaimed from a sender that died mid-send
    delivery_ids: list[str]  # pending deliveries past their time, to queue again

    def counts(self) -> dict:
        return {
            "events": len(self.event_ids),
            "stale": self.stale,
            "deliveries": len(self.delivery_ids),
        }


def notifications_sweep(
    *, now=None, grace: float | None = None, stale_after: float | None = None, limit: int = 10_000
) -> SweepFindings:
    """Find what a lost message left behind, for the caller to queue again: pending events,
    pending deliveries past their time, and deliveries whose sender died mid-send ("sending"
    for too long, reset to pending here)."""
    now = now or timezone.now()
    grace = timedelta(
        seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS if grace is None else grace
    )
    stale_after = timedelta(
        seconds=settings.NOTIFICATIONS_SENDING_STALE_SECONDS if stale_after is None else stale_after
    )
    # An event with no delivery yet never started its fan-out (its message was lost, the
    # broker was down): queued again soon. One whose fan-out is under way waits the full grace.
    never_started = Q(
        created_at__lte=now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_EVENT_GRACE_SECONDS)
    ) & ~Exists(Delivery.objects.filter(event_id=OuterRef("pk")))
    events = list(
        NotificationEvent.objects.filter(state=NotificationEvent.State.PENDING)
        .filter(never_started | Q(created_at__lte=now - grace))
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:100]
    )
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
    return SweepFindings(event_ids=events, stale=len(stale), delivery_ids=due)
