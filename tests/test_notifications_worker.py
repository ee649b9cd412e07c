"""With a real Redis broker and real `celery -A config worker` processes on the test database:
a worker killed with SIGKILL mid-batch loses and duplicates nothing, and an event published
while the broker is down is delivered by the periodic sweep once it is back."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from werkzeug import Response

from config.celery import app as celery_app
from notifications.models import Delivery, NotificationEvent
from notifications.tasks import event_record
from subscribers.models import Subscriber
from tests.factories import StatusPageFactory, SubscriberFactory
from tests.notifications_support import incident_event, incident_make

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
DEADLINE = 90  # seconds any one wait may take before the test fails


def _wait_for(condition, what: str, workers=None, timeout: float = DEADLINE):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    logs = workers.logs() if workers else ""
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


class Workers:
    """Starts worker processes (each in its own process group) and kills what it started."""

    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.processes = env, log_dir, []

    def start(self, *extra: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.log_dir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=4",
                "--loglevel=INFO",
                "-n",
                f"notify-test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                *extra,
            ],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool children, as a machine dying would."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self):
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(process)

    def logs(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")[-3000:]
            for path in sorted(self.log_dir.glob("worker-*.log"))
        )


def _purge_broker():
    celery_app.control.purge()
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index")


@pytest.fixture
def worker_env(transactional_db, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    parts = urlsplit(os.environ["DATABASE_URL"])
    test_db = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    _purge_broker()
    return {
        **os.environ,
        "DATABASE_URL": test_db,  # the database pytest-django created for this run
        "SECRET_KEY": django_settings.SECRET_KEY,
        "DEBUG": "false",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def workers(worker_env, tmp_path):
    started = Workers(worker_env, tmp_path)
    yield started
    started.stop_all()
    _purge_broker()


@pytest.fixture
def counting_sink():
    """Counts every webhook-id the moment a request arrives (before answering); answers
    requests in parallel, as many receivers would."""
    from pytest_httpserver import HTTPServer

    httpserver = HTTPServer(host="127.0.0.1", threaded=True)
    httpserver.start()
    received: Counter = Counter()
    lock = threading.Lock()

    def handler(request):
        with lock:
            received[request.headers["webhook-id"]] += 1
        time.sleep(0.1)  # slow enough that a kill lands mid-fan-out
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    yield httpserver, received
    httpserver.clear()
    httpserver.stop()


def _publish(page):
    with transaction.atomic():
        return event_record(incident_event(page, incident_make(page)))


def test_a_worker_killed_mid_batch_delivers_each_notification_exactly_once(
    page, workers, counting_sink
):
    sink, received = counting_sink
    total = 2000
    Subscriber.objects.bulk_create(
        SubscriberFactory.build_batch(total, page=page, endpoint=sink.url_for("/hook"))
    )
    first = workers.start()
    event = _publish(page)  # after commit: fan-out queued on the real broker
    sent = Delivery.objects.filter(event=event, status="sent")
    _wait_for(lambda: sent.count() >= 300, "the first sends to be recorded", workers)
    workers.kill(first)
    time.sleep(0.2)  # let the sink finish a request the dead worker had started
    in_flight = set(
        Delivery.objects.filter(event=event, status="sending").values_list("id", flat=True)
    )
    sent_before = sent.count()
    assert 0 < sent_before < total, "the kill must land mid-batch"

    # The dead worker's messages stay unacknowledged in Redis; its claim is a lease it no
    # longer renews, so the periodic sweep of a restarted worker (default settings) takes the
    # rows back and sends them within a minute.
    workers.start("-B", "-s", str(workers.log_dir / "beat-schedule"))
    _wait_for(
        lambda: sent.count() == total,
        f"all {total} deliveries to be sent within 60 s of the restart",
        workers,
        timeout=60,
    )

    deliveries = list(Delivery.objects.filter(event=event))
    assert len(deliveries) == total == len({d.subscriber_id for d in deliveries})
    assert set(received) == {d.id for d in deliveries}
    # What the dead worker had sent but not yet recorded cannot be taken back; the webhook-id
    # lets the receiver drop the repeat. Nothing it had recorded is ever sent twice.
    repeated = {delivery_id for delivery_id, count in received.items() if count > 1}
    assert repeated <= in_flight
    assert all(count <= 2 for count in received.values())
    print(
        f"sent before the kill: {sent_before}, in flight: {len(in_flight)}, "
        f"repeated at the sink: {len(repeated)}"
    )


def test_an_event_published_while_the_broker_is_down_is_delivered_when_it_returns(
    page, workers, worker_env, counting_sink
):
    sink, received = counting_sink
    subscriber = SubscriberFactory(page=page, endpoint=sink.url_for("/hook"))
    event = incident_event(page, incident_make(page))
    event_kwargs = {
        "kind": event.kind,
        "publish_key": event.publish_key,
        "incident_id": event.incident_id,
        "incident_update_id": event.incident_update_id,
        "payload": event.as_payload(),
    }
    script = (
        "import django, json, os; django.setup()\n"
        "from django.db import transaction\n"
        "from notifications.tasks import event_record\n"
        "from statuspages.publishing import PublishedEvent\n"
        "kwargs = json.loads(os.environ['EVENT'])\n"
        "with transaction.atomic():\n"
        "    print(event_record(PublishedEvent.from_payload(**kwargs)).id)\n"
    )
    down = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **worker_env,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "EVENT": json.dumps(event_kwargs),
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
        },  # nothing listens there
    )
    assert down.returncode == 0, down.stderr
    assert "Could not queue fan-out" in down.stderr  # the publish itself succeeded
    event = NotificationEvent.objects.get(id=down.stdout.strip().splitlines()[-1])
    assert event.state == "pending" and not Delivery.objects.exists()

    # The broker is back: a worker with the periodic sweep (beat, default settings) picks the
    # event up within 30 s.
    workers.start("-B", "-s", str(workers.log_dir / "beat-schedule"))
    _wait_for(
        lambda: Delivery.objects.filter(event=event, status="sent").exists(),
        "the swept event to be delivered within 30 s of the broker's return",
        workers,
        timeout=30,
    )
    delivery = Delivery.objects.get(event=event)
    assert delivery.subscriber_id == subscriber.id
    time.sleep(2.5)  # more sweeps run; none may send it again
    assert received == Counter({delivery.id: 1})


def test_a_large_pages_fan_out_waits_on_the_bulk_queue_not_in_front_of_a_small_page(
    page, organization, workers, counting_sink
):
    sink, received = counting_sink
    small = StatusPageFactory(organization=organization, name="Small", slug="small")
    hook = sink.url_for("/hook")
    large_subscribers = [SubscriberFactory(page=page, endpoint=hook) for _ in range(6)]
    small_subscriber = SubscriberFactory(page=small, endpoint=hook)
    bulk_above_5 = {"NOTIFICATIONS_BULK_SUBSCRIBERS": "5"}
    # This worker takes only the default queue: the large page's work must not need it.
    workers.start("-Q", "celery", env=bulk_above_5)
    large_event = _publish(page)
    small_event = _publish(small)
    _wait_for(
        lambda: Delivery.objects.filter(event=small_event, status="sent").exists(),
        "the small page's notification",
        workers,
    )
    assert Delivery.objects.get(event=small_event).subscriber_id == small_subscriber.id
    assert not Delivery.objects.filter(event=large_event).exists()

    workers.start(env=bulk_above_5)  # a worker as `make worker` starts it: every queue
    sent = Delivery.objects.filter(event=large_event, status="sent")
    _wait_for(lambda: sent.count() == 6, "the large page's notifications", workers)
    assert {d.subscriber_id for d in sent} == {s.id for s in large_subscribers}
    assert sum(received.values()) == 7


def test_a_second_worker_shares_a_large_fan_out(page, workers, counting_sink):
    """Two process trees, as on two machines: both create deliveries and both send."""
    sink, received = counting_sink
    total = 2000
    Subscriber.objects.bulk_create(
        SubscriberFactory.build_batch(total, page=page, endpoint=sink.url_for("/hook"))
    )
    small_tasks = {
        "NOTIFICATIONS_FANOUT_TASK_SUBSCRIBERS": "500",
        "NOTIFICATIONS_SEND_BATCH": "100",
    }
    workers.start(env=small_tasks)
    workers.start(env=small_tasks)
    time.sleep(3)  # both connected to the broker before the work arrives
    event = _publish(page)
    sent = Delivery.objects.filter(event=event, status="sent")
    _wait_for(lambda: sent.count() == total, f"all {total} deliveries to be sent", workers)
    assert sorted(received) == sorted(d.id for d in Delivery.objects.filter(event=event))
    assert all(count == 1 for count in received.values())
    for log in sorted(workers.log_dir.glob("worker-*.log")):
        text = log.read_text(errors="replace")
        sends = len(re.findall(r"deliveries_send\[[^\]]+\] succeeded", text))
        fan_outs = len(re.findall(r"event_fan_out\[[^\]]+\] succeeded", text))
        print(f"{log.name}: {sends} send tasks, {fan_outs} fan-out tasks")
        assert sends > 0, f"{log.name} sent nothing"
