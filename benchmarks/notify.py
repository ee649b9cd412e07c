"""How long fan-out to many subscribers takes, against a sink on 127.0.0.1.

Without REDIS_URL: SQLite and eager Celery, everything in this process (one sender).
With REDIS_URL and a PostgreSQL DATABASE_URL: real `celery -A config worker` processes
(``--workers``, ``--concurrency``) on a throw-away test database, as in production.

The sink (benchmarks/sinks.py, its own asyncio process) answers after ``--latency-ms`` and
counts every message by id; its own ceiling is measured first in the same run.

    python -m benchmarks.notify [--subscribers 10000] [--latency-ms 0]
        [--channel webhook|email] [--workers 1] [--concurrency 4]
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import cpu_model, pss_kib

ROOT = Path(__file__).resolve().parent.parent


class Sink:
    """benchmarks.sinks in a subprocess: an HTTP port (webhooks, stats) and an SMTP port."""

    def __init__(self, latency_ms: float):
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "benchmarks.sinks", "serve", f"--latency-ms={latency_ms}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        words = self.process.stdout.readline().split()
        self.http_port, self.smtp_port = int(words[1]), int(words[3])

    def stats(self) -> dict:
        url = f"http://127.0.0.1:{self.http_port}/_stats"
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our sink
            return json.loads(response.read())

    def ceiling(self, connections: int, seconds: float = 3.0) -> float:
        """Requests/s the sink answers on its own, from a load generator in another process."""
        out = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "benchmarks.sinks",
                "load",
                f"--port={self.http_port}",
                f"--connections={connections}",
                f"--seconds={seconds}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)["rate"]

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = "true"
    import django

    django.setup()


def _start_workers(count: int, concurrency: int, extra_env: dict) -> list[subprocess.Popen]:
    from django.conf import settings
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        **extra_env,
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


def _subscribers_create(page, count: int, channel: str, endpoint: str) -> None:
    # Imported here: the project's modules need django.setup(), which main() runs first.
    from django.utils import timezone

    from subscribers.models import Subscriber, new_signing_secret

    now = timezone.now()
    for start in range(0, count, 5000):
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    page=page,
                    channel=channel,
                    confirmed_at=now,
                    **(
                        {"endpoint": endpoint, "signing_secret": new_signing_secret()}
                        if channel == "webhook"
                        else {"email": f"reader{start + index}@example.com"}
                    ),
                )
                for index in range(min(5000, count - start))
            ],
            batch_size=1000,
        )


def _run(args) -> int:
    # Imported here: the project's modules need django.setup(), which main() runs first.
    from django.conf import settings
    from django.db import connection
    from rest_framework.test import APIClient

    from accounts.services import api_key_create, organization_get_or_create
    from config.celery import app as celery_app
    from notifications.models import Delivery, NotificationEvent
    from statuspages.services import status_page_create

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    # Workers need a database they can share: PostgreSQL (SQLite's test database is in memory).
    real_workers = (
        bool(os.environ.get("REDIS_URL")) and args.workers > 0 and connection.vendor == "postgresql"
    )
    celery_app.conf.task_always_eager = not real_workers
    sink = Sink(args.latency_ms)
    email_url = f"smtp://127.0.0.1:{sink.smtp_port}"
    # The sink stands for many receivers: one send task may use all its connections on it.
    worker_env = {
        "EMAIL_URL": email_url,
        "OUTBOUND_CONNECTIONS_PER_HOST": str(settings.NOTIFICATIONS_SEND_CONCURRENCY),
    }
    settings.OUTBOUND_CONNECTIONS_PER_HOST = settings.NOTIFICATIONS_SEND_CONCURRENCY
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.smtp_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    count = args.subscribers
    organization, _ = organization_get_or_create(slug="bench-notify")
    page = status_page_create(organization=organization, name="Bench notify", slug="bench-notify")
    quiet = status_page_create(organization=organization, name="Bench quiet", slug="bench-quiet")
    _, token = api_key_create(organization=organization, name="bench", scopes=["incidents:write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    keys = iter(range(10**9))

    def incident_post(on_page) -> float:
        started = time.perf_counter()
        response = client.post(
            f"/api/v1/status-pages/{on_page.id}/incidents",
            {"name": "Benchmark", "message": "Benchmarking fan-out."},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"bench-notify-{next(keys)}",
        )
        assert response.status_code == 201, response.content
        return time.perf_counter() - started

    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}, shared with PostgreSQL, Redis, the sink"
    )
    connections = 2000 if args.latency_ms else 200
    ceiling = sink.ceiling(connections)
    print(
        f"sink ceiling: {ceiling:.0f} requests/s "
        f"({connections} keep-alive connections, {args.latency_ms:g} ms latency)"
    )
    started = time.perf_counter()
    _subscribers_create(page, count, args.channel, f"http://127.0.0.1:{sink.http_port}/hook")
    print(f"created {count} {args.channel} subscribers in {time.perf_counter() - started:.1f} s")
    processes = _start_workers(args.workers, args.concurrency, worker_env) if real_workers else []
    pids = [process.pid for process in processes] or [os.getpid()]
    try:
        if processes:
            time.sleep(5)  # workers connect to the broker
        quiet_posts = sorted(incident_post(quiet) for _ in range(5))
        time.sleep(1)
        pss_start = pss_max = pss_kib(pids)
        mode = (
            f"{args.workers} worker(s) x {args.concurrency} processes, {connection.vendor}, Redis"
            if processes
            else f"eager in-process, {connection.vendor}"
        )
        started = time.perf_counter()
        post_seconds = incident_post(page)  # through the API and the publishing pipeline
        event = NotificationEvent.objects.filter(page=page).get()
        fanned_out = sent = pss_warm = None
        deadline = time.perf_counter() + 1800
        done = 0
        while time.perf_counter() < deadline:
            pss = pss_kib(pids)
            pss_max = max(pss_max, pss)
            if pss_warm is None and done >= count // 4:
                pss_warm = pss  # every process has sent a few batches
            if (
                fanned_out is None
                and NotificationEvent.objects.filter(id=event.id, state="fanned_out").exists()
            ):
                fanned_out = time.perf_counter() - started
            done = Delivery.objects.filter(event=event, status="sent").count()
            if done == count:
                sent = time.perf_counter() - started
                break
            time.sleep(0.25)
        time.sleep(1)  # a repeat would arrive now
        pss_end = pss_kib(pids)
        stats = sink.stats()
        if sent is None:
            print(f"timed out: {done}/{count} sent")
            return 1
        rate = count / sent
        print(
            f"fan-out to {count} {args.channel} subscribers, sink latency {args.latency_ms:g} ms"
            f" ({mode}; {settings.NOTIFICATIONS_SEND_BATCH} per send task,"
            f" {settings.NOTIFICATIONS_SEND_CONCURRENCY} in flight per task):"
        )
        print(f"  deliveries created and queued: {fanned_out:.1f} s")
        print(f"  all delivered (signed, SSRF-checked, recorded): {sent:.1f} s")
        print(f"  rate: {rate:.0f} deliveries/s = {rate / ceiling:.0%} of the sink's ceiling")
        print(
            f"  at the sink: {stats['received']} received, {stats['unique']} distinct,"
            f" {stats['duplicates']} duplicates"
        )
        pss_warm = pss_warm or pss_end
        print(
            f"  worker PSS (all processes): max {pss_max / 1024:.0f} MB;"
            f" {pss_start / 1024:.0f} MB idle, {pss_warm / 1024:.0f} MB at 25% sent,"
            f" {pss_end / 1024:.0f} MB at the end"
            f" (growth after warm-up {(pss_end - pss_warm) / 1024:+.0f} MB)"
        )
        print(
            f"  incident POST: {statistics.median(quiet_posts) * 1000:.0f} ms median without"
            f" subscribers, {post_seconds * 1000:.0f} ms with {count}"
        )
        return 0 if stats["unique"] >= count and stats["duplicates"] == 0 else 1
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            process.wait()
        sink.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--channel", choices=["webhook", "email"], default="webhook")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv if argv is not None else [])
    _setup_django()
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment

    with contextlib.suppress(RuntimeError):  # set up by an earlier benchmark in this process
        setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        return _run(args)
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
