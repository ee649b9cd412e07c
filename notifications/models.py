from django.db import models

from core.models import id_field


class EventKind(models.TextChoices):
    INCIDENT_CREATED = "incident_created"
    INCIDENT_UPDATED = "incident_updated"
    INCIDENT_RESOLVED = "incident_resolved"
    MAINTENANCE_SCHEDULED = "maintenance_scheduled"
    MAINTENANCE_STARTED = "maintenance_started"
    MAINTENANCE_UPDATED = "maintenance_updated"
    MAINTENANCE_COMPLETED = "maintenance_completed"
    COMPONENT_UPDATED = "component_updated"


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
    incident_id = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    incident_update_id = models.CharField(max_length=64, null=True, blank=True)
    maintenance_id = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    maintenance_update_id = models.CharField(max_length=64, null=True, blank=True)
    # Components the publish touched; subscribers tuned to components match on these.
    component_ids = models.JSONField(default=list, blank=True)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.id}"
