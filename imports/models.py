from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import id_field
from tenancy.models import Organization


class SourceKind(models.TextChoices):
    STATUSPAGE = "statuspage", "Statuspage (v1 API, with a key)"
    INSTATUS = "instatus", "Instatus (API, with a key)"
    INCIDENT_IO = "incident-io", "incident.io (Status Pages V2 API, with a key)"
    STATUSPAGE_PUBLIC = "statuspage-public", "A Statuspage page's public JSON (no key)"


class SourceRecord(models.Model):
    """One object imported from a source, by the source's id, and the object it became here:
    a second import finds it and updates it instead of creating another."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    source_kind = models.CharField(max_length=32, choices=SourceKind.choices)
    # The source's base URL and page id: what its ids are unique within.
    source_key = models.CharField(max_length=600)
    object_type = models.CharField(max_length=32)  # page, component, incident_update, ...
    source_id = models.CharField(max_length=255)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source_kind", "source_key", "object_type", "source_id"],
                name="one_record_per_source_object",
            )
        ]

    def __str__(self):
        return f"{self.source_kind} {self.object_type} {self.source_id} -> {self.object_id}"


class ImportStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ImportRun(models.Model):
    """An import started from the admin, run by a worker: its progress and what it said."""

    id = id_field("imp")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    source_kind = models.CharField(max_length=32, choices=SourceKind.choices)
    url = models.URLField(max_length=2048)
    source_page_id = models.CharField(max_length=255, blank=True, default="")
    # Held only until a worker takes the run (then blanked): never kept longer than it needs.
    api_key = models.CharField(max_length=1024, blank=True, default="")
    with_subscribers = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    # Who started it: the import's changes are recorded in the activity log as theirs.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    log = models.TextField(blank=True, default="")
    page = models.ForeignKey(
        "statuspages.StatusPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_source_kind_display()} {self.url}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)
