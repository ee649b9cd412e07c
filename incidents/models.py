from django.db import models
from django.db.models import Q

from core.models import TimestampedModel, id_field
from statuspages.models import ComponentStatus, Impact, PublishedUpdate


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class Incident(TimestampedModel):
    id = id_field("inc")
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="incidents"
    )
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    # Both derived by the services: component_impact from the worst status this incident gives
    # its components (frozen at resolve, so history shows how bad it was); impact is
    # impact_override if set, else component_impact. Stored so lists and pages filter cheaply.
    impact = models.CharField(max_length=16, choices=Impact.choices, default=Impact.NONE)
    component_impact = models.CharField(max_length=16, choices=Impact.choices, default=Impact.NONE)
    # NULL, not "": the API's ``impact_override: null`` means "derive it".
    impact_override = models.CharField(  # noqa: DJ001
        max_length=16, choices=Impact.choices, null=True, blank=True
    )
    started_at = models.DateTimeField()
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    postmortem = models.TextField(max_length=100_000, blank=True, default="")
    postmortem_published_at = models.DateTimeField(null=True, blank=True)
    # On an audience page: only readers of these groups see it (none: every reader does).
    audience_groups = models.ManyToManyField(
        "statuspages.ReaderGroup", blank=True, related_name="incidents"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["page", "-created_at", "-id"]),
            models.Index(
                fields=["page"], condition=~Q(status="resolved"), name="incident_unresolved"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_resolved(self) -> bool:
        return self.status == IncidentStatus.RESOLVED

    @property
    def shortlink(self) -> str:
        return f"{self.page.served_url}/incidents/{self.id}"


class IncidentComponent(models.Model):
    """This incident's own view of a component; the component's effective status is the worst
    of these over unresolved incidents (see statuspages.status)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="component_links")
    component = models.ForeignKey(
        "statuspages.Component", on_delete=models.CASCADE, related_name="incident_links"
    )
    status = models.CharField(max_length=32, choices=ComponentStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "component"], name="incident_component_once"
            )
        ]

    def __str__(self):
        return f"{self.component_id}: {self.status}"


class IncidentUpdate(PublishedUpdate):
    subject_field = "incident_id"

    id = id_field("incu")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)

    class Meta(PublishedUpdate.Meta):
        pass
