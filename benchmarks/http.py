"""Requests per second of cached public documents against a bare Django view, in one run:
gunicorn (2 sync workers) on 127.0.0.1, the load from ``wrk`` (32 connections), each target
between two runs of its yardstick (bare, target, bare) so the machine's noise hits both alike.
The yardstick is a Django view returning the target's own bytes through the same middleware
(benchmarks.urls).

On PostgreSQL + Redis when DATABASE_URL and REDIS_URL are set (a throw-away database
``<name>_bench_http`` beside the named one, its own cache key prefix), else on a SQLite file
in a temporary directory with each worker's local-memory cache.

    make bench            # or: python -m benchmarks.http   (BENCH_SECONDS=3, BENCH_ROUNDS=3)
"""

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    PYTHON,
    ROOT,
    WRK_CONNECTIONS,
    free_port,
    gunicorn_serve,
    http_get,
    postgres_database,
    wrk_rate,
)

# 30 components in 3 groups, 2 open incidents: summary.json is about 16 kB.
SEED = """
from accounts.services import organization_get_or_create
from incidents.services import incident_create
from statuspages.services import component_create, component_group_create, status_page_create

organization, _ = organization_get_or_create(slug="bench")
page = status_page_create(organization=organization, name="Bench", slug="bench")
groups = [component_group_create(page=page, name=f"Group {n}") for n in range(3)]
components = [
    component_create(page=page, name=f"Component {n}", group=groups[n % 3]) for n in range(30)
]
for n in range(2):
    incident_create(
        page=page,
        name=f"Incident {n}",
        message="Investigating.",
        component_statuses=[{"component_id": components[n].id, "status": "partial_outage"}],
    )
"""


def _measure(port: int, bare_dir: Path, server: subprocess.Popen, seconds: int, rounds: int):
    etag = http_get(port, "/pages/bench/api/v2/status.json")[1]["ETag"]
    targets = {
        "summary.json (path-routed)": ("/pages/bench/api/v2/summary.json", {}),
        "status.json (host-routed)": ("/api/v2/status.json", {"Host": "bench.localhost"}),
        "human page (path-routed)": ("/pages/bench/", {}),
        "304 of status.json (If-None-Match)": (
            "/pages/bench/api/v2/status.json",
            {"If-None-Match": etag},
        ),
    }
    # Each yardstick answers with its target's bytes (for the 304: status.json's body).
    for number, (path, headers) in enumerate(targets.values()):
        status, _, body = http_get(port, path, headers)
        if status == 304:
            status, _, body = http_get(port, path)
        assert status == 200, (path, status)
        (bare_dir / str(number)).write_bytes(body)
    assert http_get(port, *targets["304 of status.json (If-None-Match)"])[0] == 304
    server.send_signal(signal.SIGHUP)  # new workers read the yardstick bodies
    for _ in range(100):
        time.sleep(0.2)
        if http_get(port, f"/bench/bare/{len(targets) - 1}")[0] == 200:
            break
    bare = {name: (f"/bench/bare/{n}", {}) for n, name in enumerate(targets)}
    for name, target in targets.items():
        wrk_rate(port, *target, 1)  # warm every worker, connection and cache entry
        wrk_rate(port, *bare[name], 1)
    rates: dict[str, list[float]] = {name: [] for name in targets}
    bare_rates: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(rounds):
        for name, target in targets.items():
            before = wrk_rate(port, *bare[name], seconds)
            rates[name].append(wrk_rate(port, *target, seconds))
            after = wrk_rate(port, *bare[name], seconds)
            bare_rates[name].append((before + after) / 2)
    return rates, bare_rates


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): HTTP benchmark skipped")
        return 0
    seconds = int(os.environ.get("BENCH_SECONDS", "3"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-http-"))
    bare_dir = workdir / "bare"
    bare_dir.mkdir()
    database_url = os.environ.get("DATABASE_URL", "")
    drop = None
    if database_url.startswith(("postgres://", "postgresql://")):
        database_url, drop = postgres_database(database_url, "bench_http")
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "*",
        "PUBLIC_BASE_DOMAIN": "localhost",
        "CACHE_KEY_PREFIX": f"bench-http-{os.getpid()}",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore:No directory at",
        "BENCH_BARE_DIR": str(bare_dir),
    }
    server = None
    try:
        migrate = [PYTHON, "manage.py", "migrate", "--noinput", "-v0"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603
        seed = [PYTHON, "-c", "import django; django.setup()\n" + SEED]
        subprocess.run(seed, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        port = free_port()
        server = gunicorn_serve(env, port)
        rates, bare_rates = _measure(port, bare_dir, server, seconds, rounds)
        engine = "PostgreSQL" if drop else "SQLite"
        cache = "Redis" if os.environ.get("REDIS_URL") else "local-memory cache"
        print(
            f"gunicorn, 2 sync workers; wrk, {WRK_CONNECTIONS} connections; {engine} + {cache}; "
            f"{os.cpu_count()} cores. Medians of {rounds} rounds of bare, target, bare "
            f"({seconds} s each); bare = a Django view sending the target's bytes."
        )
        print(f"{'cached document':<36} {'req/s':>8} {'bare req/s':>11} {'ratio':>6}")
        for name in rates:
            ratios = [rate / base for rate, base in zip(rates[name], bare_rates[name], strict=True)]
            print(
                f"{name:<36} {statistics.median(rates[name]):8.0f} "
                f"{statistics.median(bare_rates[name]):11.0f} {statistics.median(ratios):6.2f}"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if drop is not None:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
