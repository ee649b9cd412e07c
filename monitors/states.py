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
from audit.recording import record_many
from core.validation import flag_checked, refused, text_checked
from incidents.models import Incident, IncidentStatus
from incidents.services import incident_create, incident_update_publish
from monitors.checks import LOCATION
from monitors.models import (
    Monitor,
    MonitorKind,
    MonitorLocationStreak,
    MonitorResult,
    MonitorState,
)
from monitors.signals import results_recorded
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import MESSAGE_MAX_LENGTH, Component, ComponentStatus, StatusPage
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


def _advance(streaks: dict, monitor: Monitor, result: CheckedResult) -> MonitorLocationStreak:
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


def _streaks_save(touched: dict) -> None:
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


def _results_recorded_on_commit(results: Iterable[tuple[Monitor, CheckedResult]]) -> None:
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
        _results_recorded_on_commit((monitor, r) for r in checked)
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
                touched[result.location] = _advance(streaks, monitor, result)
                state = derived_state(monitor, streaks)
                transition(monitor, state, at=result.checked_at, error=result.error)
        _streaks_save(touched)
    return monitor


def _last_checked_mark(monitor_ids: list[str], at: datetime) -> None:
    """Bookkeeping, one statement for a batch (its results are at most a flush apart), after
    the batch's transaction: it skips monitors another writer holds rather than wait for them
    (or deadlock with a batch of another location locking the same rows in another order)."""
    free = Monitor.objects.filter(id__in=monitor_ids).select_for_update(skip_locked=True)
    with transaction.atomic():
        Monitor.objects.filter(id__in=free.values("id")).update(last_checked_at=at)


def monitor_state_settle(*, monitor_id: str, at: datetime, error: str = "") -> bool:
    """Under the monitor's lock, move it to the state its streaks now say (the slow path of
    ``results_record_many``: a batch saw the state change). False if it was there already."""
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().filter(id=monitor_id).first()
        if monitor is None or monitor.paused or monitor.kind == MonitorKind.HEARTBEAT:
            return False
        streaks = {s.location: s for s in MonitorLocationStreak.objects.filter(monitor=monitor)}
        with acting_as_monitor(monitor):
            return transition(monitor, derived_state(monitor, streaks), at=at, error=error)


@dataclass
class Watched:
    """What recording a batch needs of a monitor, read as values: a batch of hundreds loads
    no model instances (nor their activity-log snapshots)."""

    FIELDS = (
        "id",
        "page_id",
        "name",
        "kind",
        "state",
        "paused",
        "locations",
        "failure_threshold",
        "recovery_threshold",
        "component_id",
        "publish_latency",
    )
    id: str
    page_id: str
    name: str
    kind: str
    state: str
    paused: bool
    locations: list
    failure_threshold: int
    recovery_threshold: int
    component_id: str | None
    publish_latency: bool


STREAK_FIELDS = ["consecutive_failures", "consecutive_successes", "degraded", "last_checked_at"]


def results_record_many(results: Iterable[tuple[str, CheckedResult]]) -> int:
    """The scheduler's path: results of many monitors (``(monitor_id, result)`` pairs, any
    locations) recorded with a fixed number of queries however many there are. Results of
    monitors that are gone are dropped. A streak row is written only when it changes, and a
    monitor whose state the batch changes is settled under its own lock
    (``monitor_state_settle``). Returns how many results were kept."""
    results = sorted(results, key=lambda pair: pair[1].checked_at)
    ids = {monitor_id for monitor_id, _ in results}
    monitors = {
        row[0]: Watched(*row)
        for row in Monitor.objects.filter(id__in=ids).values_list(*Watched.FIELDS)
    }
    results = [(monitors[mid], result) for mid, result in results if mid in monitors]
    if not results:
        return 0
    settle: dict[str, tuple[Watched, str, CheckedResult]] = {}
    with transaction.atomic():
        MonitorResult.objects.bulk_create(
            MonitorResult(
                monitor_id=monitor.id,
                location=r.location,
                checked_at=r.checked_at,
                ok=r.ok,
                status_code=r.status_code,
                latency_ms=r.latency_ms,
                degraded=r.ok and r.degraded,
                lag_ms=r.lag_ms,
                error=r.error[:ERROR_MAX_LENGTH],
            )
            for monitor, r in results
        )
        _results_recorded_on_commit(results)
        active = {m.id for m, _ in results if not m.paused and m.kind != MonitorKind.HEARTBEAT}
        streaks: dict[str, dict[str, MonitorLocationStreak]] = defaultdict(dict)
        for streak in MonitorLocationStreak.objects.filter(monitor_id__in=active):
            streaks[streak.monitor_id][streak.location] = streak
        before = {
            (mid, loc): (s.consecutive_failures, s.consecutive_successes, s.degraded)
            for mid, by_location in streaks.items()
            for loc, s in by_location.items()
        }
        touched: dict[tuple[str, str], MonitorLocationStreak] = {}
        # Another location's batch may be committing beside this one, unseen: a monitor whose
        # vote here changed is settled again after commit, under its lock, so the last batch
        # to commit sees every location's vote.
        recheck: dict[str, CheckedResult] = {}
        for monitor, result in results:
            if monitor.id not in active:
                continue
            existing = streaks[monitor.id].get(result.location)
            vote_before = _vote(monitor, existing) if existing is not None else None
            streak = _advance(streaks[monitor.id], monitor, result)
            touched[monitor.id, result.location] = streak
            state = derived_state(monitor, streaks[monitor.id])
            if state != monitor.state:
                settle[monitor.id] = (monitor, state, result)
            elif len(monitor.locations) > 1 and _vote(monitor, streak) != vote_before:
                recheck[monitor.id] = result
        changed = {
            key: s
            for key, s in touched.items()
            if before.get(key) != (s.consecutive_failures, s.consecutive_successes, s.degraded)
        }
        _streaks_save(changed)
    _last_checked_mark(list(monitors), results[-1][1].checked_at)
    quiet = [(m, state) for m, state, _ in settle.values() if _is_quiet(m, state)]
    _quiet_transitions(quiet, at=results[-1][1].checked_at)
    for monitor, state, result in settle.values():
        if not _is_quiet(monitor, state):
            monitor_state_settle(monitor_id=monitor.id, at=result.checked_at, error=result.error)
    for monitor_id, result in recheck.items():
        if monitor_id not in settle:
            monitor_state_settle(monitor_id=monitor_id, at=result.checked_at, error=result.error)
    return len(results)


def _vote(monitor, streak: MonitorLocationStreak) -> tuple[bool, bool, bool]:
    """What a location's streak says towards the quorum: failing, passing, slow."""
    return (
        streak.consecutive_failures >= monitor.failure_threshold,
        streak.consecutive_successes >= monitor.recovery_threshold,
        streak.consecutive_successes > 0 and streak.degraded,
    )


def _is_quiet(monitor: "Watched", state: str) -> bool:
    """A change that moves nothing but the monitor: no component status (none, or neither
    state says anything about it), no incident, no notification."""
    moves = {monitor.state, state}
    if MonitorState.DOWN in moves:
        return False
    return monitor.component_id is None or moves <= {MonitorState.PENDING, MonitorState.UP}


def _quiet_transitions(moves: list[tuple["Watched", str]], *, at: datetime) -> None:
    """Quiet changes (``_is_quiet``) of a batch in bulk: a fleet coming up after a deploy is
    thousands of pending -> up at once. Each is in the activity log with its monitor as actor.
    A monitor another writer holds is skipped: the next batch sees it again."""
    if not moves:
        return
    organization_of = dict(
        StatusPage.objects.filter(id__in={m.page_id for m, _ in moves}).values_list(
            "id", "organization_id"
        )
    )
    by_move = defaultdict(list)
    for monitor, state in moves:
        by_move[monitor.state, state].append(monitor)
    with transaction.atomic():
        for (old, new), monitors in by_move.items():
            free = set(
                Monitor.objects.select_for_update(skip_locked=True)
                .filter(id__in=[m.id for m in monitors], state=old, paused=False)
                .values_list("id", flat=True)
            )
            Monitor.objects.filter(id__in=free).update(state=new, state_changed_at=at)
            record_many(
                (
                    Actor(type=ActorType.MONITOR, id=m.id, name=m.name),
                    {
                        "organization_id": organization_of[m.page_id],
                        "page_id": m.page_id,
                        "action": "monitor.updated",
                        "object_type": "monitor",
                        "object_id": m.id,
                        "changes": {"state": [old, new]},
                    },
                )
                for m in monitors
                if m.id in free
            )


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
