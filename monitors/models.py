import secrets

from django.db import models

from core.models import id_field
from statuspages.models import ComponentStatus


class MonitorKind(models.TextChoices):
    HTTP = "http"
    TCP = "tcp"
    DNS = "dns"
    HEARTBEAT = "heartbeat"


class MonitorState(models.TextChoices):
    PENDING = "pending"
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    PAUSED = "paused"


def schedule_slot() -> int:
    """A monitor's place in every interval: its checks fall at ``slot mod interval`` (in ms), so
    a fleet's checks spread evenly over the interval instead of meeting at :00."""
    return secrets.randbelow(2**31)


def default_locations() -> list[str]:
    return ["default"]


class Monitor(models.Model):
    """A check the service runs itself (or, for a heartbeat, waits for). Its state is a status
    source of its component; only a keyed hash of a heartbeat's ping token is kept."""

    id = id_field("mon")
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="monitors"
    )
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=MonitorKind.choices)
    target = models.CharField(max_length=2048, blank=True, default="")
    interval_seconds = models.PositiveIntegerField(default=60)
    schedule_slot = models.PositiveIntegerField(default=schedule_slot, editable=False)
    timeout_seconds = models.PositiveIntegerField(default=10)
    # {method, headers, body, expected_statuses, keyword, keyword_absent, json_path,
    #  json_expected, latency_degraded_ms, tls_expiry_days}, normalised by the services.
    http = models.JSONField(default=dict, blank=True)
    dns = models.JSONField(default=dict, blank=True)  # {record_type, expected}
    period_seconds = models.PositiveIntegerField(null=True, blank=True)
    grace_seconds = models.PositiveIntegerField(null=True, blank=True)
    ping_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    ping_token_hint = models.CharField(max_length=16, blank=True, default="", editable=False)
    last_ping_at = models.DateTimeField(null=True, blank=True)
    last_start_at = models.DateTimeField(null=True, blank=True)
    # last_ping_at + period + grace: the periodic task marks it down once this has passed.
    heartbeat_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    locations = models.JSONField(default=default_locations)
    failure_threshold = models.PositiveSmallIntegerField(default=2)
    recovery_threshold = models.PositiveSmallIntegerField(default=2)
    component = models.ForeignKey(
        "statuspages.Component",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitors",
    )
    down_status = models.CharField(
        max_length=32, choices=ComponentStatus.choices, default=ComponentStatus.MAJOR_OUTAGE
    )
    open_incident = models.BooleanField(default=False)
    notify_subscribers = models.BooleanField(default=True)
    publish_latency = models.BooleanField(default=False)
    paused = models.BooleanField(default=False)
    state = models.CharField(
        max_length=16, choices=MonitorState.choices, default=MonitorState.PENDING
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # The incident this outage opened (one per outage); cleared when it is resolved.
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["page", "-created_at", "-id"]),
            models.Index(fields=["kind", "state"]),
        ]

    def __str__(self):
        return self.name


class MonitorResult(models.Model):
    """One check from one location (kept 90 days)."""

    id = id_field("monr")
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="results")
    location = models.CharField(max_length=64)
    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    # A success that was too slow (latency_degraded_ms) or whose certificate expires soon.
    degraded = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    # How late the probe started after its due time (null: not from the scheduler).
    lag_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["monitor", "-checked_at", "-id"]),
            models.Index(fields=["monitor", "location", "-checked_at", "-id"]),
            models.Index(fields=["checked_at"]),
        ]

    def __str__(self):
        return f"{self.monitor_id} {self.location}: {'ok' if self.ok else 'failed'}"


class MonitorScheduleCursor(models.Model):
    """One row: the end (epoch ms) of the last window of time the dispatcher handed out. The
    dispatcher claims the next window under this row's lock, so no window goes out twice."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    until_ms = models.BigIntegerField(default=0)

    def __str__(self):
        return f"dispatched until {self.until_ms}"


class MonitorLocationStreak(models.Model):
    """Per location: how many checks in a row failed or succeeded (one of the two is 0)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="streaks")
    location = models.CharField(max_length=64)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    # The last success was slower than latency_degraded_ms.
    degraded = models.BooleanField(default=False)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monitor", "location"], name="monitor_streak_once")
        ]

    def __str__(self):
        return f"{self.monitor_id} {self.location}"
