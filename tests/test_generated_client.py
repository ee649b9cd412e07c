"""A Python client generated from openapi.yaml (openapi-python-client, offline) drives a live
server: if the document lies about a path, a body or a response, this breaks."""

import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

from accounts.services import api_key_create, parse_scopes
from tests.factories import OrganizationFactory

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "statuspage_api_client"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    config = out / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(ROOT / "openapi.yaml"),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(out / PACKAGE),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(out))
    try:
        yield import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
            del sys.modules[name]


def test_a_generated_client_creates_a_page_a_component_and_resolves_an_incident(
    client_package, live_server
):
    models = import_module(f"{PACKAGE}.models")
    pages = import_module(f"{PACKAGE}.api.status_pages")
    components = import_module(f"{PACKAGE}.api.components")
    incidents = import_module(f"{PACKAGE}.api.incidents")
    _, token = api_key_create(
        organization=OrganizationFactory(slug="acme"),
        name="generated client",
        scopes=parse_scopes("all"),
    )
    client = client_package.AuthenticatedClient(base_url=live_server.url, token=token)

    create_page = import_module(f"{pages.__name__}.status_pages_create")
    page = create_page.sync(
        client=client, body=models.PageInRequest(name="Acme Cloud", slug="acme-cloud")
    )
    assert isinstance(page, models.PageOut), page
    assert (page.name, page.slug, page.status.indicator) == ("Acme Cloud", "acme-cloud", "none")
    assert page.id.startswith("page_")

    create_component = import_module(f"{components.__name__}.components_create")
    component = create_component.sync(
        page.id, client=client, body=models.ComponentInRequest(name="API")
    )
    assert isinstance(component, models.ComponentOut), component
    assert (component.name, component.status) == ("API", models.ComponentStatusEnum.OPERATIONAL)

    create_incident = import_module(f"{incidents.__name__}.incidents_create")
    incident = create_incident.sync(
        page.id,
        client=client,
        idempotency_key="generated-client-incident",
        body=models.IncidentInRequest(
            name="API errors",
            status=models.IncidentStatusEnum.INVESTIGATING,
            message="We are looking into it.",
            component_statuses=[
                models.ComponentStatusInRequest(
                    component_id=component.id, status=models.ComponentStatusEnum.MAJOR_OUTAGE
                )
            ],
        ),
    )
    assert isinstance(incident, models.IncidentOut), incident
    assert incident.status == models.IncidentStatusEnum.INVESTIGATING
    assert incident.impact == models.ImpactEnum.CRITICAL
    assert [(c.component_id, c.status) for c in incident.components] == [
        (component.id, models.ComponentStatusEnum.MAJOR_OUTAGE)
    ]

    publish = import_module(f"{incidents.__name__}.incident_updates_create")
    update = publish.sync(
        page.id,
        incident.id,
        client=client,
        body=models.IncidentUpdateInRequest(
            status=models.IncidentStatusEnum.RESOLVED, message="Fixed."
        ),
    )
    assert isinstance(update, models.IncidentUpdateOut), update
    assert (update.status, update.message) == (models.IncidentStatusEnum.RESOLVED, "Fixed.")

    retrieve = import_module(f"{incidents.__name__}.incidents_retrieve")
    resolved = retrieve.sync(page.id, incident.id, client=client)
    assert isinstance(resolved, models.IncidentOut), resolved
    assert resolved.status == models.IncidentStatusEnum.RESOLVED
    assert resolved.resolved_at is not None
    assert [update.status for update in resolved.updates] == [
        models.IncidentStatusEnum.RESOLVED,
        models.IncidentStatusEnum.INVESTIGATING,
    ]
    get_component = import_module(f"{components.__name__}.components_retrieve")
    healed = get_component.sync(page.id, component.id, client=client)
    assert healed.status == models.ComponentStatusEnum.OPERATIONAL

    missing = retrieve.sync_detailed(page.id, "inc_missing", client=client)
    assert missing.status_code == 404
    assert missing.parsed.error.code == models.ErrorErrorCode.NOT_FOUND
