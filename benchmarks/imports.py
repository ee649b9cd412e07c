"""Import benchmark: a 500-component, 1,000-incident page copied through a dialect.

``make bench-import`` (``BENCH_ARGS="--components 500 --incidents 1000 --dialect statuspage"``).
Needs PostgreSQL (DATABASE_URL; a throw-away database ``<name>_bench_imports`` beside it is
created and dropped). It builds organization ``source``'s page (groups of 50 components, the
incidents resolved with three updates each and one in twenty still open, a few maintenances,
templates), serves it with gunicorn (2 sync workers) on loopback, then runs ``import_page``'s
code in this process into organization ``target`` and prints the wall time, the requests it
made and the queries it ran: once (everything created), then again (everything updated)."""

import argparse
import os
import signal
import sys
import time
from datetime import timedelta

from benchmarks.common import cpu_model, free_port, gunicorn_serve, postgres_database

BASES = {
    "statuspage": "/v1",
    "incident-io": "/incident-io",
    "instatus": "/instatus",
    "statuspage-public": "/pages/bench-source",
}


def _env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "*",
        "CACHE_KEY_PREFIX": f"bench-imports-{os.getpid()}",
        "API_RATE_LIMIT": "100000/min",
        "PYTHONWARNINGS": "ignore:No directory at",
        # The source is our own server on loopback: a private address, allowed for the run.
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    }


def _django_setup(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def _seed(components: int, incidents: int) -> str:
    """The source page, written through the services; returns an API key that reads it."""
    from django.utils import timezone

    from accounts.services import api_key_create, organization_get_or_create, parse_scopes
    from incidents.services import incident_create, incident_create_retrospective
    from maintenances.services import maintenance_create
    from pagetemplates.models import IncidentTemplate
    from pagetemplates.services import template_create
    from statuspages.services import component_create, component_group_create, status_page_create

    organization, _ = organization_get_or_create(slug="source", name="Source")
    organization_get_or_create(slug="target", name="Target")
    page = status_page_create(organization=organization, name="Bench source", slug="bench-source")
    ids, group = [], None
    for number in range(components):
        if number % 50 == 0:
            group = component_group_create(page=page, name=f"Group {number // 50 + 1}")
        ids.append(component_create(page=page, name=f"Component {number + 1}", group=group).id)
    start = timezone.now() - timedelta(days=incidents // 2 + 10)
    for number in range(incidents):
        at = start + timedelta(hours=12 * number)
        component = ids[number % len(ids)]
        if number % 20 == 19:
            incident_create(
                page=page,
                name=f"Open incident {number + 1}",
                message="Looking into it.",
                component_statuses=[{"component_id": component, "status": "partial_outage"}],
                notify_subscribers=False,
            )
            continue
        incident_create_retrospective(
            page=page,
            name=f"Incident {number + 1}",
            updates=[
                {
                    "status": "investigating",
                    "message": "Errors on requests.",
                    "published_at": at,
                    "component_statuses": [{"component_id": component, "status": "major_outage"}],
                },
                {
                    "status": "identified",
                    "message": "A faulty deploy.",
                    "published_at": at + timedelta(minutes=20),
                },
                {
                    "status": "resolved",
                    "message": "Rolled back.",
                    "published_at": at + timedelta(hours=1),
                },
            ],
        )
    for number in range(10):
        begins = timezone.now() + timedelta(days=number + 1)
        maintenance_create(
            page=page,
            name=f"Maintenance {number + 1}",
            message="Planned work.",
            start_at=begins,
            end_at=begins + timedelta(hours=2),
            component_ids=ids[number : number + 5],
            notify_subscribers=False,
        )
    for number in range(5):
        template_create(
            model=IncidentTemplate, page=page, name=f"Template {number + 1}", message="Down."
        )
    _, token = api_key_create(organization=organization, name="bench", scopes=parse_scopes("all"))
    return token


class _QueryCount:
    """Counts the statements this process sends (Django's own log keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _measured(label: str, organization, source_kind: str, url: str, token: str) -> None:
    """One import, as ``page_import`` runs it, timed in its two halves: reading the source
    (HTTP) and writing here (the queries)."""
    from django.db import connection

    from imports.sources import SOURCES
    from imports.writing import PageWriter

    started = time.perf_counter()
    source = SOURCES[source_kind](url, token)
    snapshot = source.snapshot(page_id=None, with_subscribers=True)
    read = time.perf_counter() - started
    queries = _QueryCount()
    with connection.execute_wrapper(queries):
        outcome = PageWriter(
            organization=organization, source_kind=source_kind, snapshot=snapshot
        ).run()
    total = time.perf_counter() - started
    print(
        f"{label}: imported {outcome.imported} objects ({outcome.created} created, "
        f"{outcome.updated} updated) in {total:.1f} s: reading {read:.1f} s "
        f"({source.client.requests} requests), writing {total - read:.1f} s "
        f"({queries.count} queries, {queries.count / max(outcome.imported, 1):.1f} per object)"
    )
    if outcome.skipped or snapshot.unreadable:
        print(f"  skipped: {len(outcome.skipped)} refused, {len(snapshot.unreadable)} unreadable")


def _run(args, env: dict) -> int:
    from tenancy.models import Organization

    seeding = time.perf_counter()
    token = _seed(args.components, args.incidents)
    print(f"source page seeded in {time.perf_counter() - seeding:.0f} s")
    port = free_port()
    server = gunicorn_serve(env, port)
    try:
        target = Organization.objects.get(slug="target")

        url = f"http://127.0.0.1:{port}{BASES[args.dialect]}"
        print(
            f"{cpu_model()}, {os.cpu_count()} CPUs; importing {args.components} components, "
            f"{args.incidents} incidents through {args.dialect}"
        )
        _measured("first run", target, args.dialect, url, token)
        _measured("second run", target, args.dialect, url, token)
    finally:
        from channels.outbound import sessions_close

        sessions_close()
        server.terminate()
        server.wait(10)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=500)
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--dialect", choices=list(BASES), default="statuspage")
    args = parser.parse_args(argv if argv is not None else [])
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("the import benchmark needs DATABASE_URL (PostgreSQL)")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    database_url, drop = postgres_database(database_url, "bench_imports")
    env = _env(database_url)
    try:
        _django_setup(env)
        return _run(args, env)
    finally:
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
