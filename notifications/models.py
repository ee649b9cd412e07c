from django.db import models
from django.utils.functional import cached_property

from core.models import id_field
from statuspages.models import EventKind
from statuspages.publishing import PublishedEvent


class NotificationEvent(models.Model):
    """One publish that subscribers should hear about, written in the publishing transaction.

    ``payload`` is a snapshot of everything a message needs, so fan-out and sends never depend
    on rows that may change or vanish later. ``publish_key`` (e.g. the update's id) makes a
    second event for the same publish impossible.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        FANNED_OUT = "fanned_out"

    id = id_field("evt")
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="notification_events"
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    publish_key = models.CharField(max_length=128, unique=True)
    incident_id = models.CharField(max_length=64, null=True, blank=True, db_index=True)  # noqa: DJ001
    incident_update_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    maintenance_id = models.CharField(max_length=64, null=True, blank=True, db_index=True)  # noqa: DJ001
    maintenance_update_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # Components the publish concerns; subscribers tuned to components match on these.
    component_ids = models.JSONField(default=list, blank=True)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.id}"

    @cached_property
    def published(self) -> PublishedEvent:
        """The event as the publishing pipeline built it (``payload`` is its stored form)."""
        return PublishedEvent.from_payload(
            kind=self.kind,
            publish_key=self.publish_key,
            payload=self.payload,
            component_ids=self.component_ids,
            incident_id=self.incident_id,
            incident_update_id=self.incident_update_id,
            maintenance_id=self.maintenance_id,
            maintenance_update_id=self.maintenance_update_id,
        )


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Delivery(models.Model):
    """One event to one subscriber; the unique pair is what makes "exactly one" hold."""

    id = id_field("dlv")
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        NotificationEvent, on_delete=models.CASCADE, related_name="deliveries"
    )
    # No database constraint: the record outlives a subscriber who unsubscribed.
    subscriber = models.ForeignKey(
        "subscribers.Subscriber",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="deliveries",
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    incident_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    maintenance_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Pending deliveries wait until then (a retry's backoff); the sweep respects it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="delivery_once"),
        ]
        indexes = [
            models.Index(fields=["page", "-id"], name="delivery_page"),
            models.Index(fields=["subscriber", "-id"], name="delivery_subscriber"),
            models.Index(
                fields=["status", "next_attempt_at"],
                name="delivery_unfinished",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.subscriber_id} ({self.status})"
