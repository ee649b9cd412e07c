"""Monitors checked by real `celery -A config worker` and `celery -A config beat` processes on
PostgreSQL with a real Redis broker, against loopback targets, time scaled by
MONITORS_TIME_SCALE (a 30 s interval is 1.5 s here): a target flipping between 200 and 500, a
slow one, one that loses its keyword, a TCP port that closes, a heartbeat that stops. Each
moves the monitor, its component, uptime and (``open_incident``) exactly one incident per
outage, notified once as it opens and once as it is resolved. Two workers on two location
queues, each asking its own DNS resolver, keep quorum; a worker killed mid-round skips no
monitor for more than one interval after its restart.

Private-network targets refused unless allowed: tests/test_monitors_api.py (creating the
monitor) and tests/test_probes.py, tests/test_probes_tcp_dns.py (the probe's failed result)."""

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Response

from config.celery import app as celery_app
from incidents.models import Incident, IncidentUpdate
from monitors.models import Monitor, MonitorResult
from notifications.models import Delivery
from tests.factories import ComponentFactory, SubscriberFactory
from tests.probes_support import DnsResponder, TcpListener
from uptime.models import StatusInterval

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
SCALE = 0.05
INTERVAL = 30  # the monitors' interval_seconds: the minimum
TICK = INTERVAL * SCALE  # seconds between two checks of a monitor from one location
DEADLINE = 30  # seconds any one wait may take before the test fails
API_ZONE = {"api.example.test.": {"A": ["192.0.2.10"]}}
ELSEWHERE = {"api.example.test.": {"A": ["198.51.100.7"]}}  # a region's resolver gone wrong
OUTAGE = [("incident_created", "investigating"), ("incident_resolved", "resolved")]


# ---- processes ----------------------------------------------------------------------------


class Cluster:
    """Worker and beat processes, each in its own process group, logging to files."""

    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir = env, log_dir
        self.processes: list[tuple[Path, subprocess.Popen]] = []
        self.default: subprocess.Popen | None = None
        self.resolvers = {
            location: DnsResponder(zone=dict(API_ZONE)) for location in ("default", "eu")
        }

    def _start(self, name: str, *args: str, env: dict | None = None):
        path = self.log_dir / f"{len(self.processes):02d}-{name}.log"
        with open(path, "wb") as log:
            process = subprocess.Popen(
                [CELERY, "-A", "config", *args],
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append((path, process))
        return path, process

    def worker(self, *extra: str, name="default", env=None, wait=True) -> subprocess.Popen:
        """A worker tree (as `make worker` starts one, or with ``-Q``), once it is ready."""
        path, process = self._start(
            f"worker-{name}",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=INFO",
            "-n",
            f"monitors-{name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
            *extra,
            env=env,
        )
        process.log_path = path
        if wait:
            self.wait_ready(process, name)
        return process

    def wait_ready(self, process: subprocess.Popen, name: str) -> None:
        def ready():
            if process.poll() is not None:
                raise AssertionError(f"the {name} worker exited\n{self.logs()}")
            return re.search(rb"@\S+ ready\.", process.log_path.read_bytes()) is not None

        _wait_for(ready, f"the {name} worker to be ready", self, timeout=60)

    def default_worker(self) -> subprocess.Popen:
        """The worker serving every queue (location ``default``), started again if dead."""
        if self.default is None or self.default.poll() is not None:
            self.default = self.worker(env=self.resolver_env("default"))
        return self.default

    def resolver_env(self, location: str) -> dict:
        """Each location's workers ask their own DNS resolver (as in their own region)."""
        return {"MONITOR_DNS_NAMESERVERS": self.resolvers[location].address}

    def beat(self) -> subprocess.Popen:
        return self._start("beat", "beat", "--loglevel=INFO", "-s", str(self.log_dir / "beat"))[1]

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL the process and its pool children, as a machine dying would."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for _, process in self.processes:
            with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(process)
        for resolver in self.resolvers.values():
            resolver.close()

    def logs(self) -> str:
        return "\n".join(
            f"==> {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path, _ in self.processes
        )


def _wait_for(condition, what: str, cluster: Cluster | None = None, timeout: float = DEADLINE):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    logs = cluster.logs() if cluster else ""
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _purge_broker():
    celery_app.control.purge()
    with celery_app.connection_for_write() as conn:
        conn.default_channel.client.delete("unacked", "unacked_index")


@pytest.fixture(scope="module")
def cluster(django_db_setup, tmp_path_factory):
    """Beat, a default worker and an "eu" one for the module, on the database pytest-django
    created."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    test_db = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    _purge_broker()
    env = {
        **os.environ,
        "DATABASE_URL": test_db,
        "SECRET_KEY": django_settings.SECRET_KEY,
        "DEBUG": "false",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",  # the loopback webhook sink
        "MONITOR_ALLOW_PRIVATE_NETWORKS": "true",  # the loopback targets
        "MONITORS_TIME_SCALE": str(SCALE),
        "MONITORS_DISPATCH_SECONDS": "0.2",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    werkzeug_logger = logging.getLogger("werkzeug")  # the loopback servers' access logs
    werkzeug_level = werkzeug_logger.level
    werkzeug_logger.setLevel(logging.WARNING)
    started = Cluster(env, tmp_path_factory.mktemp("monitors-worker"))
    started.beat()
    # A second location: a worker that checks for "eu" only (as in another region).
    eu = started.worker("-Q", "monitors.eu", name="eu", env=started.resolver_env("eu"), wait=False)
    started.default_worker()
    started.wait_ready(eu, "eu")
    yield started
    started.stop_all()
    _purge_broker()
    werkzeug_logger.setLevel(werkzeug_level)


@pytest.fixture
def monitoring(cluster, transactional_db, settings):
    """The running cluster, with this process configured as the workers are (pings and the
    API run here)."""
    settings.MONITOR_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.MONITORS_TIME_SCALE = SCALE
    settings.MONITORS_DISPATCH_SECONDS = 0.2
    cluster.default_worker()
    yield cluster
    for resolver in cluster.resolvers.values():
        resolver.zone = dict(API_ZONE)


# ---- loopback targets and the subscriber's receiver -----------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: str = "ok"
    delay: float = 0.0


class Target:
    """An HTTP server on 127.0.0.1 whose answer per path the test sets: one answer, or a
    script of answers given in turn (the last one then repeats)."""

    def __init__(self):
        self.server = HTTPServer(host="127.0.0.1", threaded=True)
        self.server.start()
        self.answers: dict[str, list[Answer]] = {}
        self.lock = threading.Lock()
        self.in_flight = 0
        self.started: list[tuple[str, float]] = []  # (path, when a request came)
        self.server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def answer(self, path: str, **answer) -> None:
        self.script(path, Answer(**answer))

    def script(self, path: str, *answers: Answer) -> None:
        with self.lock:
            self.answers[path] = list(answers)

    def _handle(self, request):
        with self.lock:
            script = self.answers.get(request.path) or [Answer(404, "no such path")]
            answer = script.pop(0) if len(script) > 1 else script[0]
            self.in_flight += 1
            self.started.append((request.path, time.time()))
        try:
            time.sleep(answer.delay)
            return Response(answer.body, status=answer.status)
        finally:
            with self.lock:
                self.in_flight -= 1

    def close(self):
        self.server.clear()
        self.server.stop()


@pytest.fixture
def target():
    server = Target()
    yield server
    server.close()


class Sink:
    """A page-wide webhook subscriber's receiver: what each notification said, in order."""

    def __init__(self):
        self.server = HTTPServer(host="127.0.0.1", threaded=True)
        self.server.start()
        self.received: list[tuple[str, str, str]] = []  # (webhook-id, event, status)
        self.lock = threading.Lock()
        self.server.expect_request("/hook", method="POST").respond_with_handler(self._handle)

    def _handle(self, request):
        body = request.get_json()
        if "component_update" in body:
            status = body["component_update"]["new_status"]
        else:
            status = body["incident"]["status"]
        with self.lock:
            self.received.append((request.headers["webhook-id"], body["meta"]["event"], status))
        return Response("ok")

    def said(self) -> list[tuple[str, str]]:
        with self.lock:
            return [(event, status) for _, event, status in self.received]

    def close(self):
        self.server.clear()
        self.server.stop()


@pytest.fixture
def sink(page):
    receiver = Sink()
    SubscriberFactory(page=page, endpoint=receiver.server.url_for("/hook"))
    yield receiver
    receiver.close()


@pytest.fixture
def component(page):
    return ComponentFactory(page=page, name="API")


# ---- reading what a user sees ---------------------------------------------------------------


def _create(api, page, **body) -> str:
    body = {"name": "API", "interval_seconds": INTERVAL, "timeout_seconds": 5, **body}
    response = api.post(f"/api/v1/status-pages/{page.id}/monitors", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def _state(monitor_id: str) -> str:
    return Monitor.objects.get(id=monitor_id).state


def _results(monitor_id: str, location: str | None = None) -> list[MonitorResult]:
    results = MonitorResult.objects.filter(monitor_id=monitor_id).order_by("checked_at", "id")
    return list(results.filter(location=location) if location else results)


def _component_status(api, page, component) -> str:
    url = f"/api/v1/status-pages/{page.id}/components/{component.id}"
    return api.get(url).json()["status"]


def _uptime(component) -> list[tuple[str, bool]]:
    """The component's recorded non-operational stretches: (status, ended)."""
    return [
        (interval.status, interval.ended_at is not None)
        for interval in StatusInterval.objects.filter(component=component)
    ]


def _wait_for_state(cluster, monitor_id: str, state: str, why: str, timeout: float = DEADLINE):
    _wait_for(
        lambda: _state(monitor_id) == state,
        f"the monitor to be {state} ({why})",
        cluster,
        timeout=timeout,
    )


def _wait_for_more_checks(cluster, monitor_id: str, count: int):
    """``count`` more results of the monitor recorded (time passing on the monitor's clock)."""
    before = MonitorResult.objects.filter(monitor_id=monitor_id).count()
    _wait_for(
        lambda: MonitorResult.objects.filter(monitor_id=monitor_id).count() >= before + count,
        f"{count} more checks",
        cluster,
    )


def _failing_since(monitor_id: str, location: str, threshold: int):
    """When the location's last run of failures reached ``threshold``."""
    run, reached = 0, None
    for result in _results(monitor_id, location):
        run = 0 if result.ok else run + 1
        if run == threshold:
            reached = result.checked_at
    return reached


def _timeline(monitor_id: str) -> str:
    monitor = Monitor.objects.get(id=monitor_id)
    rows = [
        f"{r.checked_at:%H:%M:%S.%f} {r.location} {'ok' if r.ok else 'failed'}"
        for r in _results(monitor_id)
    ]
    return f"state {monitor.state} since {monitor.state_changed_at:%H:%M:%S.%f}; " + "; ".join(rows)


def _assert_one_outage(api, page, component, sink, *, down_status="major_outage"):
    """Exactly one incident, resolved; one notification when it opened and one when it was
    resolved (each delivered once); the outage recorded in uptime, and over."""
    sent = Delivery.objects.filter(page=page, status="sent")
    _wait_for(
        lambda: len(sink.said()) >= 2 and sent.count() >= 2,
        "the outage's two notifications, received and recorded as sent",
    )
    assert sink.said() == OUTAGE
    incidents = list(Incident.objects.filter(page=page))
    assert len(incidents) == 1
    assert incidents[0].status == "resolved"
    assert sorted(sent.values_list("id", flat=True)) == sorted(id_ for id_, *_ in sink.received)
    assert _uptime(component) == [(down_status, True)]
    assert _component_status(api, page, component) == "operational"
    return incidents[0]


# ---- the scenarios --------------------------------------------------------------------------


def test_a_target_flipping_between_200_and_500_is_down_once_with_one_incident(
    monitoring, api, page, component, target, sink
):
    # Up (two successes); one failure, inside the threshold; down (two failures); one success
    # while down, inside the recovery threshold; up again (two successes).
    flips = [200, 200, 500, 200, 500, 500, 200, 500, 200, 200]
    target.script("/flip", *(Answer(status) for status in flips))
    monitor_id = _create(
        api,
        page,
        kind="http",
        target=target.url("/flip"),
        failure_threshold=2,
        recovery_threshold=2,
        component_id=component.id,
        open_incident=True,
    )

    _wait_for_state(monitoring, monitor_id, "down", "two failures in a row")
    assert _component_status(api, page, component) == "major_outage"
    _wait_for(
        lambda: len(_results(monitor_id)) >= len(flips) and _state(monitor_id) == "up",
        "the flips to be checked and the monitor up again",
        monitoring,
    )

    # Each check saw the next answer, one check per interval (never two within half of one).
    checks = _results(monitor_id)[: len(flips)]
    assert [r.status_code for r in checks] == flips
    gaps = [(b.checked_at - a.checked_at).total_seconds() for a, b in pairwise(checks)]
    assert min(gaps) >= TICK / 2, gaps
    _assert_one_outage(api, page, component, sink)
    _wait_for_more_checks(monitoring, monitor_id, 1)
    assert len(sink.said()) == 2 and Incident.objects.filter(page=page).count() == 1
    assert _state(monitor_id) == "up"


def test_a_slow_target_makes_its_component_degraded_until_it_is_fast_again(
    monitoring, api, page, component, target, sink
):
    target.answer("/slow")
    monitor_id = _create(
        api,
        page,
        kind="http",
        target=target.url("/slow"),
        http={"latency_degraded_ms": 400},
        failure_threshold=1,
        recovery_threshold=1,
        component_id=component.id,
        open_incident=True,
    )
    _wait_for_state(monitoring, monitor_id, "up", "a fast answer")

    target.answer("/slow", delay=0.8)
    _wait_for_state(monitoring, monitor_id, "degraded", "an answer slower than 400 ms")
    assert _component_status(api, page, component) == "degraded_performance"
    slow = _results(monitor_id)[-1]
    assert slow.ok and slow.latency_ms >= 400

    target.answer("/slow")
    _wait_for_state(monitoring, monitor_id, "up", "a fast answer again")
    assert _component_status(api, page, component) == "operational"
    # Slow is no outage: no incident; subscribers hear of the component's two changes.
    _wait_for(lambda: len(sink.said()) >= 2, "two component notifications")
    assert sink.said() == [
        ("component_updated", "degraded_performance"),
        ("component_updated", "operational"),
    ]
    assert not Incident.objects.filter(page=page).exists()
    assert _uptime(component) == [("degraded_performance", True)]


def test_a_page_that_loses_its_keyword_is_down_until_the_keyword_is_back(
    monitoring, api, page, component, target, sink
):
    target.answer("/status", body="<h1>All systems operational</h1>")
    monitor_id = _create(
        api,
        page,
        kind="http",
        target=target.url("/status"),
        http={"keyword": "All systems operational"},
        failure_threshold=1,
        recovery_threshold=1,
        component_id=component.id,
        open_incident=True,
    )
    _wait_for_state(monitoring, monitor_id, "up", "the keyword in the body")

    target.answer("/status", body="<h1>Down for maintenance</h1>")  # still a 200
    _wait_for_state(monitoring, monitor_id, "down", "the keyword gone")
    assert _component_status(api, page, component) == "major_outage"
    failed = _results(monitor_id)[-1]
    assert (failed.ok, failed.status_code) == (False, 200)
    assert "All systems operational" in failed.error

    target.answer("/status", body="<h1>All systems operational</h1>")
    _wait_for_state(monitoring, monitor_id, "up", "the keyword back")
    incident = _assert_one_outage(api, page, component, sink)
    first = IncidentUpdate.objects.filter(incident=incident).order_by("created_at").first()
    assert failed.error in first.message


def test_a_tcp_port_that_closes_is_down_until_it_listens_again(
    monitoring, api, page, component, sink
):
    listener = TcpListener()
    port = listener.port
    try:
        monitor_id = _create(
            api,
            page,
            kind="tcp",
            target=f"127.0.0.1:{port}",
            failure_threshold=1,
            recovery_threshold=1,
            component_id=component.id,
            open_incident=True,
        )
        _wait_for_state(monitoring, monitor_id, "up", "the port accepting")
        assert listener.accepted >= 1

        listener.close()
        _wait_for_state(monitoring, monitor_id, "down", "the port closed")
        assert _component_status(api, page, component) == "major_outage"
        assert _results(monitor_id)[-1].ok is False

        listener = TcpListener(port)
        _wait_for_state(monitoring, monitor_id, "up", "the port listening again")
        _assert_one_outage(api, page, component, sink)
    finally:
        listener.close()


def test_a_heartbeat_that_stops_pinging_is_down_until_its_next_ping(
    monitoring, api, page, component, sink
):
    period, grace = 60, 30  # 3 s + 1.5 s here
    response = api.post(
        f"/api/v1/status-pages/{page.id}/monitors",
        {
            "name": "Nightly backup",
            "kind": "heartbeat",
            "heartbeat": {"period_seconds": period, "grace_seconds": grace},
            "component_id": component.id,
            "open_incident": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    monitor_id = response.json()["id"]
    ping = response.json()["heartbeat"]["ping_url"].removeprefix(django_settings.PUBLIC_BASE_URL)
    job = Client()

    assert job.get(ping).content == b"OK"
    # Queued on Redis and applied by beat within a dispatch period (0.2 s here).
    _wait_for_state(monitoring, monitor_id, "up", "the ping applied", timeout=2)

    _wait_for_state(monitoring, monitor_id, "down", "no ping within period + grace")
    assert _component_status(api, page, component) == "major_outage"
    monitor = Monitor.objects.get(id=monitor_id)
    silence = monitor.state_changed_at - monitor.last_ping_at
    assert silence >= timedelta(seconds=(period + grace) * SCALE)  # not before its deadline

    assert job.get(ping).status_code == 200
    _wait_for_state(monitoring, monitor_id, "up", "the ping applied", timeout=2)
    assert _component_status(api, page, component) == "operational"

    pinged = [time.monotonic()]

    def notified():
        if time.monotonic() - pinged[0] > 1:  # the job keeps running: no second outage
            job.get(ping)
            pinged[0] = time.monotonic()
        return len(sink.said()) >= 2

    _wait_for(notified, "the outage's two notifications", monitoring)
    _assert_one_outage(api, page, component, sink)


def test_a_location_alone_does_not_take_a_monitor_down_but_two_of_three_do(
    monitoring, api, page, component, sink
):
    # Three locations: workers serve "default" and "eu", each asking its own resolver; nothing
    # serves "us". Two of three make the quorum.
    monitor_id = _create(
        api,
        page,
        kind="dns",
        target="api.example.test",
        dns={"record_type": "A", "expected": "192.0.2.10"},
        locations=["default", "eu", "us"],
        failure_threshold=2,
        recovery_threshold=1,
        component_id=component.id,
        open_incident=True,
    )
    live = ("default", "eu")
    _wait_for(
        lambda: all(len(_results(monitor_id, where)) >= 2 for where in live),
        "two checks from each live location",
        monitoring,
    )
    # The silent location holds nothing back: up no later than the check that made two of
    # three.
    first_ok = [_results(monitor_id, where)[0] for where in live]
    assert all(r.ok for r in first_ok)
    _wait_for_state(monitoring, monitor_id, "up", "a success in two locations of three")
    up_at = Monitor.objects.get(id=monitor_id).state_changed_at
    assert up_at <= max(r.checked_at for r in first_ok), _timeline(monitor_id)

    # The eu resolver goes wrong: one failing location (and a silent one) is no quorum.
    monitoring.resolvers["eu"].zone = ELSEWHERE
    _wait_for(
        lambda: [r.ok for r in _results(monitor_id, "eu")][-3:] == [False] * 3,
        "three failures in a row in eu",
        monitoring,
    )
    assert _state(monitor_id) == "up"
    assert _component_status(api, page, component) == "operational"
    assert "198.51.100.7" in _results(monitor_id, "eu")[-1].error

    # The default location sees it too: two of three.
    monitoring.resolvers["default"].zone = ELSEWHERE
    _wait_for_state(monitoring, monitor_id, "down", "two failing locations of three")
    assert _component_status(api, page, component) == "major_outage"
    for where in live:
        assert [r.ok for r in _results(monitor_id, where)][-2:] == [False, False], where
    # Down no later than the check that made the second location's second failure in a row.
    down_at = Monitor.objects.get(id=monitor_id).state_changed_at
    assert down_at <= max(_failing_since(monitor_id, where, 2) for where in live), _timeline(
        monitor_id
    )
    assert not _results(monitor_id, "us")
    _wait_for(lambda: len(sink.said()) >= 1, "the outage's notification", monitoring)
    _wait_for_more_checks(monitoring, monitor_id, 2)  # a round from each location
    assert sink.said() == OUTAGE[:1]
    assert Incident.objects.filter(page=page).count() == 1


def test_a_worker_killed_mid_round_skips_no_monitor_for_more_than_one_interval(
    monitoring, api, page, target
):
    target.answer("/fleet", delay=0.2)  # probes are in flight most of the time
    monitor_ids = [
        _create(api, page, name=f"Service {n}", kind="http", target=target.url("/fleet"))
        for n in range(20)
    ]

    def checked_by_all(count, since=None):
        rows = MonitorResult.objects.filter(monitor_id__in=monitor_ids)
        if since is not None:
            rows = rows.filter(checked_at__gte=since)
        counts = {m: 0 for m in monitor_ids}
        for monitor_id in rows.values_list("monitor_id", flat=True):
            counts[monitor_id] += 1
        return min(counts.values()) >= count

    _wait_for(lambda: checked_by_all(1), "every monitor checked", monitoring)
    _wait_for(lambda: target.in_flight > 0, "a probe in flight", monitoring)
    monitoring.kill(monitoring.default)
    killed_at = timezone.now()

    monitoring.default_worker()  # the same worker, restarted
    ready_at = timezone.now()
    _wait_for(
        lambda: checked_by_all(3, since=ready_at),
        "three checks of every monitor after the restart",
        monitoring,
    )

    # A probe may start late (the machine is busy): half an interval of slack.
    allowed = timedelta(seconds=2 * TICK + TICK / 2)
    longest = timedelta(0)
    for monitor_id in monitor_ids:
        times = [r.checked_at for r in _results(monitor_id)]
        after = [t for t in times if t >= killed_at]
        assert after and after[0] - ready_at <= allowed, (monitor_id, ready_at, after[:1])
        gaps = [b - a for a, b in pairwise(after)]
        assert max(gaps) <= allowed, (monitor_id, [g.total_seconds() for g in gaps])
        longest = max(longest, after[0] - ready_at, *gaps)
    print(
        f"restart took {(ready_at - killed_at).total_seconds():.1f} s; longest wait for a "
        f"check after it: {longest.total_seconds():.2f} s (interval {TICK} s)"
    )


def test_a_worker_stopped_gracefully_records_the_probe_it_had_in_flight(
    monitoring, api, page, target
):
    target.answer("/slow", delay=1.0)  # a check takes 1 s of its 1.5 s interval
    monitor_id = _create(api, page, name="Slow service", kind="http", target=target.url("/slow"))
    _wait_for(lambda: len(_results(monitor_id)) >= 1, "a first check", monitoring)
    _wait_for(lambda: target.in_flight > 0, "a probe in flight", monitoring)
    in_flight_since = max(when for path, when in target.started if path == "/slow")

    worker = monitoring.default
    worker.send_signal(signal.SIGTERM)  # a deploy's stop: Celery's warm shutdown
    worker.wait(timeout=DEADLINE)

    assert target.in_flight == 0
    latest = _results(monitor_id)[-1]
    # The probe that was in flight, not the one before it (an interval, 1.5 s, earlier).
    assert latest.checked_at.timestamp() >= in_flight_since - 0.5, (latest, in_flight_since)
    assert latest.ok and latest.latency_ms >= 1000
    monitoring.default_worker()  # started again for the tests after this one
