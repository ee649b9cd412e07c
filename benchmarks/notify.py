"""How long fan-out to 10,000 webhook subscribers takes, against a sink on 127.0.0.1.

Without REDIS_URL: SQLite and eager Celery, everything in this process (one sender).
With REDIS_URL and a PostgreSQL DATABASE_URL: real `celery -A config worker` processes
(``--workers``, ``--concurrency``) on a throw-away test database, as in production.

    python -m benchmarks.notify [--subscribers 10000] [--workers 1] [--concurrency 8]
"""

import argparse
import contextlib
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
    disable_nagle_algorithm = True  # headers and body go out as two writes
    received = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with _Sink.lock:
            _Sink.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def _sink() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    server.request_queue_size = 512
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = "true"
    import django

    django.setup()


def _start_workers(count: int, concurrency: int) -> list[subprocess.Popen]:
    from django.conf import settings
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    return [
        subprocess.Popen(  # noqa: S603 - our own interpreter's celery
            [
                celery,
                "-A",
                "config",
                "worker",
                f"--concurrency={concurrency}",
                "--loglevel=WARNING",
                "-n",
                f"bench-notify-{index}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for index in range(count)
    ]


def _run(subscribers: int, workers: int, concurrency: int) -> int:
    # Imported here: the project's modules need django.setup(), which main() runs first.
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from accounts.services import organization_get_or_create
    from config.celery import app as celery_app
    from incidents.services import incident_create
    from notifications.models import Delivery, NotificationEvent
    from statuspages.services import status_page_create
    from subscribers.models import Subscriber, new_signing_secret

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    # Workers need a database they can share: PostgreSQL (SQLite's test database is in memory).
    real_workers = (
        bool(os.environ.get("REDIS_URL")) and workers > 0 and connection.vendor == "postgresql"
    )
    celery_app.conf.task_always_eager = not real_workers
    sink = _sink()
    endpoint = f"http://127.0.0.1:{sink.server_port}/hook"
    organization, _ = organization_get_or_create(slug="bench-notify")
    page = status_page_create(organization=organization, name="Bench notify", slug="bench-notify")
    started = time.perf_counter()
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                page=page,
                channel="webhook",
                endpoint=endpoint,
                confirmed_at=now,
                signing_secret=new_signing_secret(),
            )
            for _ in range(subscribers)
        ],
        batch_size=1000,
    )
    print(f"created {subscribers} webhook subscribers in {time.perf_counter() - started:.1f} s")
    processes = _start_workers(workers, concurrency) if real_workers else []
    try:
        if processes:
            time.sleep(3)  # workers connect to the broker
        mode = (
            f"{workers} worker(s) x {concurrency} processes, {connection.vendor}, Redis"
            if processes
            else f"eager in-process, {connection.vendor}"
        )
        started = time.perf_counter()
        # Through the real publishing pipeline, as an API call would.
        incident = incident_create(page=page, name="Benchmark", message="Benchmarking fan-out.")
        event = NotificationEvent.objects.get(incident_id=incident.id)
        fanned_out = sent = None
        deadline = time.perf_counter() + 1800
        while time.perf_counter() < deadline:
            if (
                fanned_out is None
                and NotificationEvent.objects.filter(id=event.id, state="fanned_out").exists()
            ):
                fanned_out = time.perf_counter() - started
            done = Delivery.objects.filter(event=event, status="sent").count()
            if done == subscribers:
                sent = time.perf_counter() - started
                break
            time.sleep(0.2)
        if sent is None:
            print(f"timed out: {done}/{subscribers} sent")
            return 1
        print(f"fan-out to {subscribers} webhook subscribers ({mode}):")
        print(f"  deliveries created and queued: {fanned_out:.1f} s")
        print(
            f"  all sent (signed, SSRF-checked, recorded): {sent:.1f} s "
            f"= {subscribers / sent:.0f} deliveries/s; the sink received {_Sink.received}"
        )
        return 0 if _Sink.received >= subscribers else 1
    finally:
        for process in processes:
            process.kill()
            process.wait()
        sink.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv if argv is not None else [])
    _setup_django()
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment

    with contextlib.suppress(RuntimeError):  # set up by an earlier benchmark in this process
        setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        return _run(args.subscribers, args.workers, args.concurrency)
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
