from django.db import models

from core.models import TimestampedModel, id_field
from statuspages.models import PublishedUpdate


class MaintenanceStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


# While in one of these, the maintenance's components show ``under_maintenance``.
ACTIVE_STATUSES = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


class Maintenance(TimestampedModel):
    id = id_field("mnt")
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="maintenances"
    )
    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=MaintenanceStatus.choices, default=MaintenanceStatus.SCHEDULED
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    auto_transition = models.BooleanField(default=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    components = models.ManyToManyField(
        "statuspages.Component", blank=True, related_name="maintenances"
    )
    # On an audience page: only readers of these groups see it (none: every reader does).
    audience_groups = models.ManyToManyField(
        "statuspages.ReaderGroup", blank=True, related_name="maintenances"
    )

    class Meta:
        ordering = ["-start_at", "-id"]
        indexes = [
            models.Index(fields=["page", "-start_at", "-id"]),
            models.Index(fields=["status", "start_at"]),
            models.Index(fields=["status", "end_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")),
                name="maintenance_ends_after_start",
                violation_error_message="The window must end after it starts.",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def shortlink(self) -> str:
        return f"{self.page.served_url}/incidents/{self.id}"


class MaintenanceUpdate(PublishedUpdate):
    subject_field = "maintenance_id"

    id = id_field("mntu")
    maintenance = models.ForeignKey(Maintenance, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=MaintenanceStatus.choices)

    class Meta(PublishedUpdate.Meta):
        pass
