"""incident.io's own published SDK (PyPI ``incident-io``, generated from incident.io's API
description) drives ``/incident-io/`` on a live server. Its models raise on a missing required
field or an unknown enum value, so every answer below was read with incident.io's shapes.
Only the base URL and the token are ours."""

import datetime
import re
from pathlib import Path

import pytest
from incident_io import AuthenticatedClient
from incident_io.api.status_page_components_v2 import (
    status_page_components_v2_create as create_component,
)
from incident_io.api.status_page_components_v2 import (
    status_page_components_v2_destroy as destroy_component,
)
from incident_io.api.status_page_components_v2 import (
    status_page_components_v2_list as list_components,
)
from incident_io.api.status_page_components_v2 import (
    status_page_components_v2_update as update_component,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_create_status_page_incident as create_incident,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_create_status_page_incident_update as create_incident_update,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_create_status_page_maintenance as create_maintenance,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_create_status_page_maintenance_update as create_maintenance_update,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_create_status_page_retrospective_incident as create_retrospective,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_list_status_page_incidents as list_incidents,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_list_status_page_maintenances as list_maintenances,
)
from incident_io.api.status_pages_v2 import status_pages_v2_list_status_pages as list_pages
from incident_io.api.status_pages_v2 import (
    status_pages_v2_show_status_page_component_availability as show_availability,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_show_status_page_incident as show_incident,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_show_status_page_structure as show_structure,
)
from incident_io.api.status_pages_v2 import (
    status_pages_v2_update_status_page_incident as update_incident,
)
from incident_io.models import (
    ErrorResponse,
    StatusPageComponentsCreatePayloadV2,
    StatusPageComponentsUpdatePayloadV2,
    StatusPageIncidentAffectedComponentV2,
    StatusPageIncidentAffectedComponentV2ComponentStatus,
    StatusPageRetrospectiveIncidentUpdateV2,
    StatusPageRetrospectiveIncidentUpdateV2IncidentStatus,
    StatusPagesCreateStatusPageIncidentPayloadV2,
    StatusPagesCreateStatusPageIncidentPayloadV2IncidentStatus,
    StatusPagesCreateStatusPageIncidentUpdatePayloadV2,
    StatusPagesCreateStatusPageIncidentUpdatePayloadV2IncidentStatus,
    StatusPagesCreateStatusPageMaintenancePayloadV2,
    StatusPagesCreateStatusPageMaintenancePayloadV2MaintenanceStatus,
    StatusPagesCreateStatusPageMaintenanceUpdatePayloadV2,
    StatusPagesCreateStatusPageMaintenanceUpdatePayloadV2MaintenanceStatus,
    StatusPagesCreateStatusPageRetrospectiveIncidentPayloadV2,
    StatusPagesUpdateStatusPageIncidentPayloadV2,
)
from rest_framework.test import APIClient

from accounts.services import api_key_create, parse_scopes
from incidents.models import Incident
from maintenances.models import Maintenance
from notifications.models import NotificationEvent
from statuspages.models import Component
from tests.factories import ComponentGroupFactory, OrganizationFactory, StatusPageFactory
from uptime.models import StatusInterval

pytestmark = pytest.mark.django_db(transaction=True)

FULL = StatusPageIncidentAffectedComponentV2ComponentStatus.FULL_OUTAGE
IncidentStatus = StatusPagesCreateStatusPageIncidentPayloadV2IncidentStatus
MaintenanceStatus = StatusPagesCreateStatusPageMaintenanceUpdatePayloadV2MaintenanceStatus


@pytest.fixture
def acme(live_server, request):
    organization = OrganizationFactory(slug="acme")
    page = StatusPageFactory(organization=organization, name="Acme", slug="acme")
    _, token = api_key_create(organization=organization, name="sdk", scopes=parse_scopes("all"))
    client = AuthenticatedClient(
        base_url=f"{live_server.url}/incident-io", token=token, raise_on_unexpected_status=True
    )
    request.addfinalizer(lambda: client.get_httpx_client().close())
    return page, client, token


def _ok(result):
    assert not isinstance(result, ErrorResponse), result
    return result


def test_the_sdk_lists_pages_builds_components_and_reads_the_structure(acme):
    page, client, _ = acme
    group = ComponentGroupFactory(page=page, name="Core")

    pages = _ok(list_pages.sync(client=client))
    assert [(p.id, p.name) for p in pages.status_pages] == [(page.id, "Acme")]
    assert pages.pagination_meta.page_size == 25

    created = _ok(
        create_component.sync(
            client=client,
            body=StatusPageComponentsCreatePayloadV2(name="API", description="Public API"),
        )
    ).status_page_component
    assert (created.name, created.description) == ("API", "Public API")
    Component.objects.filter(id=created.id).update(group=group)
    spare = _ok(
        create_component.sync(client=client, body=StatusPageComponentsCreatePayloadV2(name="Spare"))
    ).status_page_component

    renamed = _ok(
        update_component.sync(
            created.id, client=client, body=StatusPageComponentsUpdatePayloadV2(name="Public API")
        )
    ).status_page_component
    assert renamed.name == "Public API"
    listed = _ok(list_components.sync(client=client)).status_page_components
    assert [c.name for c in listed] == ["Public API", "Spare"]

    structure = _ok(show_structure.sync(page.id, client=client))
    items = structure.current_structure.items
    assert [item.group.name for item in items if item.group] == ["Core"]
    assert [c.component_id for c in items[0].group.components] == [created.id]
    assert [item.component.component_id for item in items if item.component] == [spare.id]

    destroy_component.sync_detailed(spare.id, client=client)
    assert not Component.objects.filter(id=spare.id).exists()
    assert [c.id for c in _ok(list_components.sync(client=client)).status_page_components] == [
        created.id
    ]


def test_the_sdk_runs_an_incident_through_to_resolved_and_a_retry_opens_no_second(acme):
    page, client, token = acme
    component = Component.objects.create(page=page, name="API")
    opening = StatusPagesCreateStatusPageIncidentPayloadV2(
        idempotency_key="deploy-4711",
        status_page_id=page.id,
        name="API errors",
        incident_status=IncidentStatus.INVESTIGATING,
        message="Requests fail.",
        notify_subscribers=True,
        component_statuses=[
            StatusPageIncidentAffectedComponentV2(component_id=component.id, component_status=FULL)
        ],
    )
    first = _ok(create_incident.sync(client=client, body=opening)).status_page_incident
    retried = create_incident.sync_detailed(client=client, body=opening)
    assert retried.status_code == 201
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.parsed.status_page_incident.id == first.id
    assert Incident.objects.count() == 1
    assert (first.incident_status.value, first.status_page_id) == ("investigating", page.id)
    assert [(i.component_id, i.component_status.value) for i in first.component_impacts] == [
        (component.id, "full_outage")
    ]

    # Seen through our own API and the public Statuspage document as well.
    ours = APIClient()
    ours.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    mine = ours.get(f"/api/v1/status-pages/{page.id}/components/{component.id}").json()
    assert mine["status"] == "major_outage"

    update = _ok(
        create_incident_update.sync(
            client=client,
            body=StatusPagesCreateStatusPageIncidentUpdatePayloadV2(
                status_page_incident_id=first.id,
                message="Fix deployed.",
                notify_subscribers=False,
                incident_status=StatusPagesCreateStatusPageIncidentUpdatePayloadV2IncidentStatus.MONITORING,
            ),
        )
    ).status_page_incident_update
    assert (update.incident_status.value, update.message) == ("monitoring", "Fix deployed.")
    _ok(
        update_incident.sync(
            first.id,
            client=client,
            body=StatusPagesUpdateStatusPageIncidentPayloadV2(name="API errors in eu-west"),
        )
    )
    _ok(
        create_incident_update.sync(
            client=client,
            body=StatusPagesCreateStatusPageIncidentUpdatePayloadV2(
                status_page_incident_id=first.id,
                message="All good.",
                notify_subscribers=True,
                incident_status=StatusPagesCreateStatusPageIncidentUpdatePayloadV2IncidentStatus.RESOLVED,
            ),
        )
    )

    shown = _ok(show_incident.sync(first.id, client=client)).status_page_incident
    assert (shown.name, shown.incident_status.value) == ("API errors in eu-west", "resolved")
    assert [u.incident_status.value for u in shown.updates] == [
        "resolved",
        "monitoring",
        "investigating",
    ]
    assert [u.component_statuses[0].component_status.value for u in shown.updates[::2]] == [
        "operational",
        "full_outage",
    ]
    (impact,) = shown.component_impacts
    assert impact.end_at == shown.updates[0].published_at
    assert ours.get(f"/api/v1/status-pages/{page.id}/components/{component.id}").json()[
        "status"
    ] == ("operational")
    listed = _ok(list_incidents.sync(client=client, status_page_id=page.id))
    assert [i.id for i in listed.status_page_incidents] == [first.id]


def test_the_sdk_runs_a_maintenance_through_its_updates_to_complete(acme):
    page, client, _ = acme
    component = Component.objects.create(page=page, name="Database")
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    created = _ok(
        create_maintenance.sync(
            client=client,
            body=StatusPagesCreateStatusPageMaintenancePayloadV2(
                idempotency_key="upgrade-db",
                status_page_id=page.id,
                name="Database upgrade",
                message="Planned.",
                start_at=start,
                end_at=start + datetime.timedelta(hours=2),
                maintenance_status=StatusPagesCreateStatusPageMaintenancePayloadV2MaintenanceStatus.MAINTENANCE_SCHEDULED,
                affected_component_ids=[component.id],
                notify_subscribers=False,
            ),
        )
    ).status_page_maintenance
    assert created.maintenance_status.value == "maintenance_scheduled"
    assert created.automate_maintenance_status is False

    for status, message in (
        (MaintenanceStatus.MAINTENANCE_IN_PROGRESS, "Started."),
        (MaintenanceStatus.MAINTENANCE_COMPLETE, "Done."),
    ):
        update = _ok(
            create_maintenance_update.sync(
                client=client,
                body=StatusPagesCreateStatusPageMaintenanceUpdatePayloadV2(
                    status_page_maintenance_id=created.id,
                    message=message,
                    notify_subscribers=False,
                    maintenance_status=status,
                ),
            )
        ).status_page_maintenance_update
        assert update.maintenance_status == status

    (listed,) = _ok(
        list_maintenances.sync(client=client, status_page_id=page.id)
    ).status_page_maintenances
    assert listed.maintenance_status.value == "maintenance_complete"
    assert [u.maintenance_status.value for u in listed.updates] == [
        "maintenance_complete",
        "maintenance_in_progress",
        "maintenance_scheduled",
    ]
    assert [u.component_statuses[0].component_status.value for u in listed.updates] == [
        "operational",
        "under_maintenance",
        "operational",
    ]
    assert Maintenance.objects.get(id=created.id).status == "completed"


def test_a_retrospective_incident_is_stored_resolved_back_dated_and_notifies_nobody(acme):
    page, client, _ = acme
    component = Component.objects.create(page=page, name="API")
    began = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)
    ended = began + datetime.timedelta(hours=2)
    affected = StatusPageIncidentAffectedComponentV2(
        component_id=component.id,
        component_status=StatusPageIncidentAffectedComponentV2ComponentStatus.PARTIAL_OUTAGE,
    )
    Status = StatusPageRetrospectiveIncidentUpdateV2IncidentStatus
    incident = _ok(
        create_retrospective.sync(
            client=client,
            body=StatusPagesCreateStatusPageRetrospectiveIncidentPayloadV2(
                idempotency_key="march-outage",
                status_page_id=page.id,
                name="March outage",
                updates=[
                    StatusPageRetrospectiveIncidentUpdateV2(
                        incident_status=Status.INVESTIGATING,
                        message="Errors.",
                        published_at=began,
                        component_statuses=[affected],
                    ),
                    StatusPageRetrospectiveIncidentUpdateV2(
                        incident_status=Status.RESOLVED, message="Fixed.", published_at=ended
                    ),
                ],
            ),
        )
    ).status_page_incident
    assert incident.incident_status.value == "resolved"
    assert incident.published_at == began
    assert [u.published_at for u in incident.updates] == [ended, began]
    (impact,) = incident.component_impacts
    assert (impact.component_status.value, impact.start_at, impact.end_at) == (
        "partial_outage",
        began,
        ended,
    )
    stored = Incident.objects.get(id=incident.id)
    assert (stored.started_at, stored.resolved_at, stored.impact) == (began, ended, "major")
    assert not NotificationEvent.objects.filter(incident_id=incident.id).exists()
    assert Component.objects.get(id=component.id).manual_status == "operational"


def test_the_sdk_reads_a_components_availability_from_our_uptime_history(acme):
    page, client, _ = acme
    component = Component.objects.create(page=page, name="API")
    now = datetime.datetime.now(datetime.UTC)
    Component.objects.filter(id=component.id).update(created_at=now - datetime.timedelta(days=2))
    # Six hours of major outage in a day's window: 75 % available.
    StatusInterval.objects.create(
        page=page,
        component=component,
        status="major_outage",
        started_at=now - datetime.timedelta(hours=12),
        ended_at=now - datetime.timedelta(hours=6),
    )
    availability = _ok(
        show_availability.sync(
            page.id,
            component.id,
            client=client,
            start_at=now - datetime.timedelta(hours=25),
            end_at=now - datetime.timedelta(hours=1),
        )
    ).availability
    assert (availability.component_id, availability.status_page_id) == (component.id, page.id)
    assert availability.availability_percent == "75.00"
    assert availability.data_available_since < now - datetime.timedelta(days=1)


def test_the_readme_quick_start_opens_an_incident_once(acme):
    page, client, token = acme
    Component.objects.create(page=page, name="API")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Coming from incident.io")[1]
    snippet = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    base_url = str(client._base_url)
    snippet = snippet.replace('"http://127.0.0.1:8000/incident-io"', repr(base_url))
    for _ in range(2):  # the retry returns the first incident
        namespace = {"TOKEN": token}
        exec(snippet, namespace)  # noqa: S102 - our own README
        namespace["client"].get_httpx_client().close()
    (incident,) = Incident.objects.all()
    assert namespace["incident"].id == incident.id
    assert incident.component_links.get().status == "major_outage"
