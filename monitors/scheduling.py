"""When checks run and where: the dispatcher hands out windows of time, each location's
workers probe what falls in them, and results are recorded in bulk.

- **Dispatch** (``monitors_dispatch``, run by beat every ``MONITORS_DISPATCH_SECONDS``): under
  the lock of the one ``MonitorScheduleCursor`` row it claims the window from where the last
  run stopped to a little ahead of now, so no window goes out twice however many dispatchers
  run, and a late run catches up (at most ``CATCH_UP_MS`` back). A monitor is due when its
  slot in its interval (``schedule_slot mod interval``) falls in the window: the fleet's checks
  are spread evenly over the interval. Due checks go to the Celery queue of each location
  (``monitors.<location>``), a task per ``CHUNK`` checks. Celery moves the work: any worker
  consuming a location's queue takes its next task, so a dead worker's share goes to the
  others at the next window.
- **Probing** (``checks_start``, in the worker): the task hands its probes to the process's
  sending loop (``channels.outbound``), each starting at its due time, and returns at once, so
  a slow target never holds a worker process. The probes share the process's keep-alive
  session and the outbound rules (``channels.probes``).
- **Recording**: finished probes are buffered on the loop and written about every
  ``FLUSH_SECONDS`` by one recorder thread per process (``recording.results_record_many``: a
  fixed number of queries per batch). A process that dies loses the probes it had in flight;
  those monitors skip one interval.

``MONITORS_TIME_SCALE`` multiplies every interval (tests run a 30 s interval in 1.5 s).
"""

import asyncio
import logging
import os
import threading
import time
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Mod

from channels import outbound
from channels.probes import ProbeResult, ProbeSpec, probe
from monitors.models import Monitor, MonitorKind, MonitorScheduleCursor
from monitors.recording import results_record_many
from monitors.states import CheckedResult

logger = logging.getLogger(__name__)

PROBED_KINDS = (MonitorKind.HTTP, MonitorKind.TCP, MonitorKind.DNS)
CHUNK = 500  # checks per task
CATCH_UP_MS = 60_000
# Dispatches (about one a second) a location's queue may hold before the dispatcher stops
# adding to it: a location nobody serves costs the broker a minute of tasks, not days.
BACKLOG_CAP = 60  # a dispatcher that was away longer does not replay what it missed
FLUSH_SECONDS = 1.0
FLUSH_SIZE = 2_000
# How long a stopping pool process waits for its probes in flight (a container's stop grants
# 10 s before SIGKILL): a probe due later than that is the next window's.
SHUTDOWN_SECONDS = 5.0


def interval_unit_ms() -> int:
    """Milliseconds in one second of a monitor's interval (1000, less under a time scale)."""
    return max(1, round(1000 * settings.MONITORS_TIME_SCALE))


CHECK_TASK = "monitors.tasks.monitors_check"


def _check_send(*, args, queue: str, expires=None) -> None:
    """Send the check task, found by name in the app's registry (``monitors.tasks`` calls this
    module, not the reverse); run in place when Celery is eager."""
    current_app.tasks[CHECK_TASK].apply_async(args=args, queue=queue, expires=expires)


def queue_for(location: str) -> str:
    return f"monitors.{location}"


def now_ms() -> int:
    return int(time.time() * 1000)


# ---- dispatch -------------------------------------------------------------------------------


def window_claim(at_ms: int, until_ms: int) -> tuple[int, int] | None:
    """Claim the window from the last claimed end (at most ``CATCH_UP_MS`` before ``at_ms``;
    ``at_ms`` the first time) to ``until_ms``; None if there is none left."""
    with transaction.atomic():
        cursor = MonitorScheduleCursor.objects.select_for_update().filter(id=1).first()
        if cursor is None:  # the first dispatch ever; two at once: one creates, both lock
            MonitorScheduleCursor.objects.get_or_create(id=1)
            cursor = MonitorScheduleCursor.objects.select_for_update().get(id=1)
        start = max(cursor.until_ms, at_ms - CATCH_UP_MS) if cursor.until_ms else at_ms
        if until_ms <= start:
            return None
        cursor.until_ms = until_ms
        cursor.save(update_fields=["until_ms"])
    return start, until_ms


def due_in(start_ms: int, end_ms: int) -> list[tuple[str, list[str], int, int]]:
    """Every probed monitor with a slot in ``[start_ms, end_ms)``, as ``(id, locations, due_ms,
    interval_ms)``; each at most once (its latest slot), however long the window."""
    interval = F("interval_seconds") * Value(interval_unit_ms())
    last = Value(end_ms - 1, output_field=BigIntegerField())
    rows = (
        Monitor.objects.filter(paused=False, kind__in=PROBED_KINDS)
        .annotate(
            interval_ms=interval,
            since_slot=Mod(last - Mod(F("schedule_slot"), interval), interval),
        )
        .filter(since_slot__lt=end_ms - start_ms)
        .values_list("id", "locations", "since_slot", "interval_ms")
    )
    return [
        (monitor_id, locations or ["default"], end_ms - 1 - since, interval_ms)
        for monitor_id, locations, since, interval_ms in rows
    ]


def monitors_dispatch(at_ms: int | None = None) -> int:
    """Hand out the checks due in the next window, a task per location and chunk; returns how
    many. Looks a little ahead (one dispatch period and a half), so the tasks are on their
    queues before their first check is due."""
    at_ms = at_ms or now_ms()
    window = window_claim(at_ms, at_ms + round(settings.MONITORS_DISPATCH_SECONDS * 1500))
    if window is None:
        return 0
    by_location: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for monitor_id, locations, due_ms, interval_ms in due_in(*window):
        for location in locations:
            by_location[location].append((monitor_id, due_ms, interval_ms))
    sent = 0
    backlogs = _backlogs(by_location)
    for location, checks in by_location.items():
        if backlogs.get(location, 0) > BACKLOG_CAP:
            # No worker takes this location's checks (or it is far behind): tasks that would
            # expire unread are not piled up on the broker.
            logger.warning(
                "location %r: %d check tasks wait on %s; %d checks not sent",
                location,
                backlogs[location],
                queue_for(location),
                len(checks),
            )
            continue
        checks.sort(key=lambda check: check[1])
        for first in range(0, len(checks), CHUNK):
            chunk = checks[first : first + CHUNK]
            # A task that waited half an interval is dropped: the next window has the check.
            expires_ms = chunk[-1][1] + min(c[2] for c in chunk) // 2
            _check_send(
                args=(location, [[monitor_id, due_ms] for monitor_id, due_ms, _ in chunk]),
                queue=queue_for(location),
                expires=datetime.fromtimestamp(expires_ms / 1000, UTC),
            )
            sent += len(chunk)
    return sent


def _backlogs(locations) -> dict[str, int]:
    """Tasks waiting on each location's queue (none asked without a broker)."""
    app = current_app
    if app.conf.task_always_eager or not locations:
        return {}
    with app.pool.acquire(block=True) as connection:  # the producers' pool: no connect each time
        channel = connection.default_channel
        backlogs = {}
        for location in locations:
            try:
                backlogs[location] = channel.queue_declare(
                    queue_for(location), passive=True
                ).message_count
            except connection.channel_errors:
                backlogs[location] = 0  # not declared yet: nothing waits
        return backlogs


def monitor_check_now(monitor: Monitor) -> int:
    """One check of ``monitor`` from each of its locations, now (the admin's "check now");
    returns how many were sent. Heartbeats are not checked: their job pings."""
    if monitor.kind not in PROBED_KINDS:
        return 0
    locations = monitor.locations or ["default"]
    for location in locations:
        _check_send(args=(location, [[monitor.id, now_ms()]]), queue=queue_for(location))
    return len(locations)


# ---- probing --------------------------------------------------------------------------------


SPEC_FIELDS = ("kind", "target", "timeout_seconds", "http", "dns")


def probe_spec(monitor) -> ProbeSpec:
    """What the probes check for ``monitor`` (its settings were checked by the services)."""
    return spec_of(*(getattr(monitor, name) for name in SPEC_FIELDS))


def spec_of(kind: str, target: str, timeout_seconds: int, http: dict, dns: dict) -> ProbeSpec:
    http = http or {}
    dns = dns or {}
    return ProbeSpec(
        kind=kind,
        target=target,
        timeout_seconds=float(timeout_seconds),
        method=http.get("method") or "GET",
        headers=http.get("headers") or {},
        body=http.get("body") or "",
        expected_statuses=http.get("expected_statuses") or "200-399",
        keyword=http.get("keyword") or "",
        keyword_absent=http.get("keyword_absent") or "",
        json_path=http.get("json_path") or "",
        json_expected=http.get("json_expected") or "",
        latency_degraded_ms=http.get("latency_degraded_ms") or 0,
        tls_expiry_days=http.get("tls_expiry_days") or 0,
        record_type=dns.get("record_type") or "A",
        expected=dns.get("expected") or "",
    )


def _specs(due: list) -> list[tuple[str, ProbeSpec, int]]:
    wanted = {monitor_id: due_ms for monitor_id, due_ms in due}
    rows = Monitor.objects.filter(id__in=wanted, paused=False, kind__in=PROBED_KINDS).values_list(
        "id", *SPEC_FIELDS
    )
    return [(row[0], spec_of(*row[1:]), wanted[row[0]]) for row in rows]


def checked(location: str, result: ProbeResult, due_ms: int, started_ms: int) -> CheckedResult:
    return CheckedResult(
        location=location,
        ok=result.ok,
        status_code=result.status_code,
        latency_ms=result.latency_ms,
        # A degraded success says why (slow, certificate ending) where a failure says why not.
        error=result.error if not result.ok else (result.detail if result.degraded else ""),
        checked_at=result.checked_at,
        degraded=result.ok and result.degraded,
        lag_ms=max(0, started_ms - due_ms),
    )


def checks_run(location: str, due: list) -> int:
    """Probe now and record before returning (eager Celery, the tests, "check now" without a
    worker); returns how many were recorded."""
    specs = _specs(due)

    async def all_probes():
        return await asyncio.gather(*(probe(spec) for _, spec, _ in specs))

    started = now_ms()
    results = outbound.run(all_probes())
    return results_record_many(
        (monitor_id, checked(location, result, due_ms, started))
        for (monitor_id, _, due_ms), result in zip(specs, results, strict=True)
    )


class _Recorder:
    """The process's buffer of finished probes, written in bulk by one thread. Used on the
    sending loop's thread only (``add``); the writes run on the recorder's own thread, with its
    own database connection."""

    _instance: tuple[int, "_Recorder"] | None = None
    _lock = threading.Lock()

    def __init__(self):
        self.buffer: list[tuple[str, CheckedResult]] = []
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-recorder")
        self.flushing: asyncio.Task | None = None
        self.windows: set[Future] = set()  # the probe windows started and not yet done

    def window_started(self, window: Future) -> None:
        self.windows.add(window)
        window.add_done_callback(self.windows.discard)

    async def _take(self) -> list[tuple[str, CheckedResult]]:
        batch, self.buffer = self.buffer, []
        return batch

    def drain(self, seconds: float) -> int:
        """Let the probes in flight finish (``seconds`` at most) and write every result held,
        from another thread than the loop's; returns how many results were written."""
        wait(list(self.windows), timeout=seconds)
        batch = outbound.run(self._take())
        if batch:  # after any write in progress: the executor has one thread
            self.executor.submit(_write, batch).result(timeout=seconds)
        return len(batch)

    @classmethod
    def get(cls) -> "_Recorder":
        with cls._lock:
            if cls._instance is None or cls._instance[0] != os.getpid():
                cls._instance = (os.getpid(), cls())
            return cls._instance[1]

    def add(self, monitor_id: str, result: CheckedResult) -> None:
        self.buffer.append((monitor_id, result))
        if self.flushing is None or self.flushing.done():
            self.flushing = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        deadline = time.monotonic() + FLUSH_SECONDS
        while self.buffer and time.monotonic() < deadline and len(self.buffer) < FLUSH_SIZE:
            await asyncio.sleep(FLUSH_SECONDS / 4)
        while self.buffer:
            batch, self.buffer = self.buffer, []
            try:
                await asyncio.get_running_loop().run_in_executor(self.executor, _write, batch)
            except Exception:
                logger.exception("recording %d monitor results failed", len(batch))


def _write(batch: list[tuple[str, CheckedResult]]) -> None:
    close_old_connections()
    results_record_many(batch)


def checks_start(location: str, due: list) -> int:
    """Hand the due checks to the process's sending loop, each to start at its due time, and
    return at once; the recorder writes their results. Returns how many were started."""
    specs = _specs(due)
    if specs:
        _Recorder.get().window_started(outbound.submit(_probe_window(location, specs)))
    return len(specs)


def recorder_drain(seconds: float = SHUTDOWN_SECONDS) -> int:
    """A pool process stopping (a warm shutdown, a deploy): the probes it started finish and
    their results are written before it exits, rather than lost with it. Returns how many
    results were written."""
    instance = _Recorder._instance
    if instance is None or instance[0] != os.getpid():
        return 0
    return instance[1].drain(seconds)


async def _probe_window(location: str, specs: list[tuple[str, ProbeSpec, int]]) -> None:
    recorder = _Recorder.get()

    async def one(monitor_id: str, spec: ProbeSpec, due_ms: int) -> None:
        wait = due_ms / 1000 - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        started = now_ms()
        result = await probe(spec)
        recorder.add(monitor_id, checked(location, result, due_ms, started))

    await asyncio.gather(*(one(*item) for item in specs))
