from django.db import models
from django.db.models import Q

from statuspages.models import ComponentStatus


class StatusInterval(models.Model):
    """A stretch of time a component's effective status was not operational; an open one
    (``ended_at`` NULL) is its present status. No interval covering a moment: operational."""

    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="status_intervals"
    )
    component = models.ForeignKey(
        "statuspages.Component", on_delete=models.CASCADE, related_name="status_intervals"
    )
    status = models.CharField(max_length=32, choices=ComponentStatus.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["page", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["component"], condition=Q(ended_at__isnull=True), name="one_open_interval"
            )
        ]

    def __str__(self):
        return f"{self.component_id}: {self.status} from {self.started_at}"
