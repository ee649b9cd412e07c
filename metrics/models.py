from django.core.validators import MaxValueValidator
from django.db import models

from core.models import TimestampedModel, id_field


class Metric(TimestampedModel):
    """A series a page charts (response time, error rate): its points and their roll-ups."""

    id = id_field("met")
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="metrics"
    )
    name = models.CharField(max_length=255)
    suffix = models.CharField(max_length=32, blank=True, default="")
    decimal_places = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(6)])
    y_axis_min = models.FloatField(null=True, blank=True)
    y_axis_max = models.FloatField(null=True, blank=True)
    display = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    # A Prometheus instant query URL (``https://prom/api/v1/query?query=...``) pulled each
    # minute; empty: points come only through the API.
    prometheus_url = models.URLField(max_length=2048, blank=True, default="")
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    last_pull_error = models.CharField(max_length=500, blank=True, default="")
    # Set: the monitor whose response times this metric publishes (``publish_latency``); the
    # metric outlives the monitor as an ordinary one.
    monitor = models.OneToOneField(
        "monitors.Monitor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="latency_metric",
        editable=False,
    )

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["page", "position", "id"])]

    def __str__(self):
        return self.name


class MetricPoint(models.Model):
    """One submitted value; a later value for the same timestamp replaces it."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="points")
    timestamp = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        ordering = ["timestamp"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "timestamp"], name="one_point_per_timestamp")
        ]
        indexes = [models.Index(fields=["timestamp"])]

    def __str__(self):
        return f"{self.metric_id} {self.timestamp}: {self.value}"


class MetricRollup(models.Model):
    """The points of one bucket (``resolution`` seconds from ``bucket_start``), aggregated, so a
    chart reads a few hundred rows whatever the point density."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="rollups")
    resolution = models.PositiveIntegerField()  # seconds
    bucket_start = models.DateTimeField()
    count = models.PositiveIntegerField()
    total = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()

    class Meta:
        ordering = ["bucket_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "resolution", "bucket_start"], name="one_rollup_per_bucket"
            )
        ]
        indexes = [models.Index(fields=["bucket_start"])]

    def __str__(self):
        return f"{self.metric_id} {self.resolution}s {self.bucket_start}"

    @property
    def average(self) -> float:
        return self.total / self.count
