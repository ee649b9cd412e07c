"""An Instatus reader nobody here wrote reads ``/instatus/`` on a live server.

``airbyte-source-instatus`` (PyPI, pinned in ``tests/instatus_reader/requirements.txt``) is
Airbyte's connector for Instatus's API: a manifest of Instatus's v1/v2 list and detail paths
with ``Authorization: Bearer``. Its manifest hard-codes ``url_base`` (``https://api.instatus.com/``);
the test rewrites that one value, in a copy of the package, to the live server. The reader runs
in its own venv (``make test`` builds ``.venv-instatus`` with python3.10: its airbyte-cdk
imports only on Python 3.9/3.10).
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.services import api_key_create, member_invite, parse_scopes
from incidents.services import incident_create, incident_update_publish
from maintenances.services import maintenance_create, maintenance_update_publish
from metrics.services import metric_create
from pagetemplates.models import IncidentTemplate
from pagetemplates.services import template_create
from subscribers.services import subscriber_create
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db(transaction=True)

READER = Path(__file__).resolve().parent.parent / ".venv-instatus" / "bin" / "python"
URL_BASE = 'url_base: "https://api.instatus.com/"'
# public_data reads each page's summary.json on its own host ({subdomain}.instatus.com), not
# under url_base: it is not part of the API this dialect serves.
STREAMS = [
    "status_pages",
    "page_components",
    "incidents",
    "incident_updates",
    "maintenances",
    "maintenance_updates",
    "templates",
    "team",
    "subscribers",
    "metrics",
    "user",
]


@pytest.fixture
def reader():
    if not READER.exists():
        if os.environ.get("CI"):
            pytest.fail(f"The Instatus reader is missing ({READER}): `make test` builds it.")
        pytest.skip("no .venv-instatus (needs python3.10): run `make test`")
    return READER


def _connector_copy(reader: Path, into: Path, base_url: str) -> Path:
    """The installed connector package, copied with only its ``url_base`` rewritten."""
    located = subprocess.run(
        [
            str(reader),
            "-c",
            "import source_instatus, os; print(os.path.dirname(source_instatus.__file__))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    package = into / "source_instatus"
    shutil.copytree(located, package, ignore=shutil.ignore_patterns("__pycache__"))
    manifest = package / "manifest.yaml"
    text = manifest.read_text()
    assert text.count(URL_BASE) == 1
    manifest.write_text(text.replace(URL_BASE, f'url_base: "{base_url}/instatus/"'))
    return into


def _read(reader: Path, workdir: Path, token: str) -> list[dict]:
    config = workdir / "config.json"
    config.write_text(json.dumps({"api_key": token}))
    catalog = workdir / "catalog.json"
    catalog.write_text(
        json.dumps(
            {
                "streams": [
                    {
                        "stream": {
                            "name": name,
                            "json_schema": {},
                            "supported_sync_modes": ["full_refresh"],
                        },
                        "sync_mode": "full_refresh",
                        "destination_sync_mode": "overwrite",
                    }
                    for name in STREAMS
                ]
            }
        )
    )
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workdir),
        "PYTHONPATH": str(workdir),
        "NO_PROXY": "*",
    }
    finished = subprocess.run(
        [
            str(reader),
            "-c",
            "from source_instatus.run import run; run()",
            "read",
            "--config",
            str(config),
            "--catalog",
            str(catalog),
        ],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    errors = [
        m
        for m in messages
        if m["type"] == "TRACE"
        and m["trace"]["type"] == "ERROR"
        or m["type"] == "LOG"
        and m["log"]["level"] in ("ERROR", "FATAL")
    ]
    assert finished.returncode == 0 and not errors, (finished.stderr[-3000:], errors)
    return messages


def test_the_instatus_reader_reads_every_stream_of_our_pages(live_server, reader, tmp_path):
    organization = OrganizationFactory(slug="acme")
    page = StatusPageFactory(organization=organization, name="Acme", slug="acme")
    StatusPageFactory(name="Not ours", slug="other")
    api = ComponentFactory(page=page, name="API", position=0)
    web = ComponentFactory(page=page, name="Web", position=1)
    incident = incident_create(
        page=page,
        name="API errors",
        message="Investigating.",
        component_statuses=[{"component_id": api.id, "status": "major_outage"}],
    )
    incident_update_publish(incident=incident, status="identified", message="Found it.")
    start = timezone.now() + datetime.timedelta(days=2)
    maintenance = maintenance_create(
        page=page,
        name="Upgrade",
        start_at=start,
        end_at=start + datetime.timedelta(hours=1),
        message="Planned.",
        component_ids=[web.id],
    )
    maintenance_update_publish(maintenance=maintenance, status="scheduled", message="Still on.")
    template_create(model=IncidentTemplate, page=page, name="Outage", message="We are on it.")
    subscriber_create(page=page, channel="email", email="reader@example.com", confirmed=True)
    metric_create(page=page, name="Latency", suffix="ms")
    member_invite(organization=organization, email="ada@example.com", role="editor")
    _, token = api_key_create(organization=organization, name="airbyte", scopes=parse_scopes("all"))

    workdir = _connector_copy(reader, tmp_path, live_server.url)
    messages = _read(reader, workdir, token)

    records: dict[str, list[dict]] = {name: [] for name in STREAMS}
    for message in messages:
        if message["type"] == "RECORD":
            records[message["record"]["stream"]].append(message["record"]["data"])
    completed = {
        m["trace"]["stream_status"]["stream_descriptor"]["name"]
        for m in messages
        if m["type"] == "TRACE"
        and m["trace"]["type"] == "STREAM_STATUS"
        and m["trace"]["stream_status"]["status"] == "COMPLETE"
    }
    assert completed == set(STREAMS)

    assert [(p["id"], p["subdomain"], p["status"]) for p in records["status_pages"]] == [
        (page.id, "acme", "ONEMAJOROUTAGE")
    ]
    assert [(c["name"], c["status"]) for c in records["page_components"]] == [
        ("API", "MAJOROUTAGE"),
        ("Web", "OPERATIONAL"),
    ]
    [read_incident] = records["incidents"]
    assert (read_incident["id"], read_incident["status"]) == (incident.id, "IDENTIFIED")
    assert [u["message"] for u in read_incident["updates"]] == ["Investigating.", "Found it."]
    # One record per update, each read from its own detail path.
    assert sorted(u["message"] for u in records["incident_updates"]) == [
        "Found it.",
        "Investigating.",
    ]
    assert {u["incident"]["id"] for u in records["incident_updates"]} == {incident.id}
    [read_maintenance] = records["maintenances"]
    assert (read_maintenance["name"], read_maintenance["status"], read_maintenance["duration"]) == (
        "Upgrade",
        "NOTSTARTEDYET",
        60,
    )
    assert sorted(u["message"] for u in records["maintenance_updates"]) == ["Planned.", "Still on."]
    assert [(t["name"], t["type"]) for t in records["templates"]] == [("Outage", "INCIDENT")]
    assert [s["email"] for s in records["subscribers"]] == ["reader@example.com"]
    assert [(m["name"], m["suffix"]) for m in records["metrics"]] == [("Latency", "ms")]
    assert [u["slug"] for u in records["user"]] == ["acme"]
    # The connector selects `user` from the team list's body; Instatus answers (and so do we) a
    # list of teammates each holding a `user`, from which that selector finds nothing. The
    # stream is read (COMPLETE above, no error) and emits no record, as against Instatus.
    assert records["team"] == []
