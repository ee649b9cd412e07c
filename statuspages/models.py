from django.conf import settings
from django.db import models
from django.utils import timezone

from core.languages import Language
from core.models import TimestampedModel, id_field
from core.validators import SLUG_VALIDATOR
from tenancy.models import Organization

# The longest message an update (or a template) may carry, whatever the entrance.
MESSAGE_MAX_LENGTH = 25_000


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


class Visibility(models.TextChoices):
    """Who may read a page's public surfaces (README, "Page visibility")."""

    PUBLIC = "public"
    PRIVATE = "private"  # admitted readers only
    AUDIENCE = "audience"  # admitted readers, each seeing the items of their reader groups


class StatusPage(TimestampedModel):
    id = id_field("page")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="status_pages"
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
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Anyone with an email address at one of these domains may sign in to a non-public page.
    reader_domains = models.JSONField(default=list, blank=True)
    # Subscribers hear of changes that components mirroring an upstream page make (off: the
    # page shows them, uptime counts them, nobody is told).
    notify_on_upstream = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name

    @property
    def public_url(self) -> str:
        return self.url_override or self.served_url

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

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
    # On an audience page: only readers of these groups see it (none: every reader does).
    audience_groups = models.ManyToManyField(
        "statuspages.ReaderGroup", blank=True, related_name="components"
    )
    # The Statuspage-v2 page this component mirrors (statuspages.upstreams): its base URL as
    # normalised, and the component of it mirrored (empty: the page's overall indicator).
    # Empty URL: it mirrors nothing.
    upstream_url = models.CharField(max_length=1024, blank=True, default="")
    upstream_component_id = models.CharField(max_length=255, blank=True, default="")
    # What the upstream said at the last good reading ("": nothing read yet, or no upstream),
    # when that reading was, and why the latest poll could not give one ("" when it could).
    upstream_status = models.CharField(
        max_length=32, choices=ComponentStatus.choices, blank=True, default=""
    )
    upstream_checked_at = models.DateTimeField(null=True, blank=True)
    upstream_error = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["page", "position", "id"]),
            # The poller finds the components of one upstream page; most have none.
            models.Index(
                fields=["upstream_url"],
                name="component_upstream_url",
                condition=~models.Q(upstream_url=""),
            ),
        ]

    def __str__(self):
        return self.name


class ReaderGroup(TimestampedModel):
    """Readers of an audience page who see the same restricted items (e.g. one customer)."""

    id = id_field("rgrp")
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="reader_groups")
    name = models.CharField(max_length=255)
    # Readers signing in with an address at one of these domains belong to the group.
    domains = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class Reader(TimestampedModel):
    """An email address invited to read a non-public page."""

    id = id_field("rdr")
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="readers")
    email = models.EmailField(max_length=254)
    groups = models.ManyToManyField(ReaderGroup, blank=True, related_name="readers")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["page", "email"], name="one_reader_per_email")
        ]

    def __str__(self):
        return self.email


class ShareLink(TimestampedModel):
    """A signed link that admits whoever holds it until ``expires_at``; deleting the row
    revokes it (the signed token names the row)."""

    id = id_field("shr")
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="share_links")
    name = models.CharField(max_length=255, blank=True, default="")
    expires_at = models.DateTimeField()
    groups = models.ManyToManyField(ReaderGroup, blank=True, related_name="share_links")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name or self.id


class ReaderSignIn(models.Model):
    """A one-time sign-in link emailed to a reader: the secret is stored hashed."""

    id = id_field("rsi")
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=254)
    secret_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.email} ({self.page_id})"


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
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True, default="")
    # What this update did to components: [{component_id, name, old_status, new_status}]
    # (effective statuses), plus ``status`` where the publisher asked for one.
    component_statuses = models.JSONField(default=list, blank=True)
    notify_subscribers = models.BooleanField(default=True)
    # When it was published: now, or the time an imported or retrospective update was first
    # published elsewhere (a default, not auto_now_add, so a given time is kept).
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.status}: {self.message[:40]}"
