"""The monitors engine at scale: N HTTP monitors (20,000 every 60 s by default) checked by one
worker tree and beat, started exactly as docker-compose.yml starts them, against a receiver
(benchmarks/receiver.py, its own asyncio process) whose targets are spread over 1,000
loopback addresses. Needs PostgreSQL (DATABASE_URL; a throw-away database
``<name>_bench_monitors`` beside the named one) and Redis (REDIS_URL).

Prints, each beside its goal (issue 21) and the reference measured in the same run: probes/s
received against those expected, the error of each monitor's interval, probes missed, worker +
beat CPU per probe, worker tree PSS, results recorded, heartbeat pings against a bare Django
view (gunicorn, wrk), and how long a target going down takes to change its component.

    python -m benchmarks.monitors [--monitors 20000] [--interval 60] [--warmup 90]
        [--seconds 180] [--ceiling [--steps 20000,40000,60000,80000,100000]]
        [--py-spy PATH]     # diagnosis: where the fleet's CPU goes, after the measured window
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import receiver as receiver_module
from benchmarks.common import (
    PYTHON,
    ROOT,
    WRK_CONNECTIONS,
    cpu_model,
    cpu_seconds,
    free_port,
    gunicorn_serve,
    http_get,
    postgres_database,
    pss_kib,
    tree_pids,
    wrk_rate,
)

CELERY = str(Path(PYTHON).with_name("celery"))
DOWN_TARGETS = 3
WRK_THREADS = 20
# wrk: each thread on its own loopback address, spread over the targets' addresses.
WRK_SPREAD = """
local threads = 0
function setup(thread)
  local i = threads * %(step)d
  threads = threads + 1
  local host = string.format("127.0.%%d.%%d", 1 + math.floor(i / 250), 1 + i %% 250)
  thread.addr = wrk.lookup(host, wrk.port)[1]
  thread:set("target_path", "/t/" .. i)
end
function init(args)
  wrk.path = target_path
end
"""


class Receiver:
    """benchmarks.receiver in a subprocess."""

    def __init__(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [PYTHON, "-m", "benchmarks.receiver", "serve"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline().split()[1])
        self.pid = self.process.pid

    def call(self, path: str) -> bytes:
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our receiver
            return response.read()

    def count(self) -> int:
        return json.loads(self.call("/_count"))["received"]

    def records(self) -> dict[int, list[float]]:
        """Epoch times of the requests each target received, in order."""
        targets, times = receiver_module.records_parse(self.call("/_dump"))
        by_target: dict[int, list[float]] = defaultdict(list)
        for target, at in zip(targets, times, strict=True):
            by_target[target].append(at)
        for times_of_one in by_target.values():
            times_of_one.sort()
        return by_target

    def ceiling(self, workdir: Path, seconds: int = 5) -> tuple[float, str]:
        """Requests/s the receiver answers on its own: wrk, each thread on its own loopback
        address, else the asyncio load generator (over 1,000 addresses, client-bound)."""
        if shutil.which("wrk"):
            script = workdir / "spread.lua"
            step = receiver_module.ADDRESSES // WRK_THREADS
            script.write_text(WRK_SPREAD % {"step": step})
            connections = 1000
            output = subprocess.run(  # noqa: S603 - wrk on loopback
                ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "-s", script]
                + [f"http://127.0.1.1:{self.port}/"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rate = float(output.split("Requests/sec:")[1].split()[0])
            how = f"wrk, {connections} keep-alive connections on {WRK_THREADS} loopback addresses"
        else:
            output = subprocess.run(  # noqa: S603
                [PYTHON, "-m", "benchmarks.receiver", "load", f"--port={self.port}"]
                + [f"--seconds={seconds}"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rate = json.loads(output)["rate"]
            how = "asyncio client, 1,000 connections on 1,000 addresses (client-bound)"
        self.call("/_reset")
        return rate, how

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@dataclass
class Schedule:
    """What the receiver saw of a fleet's schedule over a window."""

    fleet: int
    seconds: float
    interval: float
    received: int
    errors: list[float]  # |time between two probes of one target - interval|, s
    missed: int  # intervals a target's schedule skipped (or a target never probed)
    missed_targets: int
    never: int  # targets not probed at all in the window
    extra: int  # probes less than half an interval after the previous one

    @property
    def expected(self) -> float:
        return self.fleet * self.seconds / self.interval

    @property
    def ratio(self) -> float:
        return self.received / self.expected

    def error(self, quantile: float) -> float:
        ordered = sorted(self.errors)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def schedule_read(records: dict, fleet: int, start: float, end: float, interval: float):
    received = missed = missed_targets = never = extra = 0
    errors: list[float] = []
    for index in range(fleet):
        times = records.get(index, [])
        inside = [at for at in times if start <= at < end]
        received += len(inside)
        if not inside:
            never += 1
            missed_targets += 1
            missed += max(1, int((end - start) / interval))
            continue
        skipped = 0
        for before, after in zip(times, times[1:], strict=False):
            if not start <= after < end:
                continue
            gap = after - before
            errors.append(abs(gap - interval))
            if gap > 1.5 * interval:
                skipped += round(gap / interval) - 1
            elif gap < 0.5 * interval:
                extra += 1
        if times[0] >= start and inside[0] - start > 1.5 * interval:  # first probe came late
            skipped += int((inside[0] - start) / interval - 0.5)
        if end - inside[-1] > 1.5 * interval:  # silent until the end of the window
            skipped += int((end - inside[-1]) / interval - 0.5)
        missed += skipped
        missed_targets += skipped > 0
    return Schedule(
        fleet, end - start, interval, received, errors, missed, missed_targets, never, extra
    )


def _machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    ticks = os.sysconf("SC_CLK_TCK")
    return (total - idle) / ticks, total / ticks


class Fleet:
    """One worker tree and beat, as docker-compose.yml runs them, logging to files."""

    def __init__(self, env: dict, workdir: Path):
        self.logs = workdir
        common = {"cwd": ROOT, "env": env, "start_new_session": True, "stderr": subprocess.STDOUT}
        self.worker = subprocess.Popen(  # noqa: S603 - our own interpreter's celery
            [CELERY, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=4"],
            stdout=(workdir / "worker.log").open("w"),
            **common,
        )
        self.beat = subprocess.Popen(  # noqa: S603
            [CELERY, "-A", "config", "beat", "--loglevel=INFO"]
            + [f"--schedule={workdir / 'celerybeat-schedule'}"],
            stdout=(workdir / "beat.log").open("w"),
            **common,
        )

    @property
    def roots(self) -> list[int]:
        return [self.worker.pid, self.beat.pid]

    def alive(self) -> bool:
        return self.worker.poll() is None and self.beat.poll() is None

    def stop(self) -> None:
        for process in (self.beat, self.worker):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.beat, self.worker):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _monitors_create(page, start: int, stop: int, port: int, interval: int, components=None):
    """Monitors ``start`` .. ``stop - 1`` on their receiver targets, in bulk."""
    from monitors import checks
    from monitors.models import Monitor

    components = components or {}
    timeout = min(10, interval - 1)
    http = checks.http_checked({}, current={}, timeout_seconds=timeout)
    for first in range(start, stop, 5000):
        Monitor.objects.bulk_create(
            [
                Monitor(
                    page=page,
                    name=f"Target {index}",
                    kind="http",
                    target=receiver_module.target_url(index, port),
                    interval_seconds=interval,
                    timeout_seconds=timeout,
                    http=dict(http),
                    locations=["default"],
                    failure_threshold=2,
                    recovery_threshold=2,
                    component=components.get(index),
                )
                for index in range(first, min(first + 5000, stop))
            ],
            batch_size=1000,
        )


def _states_count() -> str:
    from django.db.models import Count

    from monitors.models import Monitor

    rows = Monitor.objects.values_list("state").annotate(count=Count("id")).order_by("state")
    return ", ".join(f"{count} {state}" for state, count in rows)


def _results_recorded(start: float, end: float) -> int:
    from monitors.models import MonitorResult

    return MonitorResult.objects.filter(
        checked_at__gte=datetime.fromtimestamp(start, UTC),
        checked_at__lt=datetime.fromtimestamp(end, UTC),
    ).count()


def _recorded_wait(start: float, end: float, receiver: Receiver, most: float = 60):
    """MonitorResult rows checked in the window, once the recorder has caught up (the count
    stops growing, or reaches the probes the receiver saw in it: the two clocks differ by the
    time a request takes, so the edges of the window may differ by a few) or after ``most``
    seconds: (rows, seconds after the window)."""
    received = sum(start <= at < end for times in receiver.records().values() for at in times)
    previous = -1
    while True:
        time.sleep(5)
        recorded = _results_recorded(start, end)
        waited = time.time() - end
        if recorded >= received or recorded == previous or waited >= most:
            return recorded, waited
        previous = recorded


def _heartbeat_rates(env: dict, workdir: Path, page, seconds: int = 3, rounds: int = 3):
    """Requests/s of /ping/{token} and of the bare view sending the same bytes ("OK"), rounds
    of bare, ping, bare; medians of the rates and of the ratios."""
    from monitors.services import monitor_create

    _, token = monitor_create(page=page, name="Bench heartbeat", kind="heartbeat")
    bare_dir = workdir / "bare"
    bare_dir.mkdir()
    (bare_dir / "ping").write_bytes(b"OK")
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    server_env["BENCH_BARE_DIR"] = str(bare_dir)
    port = free_port()
    server = gunicorn_serve(server_env, port)
    try:
        ping, bare = f"/ping/{token}", "/bench/bare/ping"
        for path in (ping, bare):
            status, _, body = http_get(port, path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
        wrk_rate(port, ping, {}, 1)
        wrk_rate(port, bare, {}, 1)
        pings, bares, ratios = [], [], []
        for _ in range(rounds):
            before = wrk_rate(port, bare, {}, seconds)
            pings.append(wrk_rate(port, ping, {}, seconds))
            after = wrk_rate(port, bare, {}, seconds)
            bares.append((before + after) / 2)
            ratios.append(pings[-1] / bares[-1])
    finally:
        server.terminate()
        server.wait(10)
    return statistics.median(pings), statistics.median(bares), statistics.median(ratios)


def _down_latencies(receiver: Receiver, monitors: dict, interval: int, threshold: int):
    """Answer 500 for each target at once; seconds until its component's status changed."""
    from statuspages.status import effective_statuses

    components = {index: monitor.component for index, monitor in monitors.items()}
    before = effective_statuses(components.values())
    flipped = time.time()
    for index in components:
        receiver.call(f"/_fail/{index}")
    latencies: dict[int, tuple[float, str] | None] = dict.fromkeys(components)
    deadline = flipped + interval * threshold + 60
    while time.time() < deadline and None in latencies.values():
        now = effective_statuses(components.values())
        for index, component in components.items():
            if latencies[index] is None and now[component.id] != before[component.id]:
                latencies[index] = (time.time() - flipped, now[component.id])
        time.sleep(0.1)
    for index in components:
        receiver.call(f"/_ok/{index}")
    return latencies


def _window(fleet: Fleet, receiver: Receiver, seconds: int, sample_every: int = 10):
    """Measure for ``seconds``: CPU of both trees, the machine's, PSS every ``sample_every``
    s; returns (start, end, cpu seconds, machine busy share, PSS samples in KiB)."""
    pss = [pss_kib([fleet.worker.pid])]
    cpu_start = cpu_seconds(fleet.roots)
    busy_start, total_start = _machine_busy_seconds()
    start = time.time()
    count_start = receiver.count()
    sample = (start, count_start, cpu_start)
    while (elapsed := time.time() - start) < seconds:
        time.sleep(min(sample_every, seconds - elapsed))
        pss.append(pss_kib([fleet.worker.pid]))
        now, count, cpu_now = time.time(), receiver.count(), cpu_seconds(fleet.roots)
        probes = count - sample[1]
        print(
            f"    {now - start:4.0f} s: {probes / (now - sample[0]):6.1f} probes/s,"
            f" {(cpu_now - sample[2]) / max(1, probes) * 1000:.2f} ms CPU/probe,"
            f" worker PSS {pss[-1] / 1024:.0f} MB",
            flush=True,
        )
        sample = (now, count, cpu_now)
        if not fleet.alive():
            raise RuntimeError(f"the worker or beat exited; see {fleet.logs}")
    end = time.time()
    cpu = cpu_seconds(fleet.roots) - cpu_start
    busy_end, total_end = _machine_busy_seconds()
    busy = (busy_end - busy_start) / (total_end - total_start)
    return start, end, cpu, busy, pss


def _frame_name(frame: str) -> str:
    """``function (path:line)`` as ``function (path)``: one entry per function."""
    function, _, where = frame.partition(" (")
    return f"{function} ({where.rpartition(':')[0]})" if where else function


def _profile(py_spy: str, fleet: Fleet, seconds: int, workdir: Path, top: int = 30) -> None:
    """Sample every process of the trees with py-spy for ``seconds`` (diagnosis, after the
    measured window), counting only threads that hold the GIL (running Python, not waiting);
    print each process's share and where the time goes: functions by inclusive and own share."""
    roles = {fleet.worker.pid: "worker main", fleet.beat.pid: "beat"}
    pids = tree_pids(fleet.roots)
    recorders = [
        subprocess.Popen(  # noqa: S603 - the py-spy the caller named
            [py_spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100"]
            + ["--gil", "--nonblocking", "--format", "raw"]
            + ["--output", str(workdir / f"profile-{pid}")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]
    for recorder in recorders:
        recorder.wait()
    inclusive: Counter = Counter()
    own: Counter = Counter()
    per_process: Counter = Counter()
    for pid in pids:
        path = workdir / f"profile-{pid}"
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [_frame_name(frame) for frame in stack.split(";")]
            per_process[f"{roles.get(pid, 'worker child')} {pid}"] += int(count)
            for name in set(frames):
                inclusive[name] += int(count)
            own[frames[-1]] += int(count)
    total = max(1, sum(per_process.values()))
    print(
        f"  profile (py-spy --gil, 100/s, {seconds} s): {total} samples ="
        f" {total / 100:.1f} s of Python holding the GIL; by process: "
        + ", ".join(f"{name} {count / total:.0%}" for name, count in per_process.most_common())
    )
    for title, counter in (("inclusive", inclusive), ("own", own)):
        print(f"  by {title} share:")
        for name, count in counter.most_common(top):
            print(f"    {count / total:6.1%}  {name}")


def _django_setup(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def _fleet_env(database_url: str, workdir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "*",
        "PUBLIC_BASE_DOMAIN": "localhost",
        "CACHE_KEY_PREFIX": f"bench-monitors-{os.getpid()}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONWARNINGS": "ignore:No directory at",
        # Loopback targets are private addresses: allowed for the benchmark, as in a
        # deployment that checks its own network. Not a performance setting.
        "MONITOR_ALLOW_PRIVATE_NETWORKS": "true",
    }


def _pss_each(fleet: Fleet) -> str:
    """The worker tree's PSS, and each of its processes' (the main one first)."""
    children = [pid for pid in tree_pids([fleet.worker.pid]) if pid != fleet.worker.pid]
    each = [pss_kib([pid]) for pid in children]
    total = pss_kib([fleet.worker.pid])
    parts = " + ".join(f"{kib / 1024:.0f}" for kib in [total - sum(each), *each])
    return f"{total / 1024:.0f} MB = {parts}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _run(args, env: dict, workdir: Path) -> int:  # noqa: PLR0915 - one linear story
    from accounts.services import organization_get_or_create
    from config.celery import app as celery_app
    from statuspages.services import component_create, status_page_create

    organization, _ = organization_get_or_create(slug="bench-monitors")
    page = status_page_create(organization=organization, name="Bench monitors", slug="bench")
    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}; PostgreSQL, Redis, the receiver,"
        " gunicorn/wrk and the fleet share it (and whatever else runs there)",
        flush=True,
    )
    receiver = Receiver()
    fleet = None
    table: list[tuple[str, str, str, str]] = []
    try:
        ceiling, how = receiver.ceiling(workdir)
        print(f"receiver ceiling: {ceiling:.0f} requests/s ({how})", flush=True)
        interval = args.interval
        if not args.ceiling:
            ping, bare, ratio = _heartbeat_rates(env, workdir, page)
            print(
                f"heartbeat pings: {ping:.0f} requests/s of GET /ping/{{token}}, bare view"
                f" {bare:.0f}: ratio {ratio:.2f} (gunicorn 2 sync workers, wrk"
                f" {WRK_CONNECTIONS} connections, medians of 3 rounds of bare, ping, bare)",
                flush=True,
            )
            table.append(
                (
                    "heartbeat pings, `GET /ping/{token}`",
                    f"{ping:.0f} req/s = {ratio:.2f}× bare",
                    "≥ 0.5× bare",
                    f"bare Django view {bare:.0f} req/s",
                )
            )
        steps = args.steps if args.ceiling else [args.monitors]
        down_at = {int(steps[0] * (k + 1) / (DOWN_TARGETS + 1)): k for k in range(DOWN_TARGETS)}
        components = {
            index: component_create(page=page, name=f"Down target {k}")
            for index, k in down_at.items()
        }
        created = 0
        celery_app.control.purge()  # what an earlier run left in the queues
        for number, monitors in enumerate(steps):
            started = time.perf_counter()
            _monitors_create(page, created, monitors, receiver.port, interval, components)
            created = monitors
            print(
                f"{monitors} HTTP monitors every {interval} s ({monitors / interval:.1f} probes/s"
                f" expected), created in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            if fleet is None:
                fleet = Fleet(env, workdir)
                print(
                    "worker: celery -A config worker --loglevel=INFO --concurrency=4;"
                    f" beat: celery -A config beat --loglevel=INFO (logs in {workdir})",
                    flush=True,
                )
            warmup = args.warmup if number == 0 or not args.ceiling else args.step_warmup
            seconds = args.seconds if not args.ceiling else args.step_seconds
            print(f"  warm-up {warmup} s, then {seconds} s measured", flush=True)
            if number == 0:
                time.sleep(min(15, warmup))
                print(f"  worker tree PSS 15 s after start: {_pss_each(fleet)}", flush=True)
                time.sleep(max(0, warmup - 15))
            else:
                time.sleep(warmup)
            pending = _states_count()
            start, end, cpu, busy, pss = _window(fleet, receiver, seconds)
            print(f"  monitor states: {pending} at the start, {_states_count()} at the end")
            recorded, recorded_after = _recorded_wait(start, end, receiver)
            schedule = schedule_read(receiver.records(), monitors, start, end, interval)
            per_probe = cpu / max(1, schedule.received)
            print(
                f"  probes: {schedule.received / schedule.seconds:.1f}/s received of"
                f" {monitors / interval:.1f}/s expected: ratio {schedule.ratio:.4f}"
                f" ({schedule.received} in {schedule.seconds:.0f} s)\n"
                f"  interval error: p50 {_ms(schedule.error(0.5))}, p99"
                f" {_ms(schedule.error(0.99))}, max {_ms(schedule.error(1.0))}"
                f" ({len(schedule.errors)} intervals)\n"
                f"  missed: {schedule.missed} (targets affected: {schedule.missed_targets},"
                f" never probed in the window: {schedule.never}); probes less than half an"
                f" interval apart: {schedule.extra}\n"
                f"  worker + beat CPU: {cpu:.1f} s = {per_probe * 1000:.3f} ms per probe"
                f" ({cpu / schedule.seconds / os.cpu_count():.0%} of the machine; machine busy"
                f" {busy:.0%})\n"
                f"  worker tree PSS: first {pss[0] / 1024:.0f} MB, last {pss[-1] / 1024:.0f} MB,"
                f" min {min(pss) / 1024:.0f} MB, max {max(pss) / 1024:.0f} MB"
                f" (now {_pss_each(fleet)})\n"
                f"  results recorded (MonitorResult rows checked in the window): {recorded}"
                f" for {schedule.received} probes received, {recorded_after:.0f} s after the"
                " window",
                flush=True,
            )
            if args.ceiling and args.py_spy:
                _profile(args.py_spy, fleet, 30, workdir)
            if args.ceiling:
                table.append(
                    (
                        f"{monitors} monitors every {interval} s",
                        f"ratio {schedule.ratio:.3f}; p99 error"
                        f" {_ms(schedule.error(0.99))}; {per_probe * 1000:.2f} ms CPU/probe;"
                        f" PSS {max(pss) / 1024:.0f} MB",
                        "≥ 0.99",
                        f"receiver {ceiling:.0f} req/s",
                    )
                )
                if schedule.ratio < 0.99:
                    break
                continue
            table += [
                (
                    f"{monitors} HTTP monitors every {interval} s: probes/s ÷ expected",
                    f"{schedule.ratio:.3f} ({schedule.received / schedule.seconds:.1f}"
                    f" of {monitors / interval:.1f}/s, {schedule.seconds:.0f} s"
                    f" after {warmup} s warm-up)",
                    "≥ 0.99",
                    f"receiver ceiling {ceiling:.0f} req/s",
                ),
                (
                    "interval error p50 / p99 / max",
                    f"{_ms(schedule.error(0.5))} / {_ms(schedule.error(0.99))} /"
                    f" {_ms(schedule.error(1.0))}",
                    "p99 ≤ 2 s",
                    "",
                ),
                (
                    "probes missed",
                    f"{schedule.missed} ({schedule.never} never probed)",
                    "0",
                    "",
                ),
                (
                    "worker + beat CPU per probe",
                    f"{per_probe * 1000:.2f} ms",
                    "≤ 1 ms",
                    f"machine busy {busy:.0%} of {os.cpu_count()} cores",
                ),
                (
                    "worker tree PSS (every 10 s)",
                    f"{pss[0] / 1024:.0f} → {pss[-1] / 1024:.0f} MB (min"
                    f" {min(pss) / 1024:.0f}, max {max(pss) / 1024:.0f})",
                    "≤ 400 MB, flat",
                    "",
                ),
                (
                    "results recorded",
                    f"{recorded} rows for {schedule.received} probes,"
                    f" {recorded_after:.0f} s after the window",
                    "all",
                    "",
                ),
            ]
            if args.py_spy:
                _profile(args.py_spy, fleet, 30, workdir)
            threshold = 2
            from monitors.models import Monitor

            down_monitors = {
                index: Monitor.objects.select_related("component").get(
                    target=receiver_module.target_url(index, receiver.port)
                )
                for index in components
            }
            print(
                f"  down latency: {len(down_monitors)} targets answer 500 from now"
                f" (failure_threshold {threshold}, goal ≤ {interval * threshold + 5} s)",
                flush=True,
            )
            latencies = _down_latencies(receiver, down_monitors, interval, threshold)
            for index, latency in latencies.items():
                said = "no change" if latency is None else f"{latency[0]:.1f} s ({latency[1]})"
                print(f"    target {index}: component status changed after {said}", flush=True)
            table.append(
                (
                    "target down → component status changed",
                    ", ".join(
                        "never" if latency is None else f"{latency[0]:.0f} s"
                        for latency in latencies.values()
                    ),
                    f"≤ {interval * threshold + 5} s",
                    f"interval × failure_threshold = {interval * threshold} s",
                )
            )
    finally:
        if fleet is not None:
            fleet.stop()
        receiver.stop()
    print()
    print("| measure | figure | goal | reference |")
    print("|---|---|---|---|")
    for row in table:
        print("| " + " | ".join(row) + " |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=20_000)
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=90)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--ceiling", action="store_true")
    parser.add_argument(
        "--steps",
        type=lambda text: [int(step) for step in text.split(",")],
        default=[20_000, 40_000, 60_000, 80_000, 100_000],
    )
    parser.add_argument("--step-warmup", type=int, default=60)
    parser.add_argument("--step-seconds", type=int, default=60)
    parser.add_argument(
        "--py-spy", help="path of a py-spy: profile the fleet for 30 s after each window"
    )
    args = parser.parse_args(argv if argv is not None else [])
    database_url = os.environ.get("DATABASE_URL", "")
    if not (database_url.startswith(("postgres://", "postgresql://"))) or not os.environ.get(
        "REDIS_URL"
    ):
        print("the monitors benchmark needs DATABASE_URL (PostgreSQL) and REDIS_URL")
        return 2
    # Stopped with SIGTERM: the worker, beat, receiver and database still go.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="bench-monitors-"))
    database_url, drop = postgres_database(database_url, "bench_monitors")
    env = _fleet_env(database_url, workdir)
    try:
        _django_setup(env)
        return _run(args, env, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
