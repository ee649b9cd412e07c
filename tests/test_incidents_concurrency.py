"""Retries racing each other never open a second incident or record a second event."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from incidents.models import Incident, IncidentUpdate
from notifications.models import NotificationEvent
from tests.factories import ComponentFactory

RACERS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_identical_creates_open_one_incident_and_one_event(on_postgres, make_client, page):
    keyed = make_client(organization=page.organization)
    component = ComponentFactory(page=page)
    body = {
        "name": "Checkout down",
        "message": "Investigating.",
        "component_statuses": [{"component_id": component.id, "status": "major_outage"}],
    }
    barrier = threading.Barrier(RACERS)
    responses = []

    def create():
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {keyed.token}")
            barrier.wait()
            responses.append(
                client.post(
                    f"/api/v1/status-pages/{page.id}/incidents",
                    body,
                    format="json",
                    HTTP_IDEMPOTENCY_KEY="alert-4242",
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(responses) == RACERS
    assert {r.status_code for r in responses} <= {201, 409}
    created = [r.json()["id"] for r in responses if r.status_code == 201]
    assert created and len(set(created)) == 1, "every 201 names the same incident"
    assert Incident.objects.count() == 1
    assert IncidentUpdate.objects.count() == 1
    assert NotificationEvent.objects.count() == 1
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["error"]["code"] == "idempotency_key_in_use"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_to_one_incident_all_apply(on_postgres, make_client, page):
    keyed = make_client(organization=page.organization)
    components = [ComponentFactory(page=page) for _ in range(8)]
    incident = keyed.post(
        f"/api/v1/status-pages/{page.id}/incidents", {"name": "Many"}, HTTP_IDEMPOTENCY_KEY="many"
    ).json()
    barrier = threading.Barrier(len(components))

    def update(component):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {keyed.token}")
            barrier.wait()
            client.post(
                f"/api/v1/status-pages/{page.id}/incidents/{incident['id']}/updates",
                {
                    "status": "identified",
                    "component_statuses": [
                        {"component_id": component.id, "status": "partial_outage"}
                    ],
                },
                format="json",
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=update, args=(c,)) for c in components]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    detail = keyed.get(f"/api/v1/status-pages/{page.id}/incidents/{incident['id']}").json()
    assert len(detail["components"]) == len(components)
    assert len(detail["updates"]) == len(components) + 1
    assert detail["impact"] == "major"
