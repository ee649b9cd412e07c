from django.db import models

from core.models import id_field
from tenancy.models import Organization


class ActorType(models.TextChoices):
    MEMBER = "member"
    API_KEY = "api_key"
    INTEGRATION = "integration"
    MONITOR = "monitor"
    SYSTEM = "system"


class AuditEvent(models.Model):
    """One write: who made it, to what, which fields changed, and from where. Written in the
    transaction of the write it describes, so a rolled-back write leaves none."""

    id = id_field("aud")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_events"
    )
    # The page the object belongs to ("" for organization-wide objects), so a key limited to
    # some pages reads only their events.
    page_id = models.CharField(max_length=64, blank=True, default="")
    occurred_at = models.DateTimeField(auto_now_add=True)
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(max_length=64)
    actor_name = models.CharField(max_length=255, blank=True, default="")
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=128, blank=True, default="")
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-occurred_at", "-id"]),
            models.Index(fields=["organization", "object_id"]),
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self):
        return f"{self.action} {self.object_id} by {self.actor_name or self.actor_id}"


# The scope that reads the activity log (accounts.Scope lists it; `all` includes it).
AUDIT_READ_SCOPE = "audit:read"
