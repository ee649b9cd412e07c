from django.conf import settings
from django.db import models

from core.languages import Language
from core.models import TimestampedModel, id_field
from core.validators import SLUG_VALIDATOR


class ComponentStatus(models.TextChoices):
    """Ordered from best to worst: the order is the severity."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"


class Impact(models.TextChoices):
    """An incident's (and the page indicator's) severity, least to most severe."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class StatusPage(TimestampedModel):
    id = id_field("page")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="status_pages"
    )
    name = models.CharField(max_length=255)
    slug = models.CharField(max_length=64, unique=True, validators=[SLUG_VALIDATOR])
    # Empty: the page's own address on this service (see public_url).
    url_override = models.URLField(max_length=2048, blank=True, default="")
    time_zone = models.CharField(max_length=64, default="UTC")
    # The built-in words' language when the reader asks for none of ours (core.languages).
    default_language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    custom_domain = models.CharField(max_length=253, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name

    @property
    def public_url(self) -> str:
        return self.url_override or self.served_url

    @property
    def served_url(self) -> str:
        """Where this service serves the page: its custom domain, else its path here. Links to
        the page's own documents (incident shortlinks) start from it."""
        if self.custom_domain:
            return f"https://{self.custom_domain}"
        return f"{settings.PUBLIC_BASE_URL}/pages/{self.slug}"


class ComponentGroup(TimestampedModel):
    id = id_field("grp")
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=255)
    description = models.TextField(max_length=1000, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class Component(TimestampedModel):
    id = id_field("cmp")
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="components")
    group = models.ForeignKey(
        ComponentGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="components"
    )
    name = models.CharField(max_length=255)
    description = models.TextField(max_length=1000, blank=True, default="")
    position = models.PositiveIntegerField(default=0)
    manual_status = models.CharField(
        max_length=32, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL
    )
    only_show_if_degraded = models.BooleanField(default=False)
    showcase = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["page", "position", "id"])]

    def __str__(self):
        return self.name


class EventKind(models.TextChoices):
    """What a published event tells subscribers."""

    INCIDENT_CREATED = "incident_created"
    INCIDENT_UPDATED = "incident_updated"
    INCIDENT_RESOLVED = "incident_resolved"
    MAINTENANCE_SCHEDULED = "maintenance_scheduled"
    MAINTENANCE_STARTED = "maintenance_started"
    MAINTENANCE_UPDATED = "maintenance_updated"
    MAINTENANCE_COMPLETED = "maintenance_completed"
    COMPONENT_UPDATED = "component_updated"


class PublishedUpdate(models.Model):
    """An update published to a page's readers (an incident's or a maintenance's): one
    shape, written only by ``statuspages.publishing.publish_update``.

    Subclasses add ``id``, the foreign key named by ``subject_field`` and ``status`` choices.
    """

    subject_field: str = ""  # e.g. "incident_id"

    status = models.CharField(max_length=16)
    message = models.TextField(max_length=25_000, blank=True, default="")
    # What this update did to components: [{component_id, name, old_status, new_status}]
    # (effective statuses), plus ``status`` where the publisher asked for one.
    component_statuses = models.JSONField(default=list, blank=True)
    notify_subscribers = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.status}: {self.message[:40]}"
