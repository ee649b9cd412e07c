"""The scheduler's recording path: results of many monitors at once, with a fixed number of
queries per batch (``results_record_many``), the state changes that move nothing but the
monitor done in bulk, the others settled one by one under the monitor's lock through
``states.transition``. (One monitor's results, from a service caller: ``states``.)"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, router, transaction
from psycopg import sql

from audit.actors import Actor
from audit.models import ActorType
from audit.recording import record_many
from monitors.models import Monitor, MonitorKind, MonitorLocationStreak, MonitorResult, MonitorState
from monitors.states import (
    ERROR_MAX_LENGTH,
    CheckedResult,
    acting_as_monitor,
    derived_state,
    results_recorded_on_commit,
    streak_advance,
    streaks_save,
    transition,
)
from statuspages.models import StatusPage


def _last_checked_mark(monitor_ids: list[str], at: datetime) -> None:
    """Bookkeeping, one statement for a batch (its results are at most a flush apart), after
    the batch's transaction: it skips monitors another writer holds rather than wait for them
    (or deadlock with a batch of another location locking the same rows in another order)."""
    free = Monitor.objects.filter(id__in=monitor_ids).select_for_update(skip_locked=True)
    with transaction.atomic():
        Monitor.objects.filter(id__in=free.values("id")).update(last_checked_at=at)


RESULT_COLUMNS = (
    "id",
    "monitor_id",
    "location",
    "checked_at",
    "ok",
    "degraded",
    "status_code",
    "latency_ms",
    "lag_ms",
    "error",
)


def _results_insert(*, monitors_results: list[tuple["Watched", CheckedResult]]) -> None:
    """The batch's result rows in one statement. On PostgreSQL a ``COPY``: a second's results
    of 20,000 monitors are some 330 rows, which ``bulk_create`` would first make model
    instances of and then quote, value by value, into one statement (a third of the
    recording's time); ``COPY`` streams the rows as they are. Elsewhere ``bulk_create``."""
    new_id = MonitorResult._meta.pk.default
    rows = [
        (
            new_id(),
            monitor.id,
            r.location,
            r.checked_at,
            r.ok,
            r.ok and r.degraded,
            _whole(r.status_code),
            _whole(r.latency_ms),
            _whole(r.lag_ms),  # a scaled clock (MONITORS_TIME_SCALE) makes floats
            r.error[:ERROR_MAX_LENGTH],
        )
        for monitor, r in monitors_results
    ]
    connection = connections[router.db_for_write(MonitorResult)]
    if connection.vendor != "postgresql":
        MonitorResult.objects.bulk_create(
            MonitorResult(**dict(zip(RESULT_COLUMNS, row, strict=True))) for row in rows
        )
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(MonitorResult._meta.db_table),
        sql.SQL(", ").join(map(sql.Identifier, RESULT_COLUMNS)),
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _whole(number: float | None) -> int | None:
    """An integer column's value, as the field would have saved it (``COPY`` does not cast)."""
    return None if number is None else int(number)


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


STREAK_COLUMNS = (
    "streaks__id",
    "streaks__location",
    "streaks__consecutive_failures",
    "streaks__consecutive_successes",
    "streaks__degraded",
    "streaks__last_checked_at",
)


def _watched_with_streaks(ids: set[str]) -> tuple[dict[str, Watched], dict[str, dict]]:
    """The batch's monitors and their locations' streaks, in one query (a row per streak)."""
    monitors: dict[str, Watched] = {}
    streaks: dict[str, dict[str, MonitorLocationStreak]] = defaultdict(dict)
    width = len(Watched.FIELDS)
    rows = Monitor.objects.filter(id__in=ids).values_list(*Watched.FIELDS, *STREAK_COLUMNS)
    for row in rows:
        monitor_id = row[0]
        if monitor_id not in monitors:
            monitors[monitor_id] = Watched(*row[:width])
        streak_id, location, failures, successes, degraded, checked_at = row[width:]
        if streak_id is not None:
            streaks[monitor_id][location] = MonitorLocationStreak(
                id=streak_id,
                monitor_id=monitor_id,
                location=location,
                consecutive_failures=failures,
                consecutive_successes=successes,
                degraded=degraded,
                last_checked_at=checked_at,
            )
    return monitors, streaks


def results_record_many(results: Iterable[tuple[str, CheckedResult]]) -> int:
    """The scheduler's path: results of many monitors (``(monitor_id, result)`` pairs, any
    locations) recorded with a fixed number of queries however many there are. Results of
    monitors that are gone are dropped. A streak row is written only when it changes, and a
    monitor whose state the batch changes is settled under its own lock
    (``monitor_state_settle``). Returns how many results were kept."""
    results = sorted(results, key=lambda pair: pair[1].checked_at)
    monitors, streaks = _watched_with_streaks({monitor_id for monitor_id, _ in results})
    results = [(monitors[mid], result) for mid, result in results if mid in monitors]
    if not results:
        return 0
    settle: dict[str, tuple[Watched, str, CheckedResult]] = {}
    with transaction.atomic():
        _results_insert(monitors_results=results)
        results_recorded_on_commit(results)
        active = {m.id for m, _ in results if not m.paused and m.kind != MonitorKind.HEARTBEAT}
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
            streak = streak_advance(streaks[monitor.id], monitor, result)
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
        streaks_save(changed)
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
