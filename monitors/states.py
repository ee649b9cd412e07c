"""The monitor state machine and what a state change does: results in, state out by quorum,
and the effects through the ordinary pipeline (status source, uptime, incident, notification).

The scheduler hands a batch of results for one monitor to ``monitor_results_record``;
heartbeats (``monitors.heartbeats``) move the state directly through ``transition``.
Changes they make are recorded in the activity log with the monitor as actor.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.actors import Actor
from audit.context import acting, current
from audit.models import ActorType
from core.validation import flag_checked, refused, text_checked
from incidents.models import Incident, IncidentStatus
from incidents.services import incident_create, incident_update_publish
from monitors.checks import LOCATION
from monitors.models import (
    Monitor,
    MonitorLocationStreak,
    MonitorResult,
    MonitorState,
)
from monitors.signals import results_recorded
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import MESSAGE_MAX_LENGTH, Component, ComponentStatus
from statuspages.publishing import ComponentChange, component_change_publish, status_changes_report
from statuspages.status import effective_statuses

ERROR_MAX_LENGTH = 1000


# ---- the status source ----------------------------------------------------------------------


def contribution(monitor: Monitor) -> str | None:
    """What the monitor says about its component (None: nothing)."""
    if monitor.paused or monitor.component_id is None:
        return None
    if monitor.state == MonitorState.DOWN:
        return monitor.down_status
    if monitor.state == MonitorState.DEGRADED:
        return ComponentStatus.DEGRADED_PERFORMANCE
    return None


def _contributing():
    return Monitor.objects.filter(
        paused=False, state__in=[MonitorState.DOWN, MonitorState.DEGRADED]
    )


def monitor_component_statuses(component_ids: list[str]) -> dict[str, list[str]]:
    """Status source (registered in apps.ready): the statuses monitors impose on components.
    Its hint (``monitor_component_hint``) spares the query for components no monitor speaks
    for, which is most of them."""
    rows = (
        _contributing()
        .filter(component_id__in=component_ids)
        .values_list("component_id", "state", "down_status")
    )
    imposed: dict[str, list[str]] = defaultdict(list)
    for component_id, state, down_status in rows:
        imposed[component_id].append(
            down_status if state == MonitorState.DOWN else ComponentStatus.DEGRADED_PERFORMANCE
        )
    return imposed


def monitor_component_hint() -> Exists:
    """Whether a monitor speaks for the component, evaluated in the query of its rows."""
    return Exists(_contributing().filter(component_id=OuterRef("pk")))


def components_around(
    *,
    page_id: str,
    components: Iterable[Component | None],
    apply: Callable[[], None],
    publish_key: str | None = None,
) -> None:
    """Run ``apply`` (a write that may change what monitors say) and report what it did to the
    components' effective statuses: to uptime always, and to subscribers as a
    ``component_updated`` event when ``publish_key`` is given (one key per change)."""
    components = list({c.id: c for c in components if c is not None}.values())
    before = effective_statuses(components)
    apply()
    if not components:
        return
    if publish_key is not None:
        for component in components:
            component_change_publish(
                component=component,
                old_status=before[component.id],
                publish_key=f"{publish_key}:{component.id}",
            )
    else:
        after = effective_statuses(components)
        status_changes_report(
            page_id,
            [
                ComponentChange(c.id, c.name, old_status=before[c.id], new_status=after[c.id])
                for c in components
            ],
        )
    page_invalidate_on_commit(page_id)


# ---- transitions ----------------------------------------------------------------------------


@contextmanager
def acting_as_monitor(monitor: Monitor) -> Iterator[None]:
    """Writes in the block are the monitor's in the activity log."""
    context = current()
    actor = Actor(type=ActorType.MONITOR, id=monitor.id, name=monitor.name)
    with acting(actor=actor, request_id=context.request_id, client_ip=context.client_ip):
        yield


def _incident_open(monitor: Monitor, error: str) -> None:
    """One incident per outage: an unresolved one the monitor already opened is kept."""
    if monitor.incident_id is not None:
        incident = Incident.objects.filter(id=monitor.incident_id).first()
        if incident is not None and incident.status != IncidentStatus.RESOLVED:
            return
    message = f"{monitor.name} is down."
    if error:
        message = f"{message} {error}"
    component_statuses = []
    if monitor.component_id is not None:
        component_statuses = [{"component_id": monitor.component_id, "status": monitor.down_status}]
    monitor.incident = incident_create(
        page=monitor.page,
        name=f"{monitor.name} is down"[:255],
        status=IncidentStatus.INVESTIGATING,
        message=message[:MESSAGE_MAX_LENGTH],
        component_statuses=component_statuses,
        notify_subscribers=monitor.notify_subscribers,
    )


def _incident_close(monitor: Monitor) -> None:
    if monitor.incident_id is None:
        return
    incident = Incident.objects.filter(id=monitor.incident_id).first()
    if incident is not None and incident.status != IncidentStatus.RESOLVED:
        incident_update_publish(
            incident=incident,
            status=IncidentStatus.RESOLVED,
            message=f"{monitor.name} is up again.",
            notify_subscribers=monitor.notify_subscribers,
        )
    monitor.incident = None
    monitor.save(update_fields=["incident", "updated_at"])


def transition(monitor: Monitor, state: str, *, at: datetime, error: str = "") -> bool:
    """Move the locked ``monitor`` to ``state`` with its effects; False if it was there.

    Entering down opens the incident before the monitor's own contribution, leaving down
    resolves it after, so the incident's updates are the ones that carry (and notify) the
    component's change; without an incident a change notifies as ``component_updated``."""
    old = monitor.state
    if state == old:
        return False
    if state == MonitorState.DOWN and monitor.open_incident and not monitor.paused:
        _incident_open(monitor, error)
    if state in (MonitorState.PENDING, MonitorState.PAUSED):
        MonitorLocationStreak.objects.filter(monitor=monitor).delete()

    def apply():
        monitor.state = state
        monitor.state_changed_at = at
        monitor.save(
            update_fields=["state", "state_changed_at", "paused", "incident", "updated_at"]
        )

    notify = monitor.notify_subscribers and not monitor.paused
    components_around(
        page_id=monitor.page_id,
        components=[monitor.component],
        apply=apply,
        publish_key=f"mon:{monitor.id}:{at.isoformat()}:{state}" if notify else None,
    )
    if old == MonitorState.DOWN:
        _incident_close(monitor)
    return True


# ---- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedResult:
    location: str
    ok: bool
    status_code: int | None
    latency_ms: int | None
    error: str
    checked_at: datetime
    degraded: bool
    # How late the probe started after its due time (scheduled checks only).
    lag_ms: int | None = None


def _read(result, name: str, default=None):
    if isinstance(result, dict):
        return result.get(name, default)
    return getattr(result, name, default)


def _optional_int(value, *, field: str, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value >= 0:
        value = round(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise refused(field, f"Give a whole number from 0 to {high}, or null.")
    return value


def result_checked(result, index: int, now: datetime) -> CheckedResult:
    """One result (a mapping, or the probes' dataclass) as it is stored."""
    where = f"results.{index}"
    location = _read(result, "location", "default")
    if not isinstance(location, str) or not LOCATION.match(location):
        raise refused(f"{where}.location", "Give a location name.")
    checked_at = _read(result, "checked_at") or now
    if not isinstance(checked_at, datetime) or timezone.is_naive(checked_at):
        raise refused(f"{where}.checked_at", "Give an aware datetime.")
    error = text_checked(_read(result, "error") or "", field=f"{where}.error", max_length=10**6)
    return CheckedResult(
        location=location,
        ok=flag_checked(_read(result, "ok"), field=f"{where}.ok"),
        status_code=_optional_int(
            _read(result, "status_code"), field=f"{where}.status_code", high=999
        ),
        latency_ms=_optional_int(
            _read(result, "latency_ms"), field=f"{where}.latency_ms", high=10**7
        ),
        # A probe's error is cut to what is kept, never refused for its length.
        error=error[:ERROR_MAX_LENGTH],
        checked_at=checked_at,
        degraded=flag_checked(_read(result, "degraded", False), field=f"{where}.degraded"),
    )


def streak_advance(streaks: dict, monitor: Monitor, result: CheckedResult) -> MonitorLocationStreak:
    streak = streaks.get(result.location)
    if streak is None:
        streak = streaks[result.location] = MonitorLocationStreak(
            monitor_id=monitor.id, location=result.location
        )
    # Counted up to the monitor's larger threshold and no further: beyond it the count changes
    # no state, and a streak that stays there is never written again.
    cap = max(monitor.failure_threshold, monitor.recovery_threshold)
    if result.ok:
        streak.consecutive_successes = min(streak.consecutive_successes + 1, cap)
        streak.consecutive_failures = 0
    else:
        streak.consecutive_failures = min(streak.consecutive_failures + 1, cap)
        streak.consecutive_successes = 0
    streak.degraded = result.ok and result.degraded
    streak.last_checked_at = result.checked_at
    return streak


STREAK_FIELDS = ["consecutive_failures", "consecutive_successes", "degraded", "last_checked_at"]


def streaks_save(touched: dict) -> None:
    """New and changed streaks in one INSERT .. ON CONFLICT DO UPDATE (a check-now and a
    scheduled check may both make a location's first one)."""
    if touched:
        MonitorLocationStreak.objects.bulk_create(
            list(touched.values()),
            update_conflicts=True,
            unique_fields=["monitor", "location"],
            update_fields=STREAK_FIELDS,
        )


def derived_state(monitor: Monitor, streaks: dict) -> str:
    """The state by quorum: more than half of the monitor's locations must agree; a location
    that has not reported counts as neither failing nor passing."""
    locations = monitor.locations or ["default"]
    needed = len(locations) // 2 + 1
    reported = [streaks[location] for location in locations if location in streaks]
    failing = sum(s.consecutive_failures >= monitor.failure_threshold for s in reported)
    if failing >= needed:
        return MonitorState.DOWN
    passing = sum(s.consecutive_successes >= monitor.recovery_threshold for s in reported)
    if monitor.state in (MonitorState.PENDING, MonitorState.DOWN) and passing < needed:
        return monitor.state
    slow = sum(s.consecutive_successes > 0 and s.degraded for s in reported)
    return MonitorState.DEGRADED if slow >= needed else MonitorState.UP


def results_recorded_on_commit(results: Iterable[tuple[Monitor, CheckedResult]]) -> None:
    """``monitors.signals.results_recorded`` once per location, after the commit."""
    by_location: dict[str, list[tuple[Monitor, CheckedResult]]] = defaultdict(list)
    for monitor, result in results:
        by_location[result.location].append((monitor, result))
    for location, results in by_location.items():
        transaction.on_commit(
            lambda location=location, results=results: results_recorded.send(
                sender=MonitorResult, location=location, results=results
            )
        )


def monitor_results_record(*, monitor_id: str, results: Iterable) -> Monitor | None:
    """Record a batch of check results for one monitor (in bulk) and move its state: each
    result has ``location, ok, status_code, latency_ms, error, checked_at`` and ``degraded``
    (a success slower than ``latency_degraded_ms``). None if the monitor is gone."""
    now = timezone.now()
    checked = [result_checked(result, index, now) for index, result in enumerate(results)]
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().filter(id=monitor_id).first()
        if monitor is None:
            return None
        if not checked:
            return monitor
        MonitorResult.objects.bulk_create(
            MonitorResult(
                monitor=monitor,
                location=r.location,
                checked_at=r.checked_at,
                ok=r.ok,
                degraded=r.ok and r.degraded,
                status_code=r.status_code,
                latency_ms=r.latency_ms,
                lag_ms=r.lag_ms,
                error=r.error,
            )
            for r in checked
        )
        results_recorded_on_commit((monitor, r) for r in checked)
        latest = max(r.checked_at for r in checked)
        if monitor.last_checked_at is None or latest > monitor.last_checked_at:
            monitor.last_checked_at = latest
            # Bookkeeping: an UPDATE that is no event in the activity log.
            Monitor.objects.filter(id=monitor.id).update(last_checked_at=latest)
        if monitor.paused:
            return monitor
        streaks = {s.location: s for s in MonitorLocationStreak.objects.filter(monitor=monitor)}
        touched = {}
        with acting_as_monitor(monitor):
            # In the order they were checked, so an outage inside one batch is not missed.
            for result in sorted(checked, key=lambda r: r.checked_at):
                touched[result.location] = streak_advance(streaks, monitor, result)
                state = derived_state(monitor, streaks)
                transition(monitor, state, at=result.checked_at, error=result.error)
        streaks_save(touched)
    return monitor


RESULTS_KEPT_DAYS = 90


PURGE_BATCH = 10_000


def monitor_results_purge(*, batch: int = PURGE_BATCH) -> int:
    """Periodic: results older than 90 days go, ``batch`` rows per statement (a day of 20,000
    monitors every minute is 28.8 million rows: one statement would hold its locks and its
    undo for all of them)."""
    cutoff = timezone.now() - timedelta(days=RESULTS_KEPT_DAYS)
    old = MonitorResult.objects.filter(checked_at__lt=cutoff)
    deleted = 0
    while ids := list(old.values_list("id", flat=True)[:batch]):
        deleted += MonitorResult.objects.filter(id__in=ids).delete()[0]
    return deleted
