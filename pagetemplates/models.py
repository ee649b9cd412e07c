from django.db import models

from core.models import TimestampedModel, id_field
from statuspages.models import MESSAGE_MAX_LENGTH


class Template(TimestampedModel):
    """A prepared incident or maintenance: what the on-call engineer publishes in one call.
    ``title`` and ``message`` may hold ``{{ name }}`` placeholders."""

    id = id_field("tpl")
    name = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True, default="")
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True, default="")
    status = models.CharField(max_length=16, blank=True, default="")
    notify_subscribers = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class IncidentTemplate(Template):
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="incident_templates"
    )
    # [{component_id, status}], as an incident's create body takes them.
    component_statuses = models.JSONField(default=list, blank=True)

    class Meta(Template.Meta):
        indexes = [models.Index(fields=["page", "name", "id"])]


class MaintenanceTemplate(Template):
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="maintenance_templates"
    )
    component_ids = models.JSONField(default=list, blank=True)

    class Meta(Template.Meta):
        indexes = [models.Index(fields=["page", "name", "id"])]
