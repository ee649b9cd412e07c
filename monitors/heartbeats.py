"""Heartbeats: the checked job pings us. A ping makes the monitor up at once (thresholds do
not apply), ``/fail`` down at once, and silence past period + grace down (periodic task)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.validation import refused
from monitors.models import Monitor, MonitorKind, MonitorResult, MonitorState
from monitors.states import acting_as_monitor, transition

NO_PING = "No ping within period_seconds + grace_seconds."
FAIL_PING = "The job reported a failure (/fail)."


def heartbeat_due_at(monitor: Monitor, last_ping_at: datetime | None) -> datetime | None:
    if last_ping_at is None:
        return None
    return silence_ends(last_ping_at, monitor.period_seconds, monitor.grace_seconds)


def silence_ends(last_ping_at: datetime, period_seconds: int, grace_seconds: int) -> datetime:
    """When a heartbeat that last pinged at ``last_ping_at`` is overdue."""
    seconds = (period_seconds + grace_seconds) * settings.MONITORS_TIME_SCALE
    return last_ping_at + timedelta(seconds=seconds)


PING_SIGNALS = ("ping", "start", "fail")


def monitor_ping(*, token_hash: str, signal: str = "ping") -> str | None:
    """A heartbeat's job pinged (``ping``: up at once, thresholds do not apply), started, or
    failed (down at once); returns the monitor's id, None for an unknown token.

    The everyday ping of a monitor already up is three statements and no model instance (a
    fleet of cron jobs pings at :00 together); a ping that changes the state takes the
    monitor's lock and goes through ``transition``."""
    if signal not in PING_SIGNALS:
        raise refused("signal", f"Use one of: {', '.join(PING_SIGNALS)}.")
    now = timezone.now()
    row = (
        Monitor.objects.filter(ping_token_hash=token_hash, kind=MonitorKind.HEARTBEAT)
        .values_list("id", "state", "paused", "locations", "period_seconds", "grace_seconds")
        .first()
    )
    if row is None:
        return None
    monitor_id, state, paused, locations, period, grace = row
    if signal == "start":
        Monitor.objects.filter(id=monitor_id).update(last_start_at=now)
        return monitor_id
    ok = signal == "ping"
    wanted = MonitorState.UP if ok else MonitorState.DOWN
    due = silence_ends(now, period, grace)
    with transaction.atomic():
        monitor = None
        if not paused and state != wanted:  # a change: under the monitor's lock
            monitor = Monitor.objects.select_for_update().filter(id=monitor_id).first()
            if monitor is None:
                return None
        MonitorResult.objects.bulk_create(
            [
                MonitorResult(
                    monitor_id=monitor_id,
                    location=locations[0] if locations else "default",
                    checked_at=now,
                    ok=ok,
                    error="" if ok else FAIL_PING,
                )
            ]
        )
        Monitor.objects.filter(id=monitor_id).update(
            last_checked_at=now, last_ping_at=now, heartbeat_due_at=due
        )
        if monitor is not None and not monitor.paused:
            with acting_as_monitor(monitor):
                transition(monitor, wanted, at=now, error="" if ok else FAIL_PING)
    return monitor_id


def heartbeat_overdue_mark(*, monitor_id: str) -> bool:
    """Down, if the heartbeat is still up and its deadline has passed (checked under lock)."""
    now = timezone.now()
    with transaction.atomic():
        monitor = (
            Monitor.objects.select_for_update()
            .filter(
                id=monitor_id,
                kind=MonitorKind.HEARTBEAT,
                paused=False,
                state__in=[MonitorState.UP, MonitorState.DEGRADED],
                heartbeat_due_at__lt=now,
            )
            .first()
        )
        if monitor is None:
            return False
        MonitorResult.objects.create(
            monitor=monitor,
            location=monitor.locations[0] if monitor.locations else "default",
            checked_at=now,
            ok=False,
            error=NO_PING,
        )
        Monitor.objects.filter(id=monitor.id).update(last_checked_at=now)
        with acting_as_monitor(monitor):
            return transition(monitor, MonitorState.DOWN, at=now, error=NO_PING)


def heartbeats_overdue_mark() -> int:
    """Periodic: every heartbeat silent past period + grace goes down; returns how many."""
    due = Monitor.objects.filter(
        kind=MonitorKind.HEARTBEAT,
        paused=False,
        state__in=[MonitorState.UP, MonitorState.DEGRADED],
        heartbeat_due_at__lt=timezone.now(),
    ).values_list("id", flat=True)
    return sum(heartbeat_overdue_mark(monitor_id=monitor_id) for monitor_id in list(due))
