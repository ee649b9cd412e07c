"""What an operator runs: health checks, management commands, the compose file."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from accounts.models import ApiKey
from statuspages.models import Component, StatusPage
from tenancy.models import Organization

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def _last_line(command, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue().strip().splitlines()[-1]


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_readyz_is_503_naming_the_broker_when_it_is_down(client, settings):
    from config.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/readyz")
    finally:
        app.conf.task_always_eager, app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"
    assert response.json()["checks"]["database"] == "ok"


def test_create_organization_is_idempotent_and_prints_the_slug():
    assert _last_line("create_organization", "initech", name="Initech") == "initech"
    assert _last_line("create_organization", "initech") == "initech"
    assert Organization.objects.filter(slug="initech").count() == 1
    with pytest.raises(CommandError):
        call_command("create_organization", "Not Valid", stdout=io.StringIO())


def test_create_api_key_prints_a_working_token_last():
    call_command("create_organization", "initech", stdout=io.StringIO(), stderr=io.StringIO())
    token = _last_line("create_api_key", organization="initech", name="ci", scopes="all")
    assert token.startswith("spk_")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = client.get("/api/v1/me").json()
    assert me["organization"] == "initech"
    assert set(me["scopes"]) == {
        "incidents:write",
        "pages:write",
        "subscribers:read",
        "subscribers:write",
        "audit:read",
        "members:write",
        "keys:write",
    }
    key = ApiKey.objects.get(id=me["id"])
    assert token.split("_", 2)[2] not in key.secret_hash, "only a keyed hash is stored"


def test_create_api_key_makes_read_only_and_expiring_keys():
    call_command("create_organization", "initech", stdout=io.StringIO(), stderr=io.StringIO())
    token = _last_line(
        "create_api_key", organization="initech", name="reader", scopes="", expires_in_days=7
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = client.get("/api/v1/me").json()
    assert me["scopes"] == [] and me["expires_at"].endswith("Z")
    with pytest.raises(CommandError):
        call_command(
            "create_api_key",
            organization="initech",
            name="x",
            scopes="root",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    with pytest.raises(CommandError):
        call_command(
            "create_api_key",
            organization="nobody",
            name="x",
            scopes="all",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_seed_demo_tells_a_story_and_is_idempotent():
    from incidents.models import Incident, IncidentUpdate
    from maintenances.models import Maintenance

    def counts():
        return (
            StatusPage.objects.count(),
            Component.objects.count(),
            Incident.objects.count(),
            IncidentUpdate.objects.count(),
            Maintenance.objects.count(),
        )

    assert _last_line("seed_demo") == "acme"
    first = counts()
    assert _last_line("seed_demo") == "acme"
    assert counts() == first
    assert first[1] >= 5
    assert Incident.objects.filter(status="resolved").count() >= 3
    assert Incident.objects.exclude(status="resolved").count() == 1
    assert Maintenance.objects.filter(status="scheduled").count() == 1
    oldest = Incident.objects.order_by("started_at").first()
    assert (oldest.resolved_at - oldest.started_at).total_seconds() == 25 * 60
    client = APIClient()
    status = client.get("/pages/acme/api/v2/status.json")
    assert status.status_code == 200
    assert status.json()["status"]["indicator"] == "minor"


def test_compose_file_runs_web_worker_beat_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    for name in ("web", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgresql://")
    assert env["REDIS_URL"].startswith("redis://")


def test_compose_commands_name_real_entry_points():
    """gunicorn's WSGI path and the Celery app import, as the containers would call them."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = " ".join(compose["services"]["web"]["command"])
    module = re.search(r"gunicorn (\S+):application", web).group(1)
    check = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import {module}, config.celery; print('ok')"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "x",
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
    )
    assert check.stdout.strip() == "ok", check.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    check = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
    )
    assert check.returncode != 0
    assert "SECRET_KEY must be set" in check.stderr
