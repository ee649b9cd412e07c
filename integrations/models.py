from django.db import models

from core.models import TimestampedModel, id_field
from statuspages.models import ComponentStatus

EVENTS_KEPT = 100


class IntegrationKind(models.TextChoices):
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager"
    GRAFANA = "grafana", "Grafana alerting"
    DATADOG = "datadog", "Datadog"
    PAGERDUTY = "pagerduty", "PagerDuty"
    UPTIME_ROBOT = "uptime_robot", "Uptime Robot"
    GENERIC = "generic", "Generic JSON"


class Integration(TimestampedModel):
    """A secret inbound URL a monitoring tool posts its alerts to, and the rules that map them
    to components. Only a keyed hash of the URL's token is kept."""

    id = id_field("int")
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="integrations"
    )
    kind = models.CharField(max_length=16, choices=IntegrationKind.choices)
    name = models.CharField(max_length=255)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=16, editable=False)
    # The sender's shared secret for HMAC signatures: it must be kept readable to verify them.
    signing_secret = models.CharField(max_length=255, blank=True, default="")
    rules = models.JSONField(default=list, blank=True)
    notify_subscribers = models.BooleanField(default=True)
    auto_resolve = models.BooleanField(default=True)
    open_after_seconds = models.PositiveIntegerField(default=0)
    incident_name_template = models.CharField(max_length=255, default="{{ alertname }}")
    incident_message_template = models.TextField(
        max_length=5000, blank=True, default="{{ alertname }} is firing. {{ summary }}"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class AlertGroup(models.Model):
    """The sender's alert group (Alertmanager's groupKey, a PagerDuty incident, a Datadog
    monitor...): at most one open incident at a time. Its row is the lock that serializes
    deliveries for the same group."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="alert_groups"
    )
    group_key = models.CharField(max_length=512)
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set while firing alerts wait out their debounce: when the periodic task looks again.
    opens_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "group_key"], name="alert_group_once")
        ]

    def __str__(self):
        return self.group_key


class AlertState(models.Model):
    """The last known state of one alert (by the sender's own id) and what its rule asks."""

    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="alerts")
    fingerprint = models.CharField(max_length=512)
    name = models.CharField(max_length=512, blank=True, default="")
    firing = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)
    firing_since = models.DateTimeField(null=True, blank=True)
    component_ids = models.JSONField(default=list)
    status = models.CharField(max_length=32, choices=ComponentStatus.choices)
    notify_subscribers = models.BooleanField(default=True)
    auto_resolve = models.BooleanField(default=True)
    open_after_seconds = models.PositiveIntegerField(default=0)
    fields = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "fingerprint"], name="alert_state_once")
        ]

    def __str__(self):
        return self.fingerprint


class IntegrationEventStatus(models.TextChoices):
    MATCHED = "matched"
    UNMATCHED = "unmatched"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


class IntegrationEvent(models.Model):
    """One delivery to an inbound URL, kept (the last EVENTS_KEPT per integration) with its raw
    payload and what was matched and done, for the operator."""

    id = id_field("inte")
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="events")
    received_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=16, choices=IntegrationKind.choices)
    status = models.CharField(max_length=16, choices=IntegrationEventStatus.choices)
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=1000)
    # The sender's delivery id where it has one (PagerDuty's event id, Datadog's $ID).
    delivery_key = models.CharField(max_length=512, blank=True, default="", db_index=True)
    payload = models.TextField(blank=True, default="")
    actions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["integration", "-received_at", "-id"])]

    def __str__(self):
        return f"{self.status}: {self.summary}"
