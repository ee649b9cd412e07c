"""The real Prometheus Alertmanager (Debian's prometheus-alertmanager) posts to an
integration's inbound URL: an alert opens the incident on the mapped component, its recovery
resolves it, and Alertmanager's own re-sends (repeat_interval of a second) change nothing."""

import json
import os
import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.conf import settings

from incidents.models import Incident
from integrations.models import IntegrationEvent
from notifications.models import NotificationEvent
from tests.factories import ComponentFactory

ALERTMANAGER = "prometheus-alertmanager"
LABELS = {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical"}


@pytest.fixture
def alertmanager_binary():
    binary = shutil.which(ALERTMANAGER)
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{ALERTMANAGER} is missing in CI: install Debian's prometheus-alertmanager"
            )
        pytest.skip(f"{ALERTMANAGER} is not installed on this machine (CI requires it)")
    return binary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def alertmanager(alertmanager_binary, tmp_path):
    """Start Alertmanager with a webhook receiver at the URL given; yields its API base URL."""
    processes = []

    def start(webhook_url: str) -> str:
        port = _free_port()
        config = tmp_path / "alertmanager.yml"
        config.write_text(
            json.dumps(  # YAML is a superset of JSON
                {
                    "route": {
                        "receiver": "status-page",
                        "group_by": ["alertname"],
                        "group_wait": "1s",
                        "group_interval": "1s",
                        "repeat_interval": "1s",
                    },
                    "receivers": [
                        {
                            "name": "status-page",
                            "webhook_configs": [{"url": webhook_url, "send_resolved": True}],
                        }
                    ],
                }
            )
        )
        process = subprocess.Popen(
            [
                alertmanager_binary,
                f"--config.file={config}",
                f"--storage.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _ready(base), "Alertmanager to start", timeout=10)
        return base

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=5)


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/-/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(condition, what: str, timeout: float = 8):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def post_alert(base: str, *, starts_at: datetime, ends_at: datetime | None = None) -> None:
    alert = {
        "labels": LABELS,
        "annotations": {"summary": "5xx above 5% on checkout"},
        "startsAt": starts_at.isoformat().replace("+00:00", "Z"),
    }
    if ends_at is not None:
        alert["endsAt"] = ends_at.isoformat().replace("+00:00", "Z")
    httpx.post(f"{base}/api/v2/alerts", json=[alert], timeout=5).raise_for_status()


@pytest.mark.django_db(transaction=True)
def test_alertmanager_opens_and_resolves_an_incident_and_its_resends_change_nothing(
    live_server, alertmanager, make_client, page
):
    checkout = ComponentFactory(page=page, name="Checkout")
    search = ComponentFactory(page=page, name="Search")
    api = make_client(organization=page.organization)
    created = api.post(
        f"/api/v1/status-pages/{page.id}/integrations",
        {
            "kind": "alertmanager",
            "name": "Prometheus",
            "rules": [
                {
                    "match": {"alertname": "HighErrorRate", "service": "~check.*"},
                    "component_ids": [checkout.id],
                    "status": "major_outage",
                }
            ],
        },
        format="json",
    ).json()
    path = created["inbound_url"].removeprefix(settings.PUBLIC_BASE_URL)
    base = alertmanager(f"{live_server.url}{path}")

    def component_status(component) -> str:
        url = f"/api/v1/status-pages/{page.id}/components/{component.id}"
        return api.get(url).json()["status"]

    started = datetime.now(UTC) - timedelta(seconds=5)
    post_alert(base, starts_at=started)
    wait_for(lambda: Incident.objects.exists(), "the incident to open")
    incident = Incident.objects.get()
    assert incident.name == "HighErrorRate"
    assert component_status(checkout) == "major_outage"
    assert component_status(search) == "operational"

    # repeat_interval 1s: Alertmanager sends the same firing group again.
    wait_for(
        lambda: IntegrationEvent.objects.filter(status="duplicate").count() >= 2,
        "Alertmanager's re-sends",
    )
    assert Incident.objects.count() == 1
    assert NotificationEvent.objects.count() == 1

    post_alert(base, starts_at=started, ends_at=datetime.now(UTC) - timedelta(seconds=1))
    wait_for(lambda: Incident.objects.get().status == "resolved", "the incident to be resolved")
    assert component_status(checkout) == "operational"

    # Every delivery Alertmanager made, sent again as it was: nothing changes.
    taken = list(
        IntegrationEvent.objects.exclude(status="rejected").values_list("payload", flat=True)
    )
    for body in taken:
        answer = httpx.post(
            f"{live_server.url}{path}",
            content=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert answer.status_code == 202
        assert answer.json()["status"] == "duplicate"
    assert Incident.objects.count() == 1
    assert NotificationEvent.objects.count() == 2
    statuses = set(IntegrationEvent.objects.values_list("status", flat=True))
    assert statuses == {"matched", "duplicate"}
