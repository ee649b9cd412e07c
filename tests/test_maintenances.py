"""Maintenance windows as an operator schedules them and as they run by themselves."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from maintenances.services import maintenances_auto_transition
from maintenances.tasks import maintenances_auto_transition_task
from notifications.models import NotificationEvent
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def db_component(page):
    return ComponentFactory(page=page, name="Database")


def schedule(
    api, page, key="m1", start=NOW + timedelta(hours=1), end=NOW + timedelta(hours=2), **body
):
    body = {
        "name": "Database upgrade",
        "message": "We will upgrade the database.",
        "start_at": _z(start),
        "end_at": _z(end),
        **body,
    }
    response = api.post(
        f"/api/v1/status-pages/{page.id}/maintenances", body, HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _page(api, page):
    return api.get(f"/api/v1/status-pages/{page.id}").json()


def _component_status(api, page, component):
    return api.get(f"/api/v1/status-pages/{page.id}/components/{component.id}").json()["status"]


@time_machine.travel(NOW, tick=False)
def test_a_window_starts_and_completes_by_itself(api, page, db_component):
    maintenance = schedule(api, page, component_ids=[db_component.id])
    assert maintenance["status"] == "scheduled" and maintenance["id"].startswith("mnt_")
    assert maintenance["components"] == [{"component_id": db_component.id, "name": "Database"}]
    assert maintenances_auto_transition() == 0

    with time_machine.travel(NOW + timedelta(hours=1, seconds=5), tick=False):
        assert maintenances_auto_transition_task.apply().get() == 1
        detail = api.get(f"/api/v1/status-pages/{page.id}/maintenances/{maintenance['id']}").json()
        assert detail["status"] == "in_progress" and detail["started_at"] is not None
        assert _component_status(api, page, db_component) == "under_maintenance"
        assert _page(api, page)["status"] == {
            "indicator": "maintenance",
            "description": "Service Under Maintenance",
        }
        assert maintenances_auto_transition() == 0, "a second run changes nothing"

    with time_machine.travel(NOW + timedelta(hours=2, seconds=5), tick=False):
        assert maintenances_auto_transition() == 1
        assert maintenances_auto_transition() == 0
        detail = api.get(f"/api/v1/status-pages/{page.id}/maintenances/{maintenance['id']}").json()
        assert detail["status"] == "completed" and detail["completed_at"] is not None
        assert [u["status"] for u in detail["updates"]] == ["completed", "in_progress", "scheduled"]
        assert _component_status(api, page, db_component) == "operational"
        assert _page(api, page)["status"]["indicator"] == "none"
    kinds = list(
        NotificationEvent.objects.order_by("created_at", "id").values_list("kind", flat=True)
    )
    assert kinds == ["maintenance_scheduled", "maintenance_started", "maintenance_completed"]


@time_machine.travel(NOW, tick=False)
def test_a_window_created_already_due_starts_at_once(api, page, db_component):
    maintenance = schedule(
        api, page, start=NOW - timedelta(minutes=5), component_ids=[db_component.id]
    )
    assert maintenance["status"] == "in_progress"
    assert _component_status(api, page, db_component) == "under_maintenance"


@time_machine.travel(NOW, tick=False)
def test_a_window_without_auto_transition_waits_for_the_operator(api, page, db_component):
    maintenance = schedule(
        api,
        page,
        start=NOW - timedelta(minutes=5),
        auto_transition=False,
        component_ids=[db_component.id],
    )
    assert maintenance["status"] == "scheduled"
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        assert maintenances_auto_transition() == 0
    url = f"/api/v1/status-pages/{page.id}/maintenances/{maintenance['id']}/updates"
    started = api.post(url, {"status": "in_progress", "message": "Starting now."})
    assert started.status_code == 201 and started.json()["id"].startswith("mntu_")
    assert _component_status(api, page, db_component) == "under_maintenance"
    api.post(url, {"status": "verifying", "message": "Checking."})
    assert _component_status(api, page, db_component) == "under_maintenance"
    api.post(url, {"status": "completed", "message": "Done."})
    assert _component_status(api, page, db_component) == "operational"


@time_machine.travel(NOW, tick=False)
def test_an_incident_during_maintenance_shows_when_it_is_worse(api, page, db_component):
    schedule(api, page, start=NOW - timedelta(minutes=5), component_ids=[db_component.id])
    assert _component_status(api, page, db_component) == "under_maintenance"
    response = api.post(
        f"/api/v1/status-pages/{page.id}/incidents",
        {
            "name": "Replica lag",
            "component_statuses": [{"component_id": db_component.id, "status": "partial_outage"}],
        },
        HTTP_IDEMPOTENCY_KEY="inc",
    )
    assert response.status_code == 201
    assert _component_status(api, page, db_component) == "partial_outage"
    assert _page(api, page)["status"]["indicator"] == "major"
    incident_id = response.json()["id"]
    api.post(
        f"/api/v1/status-pages/{page.id}/incidents/{incident_id}/updates", {"status": "resolved"}
    )
    assert _component_status(api, page, db_component) == "under_maintenance"
    assert _page(api, page)["status"]["indicator"] == "maintenance"


@time_machine.travel(NOW, tick=False)
def test_a_component_in_an_active_maintenance_cannot_be_deleted(api, page, db_component):
    schedule(api, page, start=NOW - timedelta(minutes=5), component_ids=[db_component.id])
    response = api.delete(f"/api/v1/status-pages/{page.id}/components/{db_component.id}")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"end_at": _z(NOW)}, "end_at"),
        ({"start_at": "2026-11-25T10:00:00"}, "start_at"),
        ({"component_ids": ["cmp_unknown"]}, "component_ids"),
        ({"status": "done"}, "status"),
        ({"name": ""}, "name"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bad_maintenance_input_is_a_400(api, page, body, field):
    payload = {
        "name": "Upgrade",
        "start_at": _z(NOW + timedelta(hours=1)),
        "end_at": _z(NOW + timedelta(hours=2)),
        **body,
    }
    response = api.post(
        f"/api/v1/status-pages/{page.id}/maintenances", payload, HTTP_IDEMPOTENCY_KEY="bad"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


@time_machine.travel(NOW, tick=False)
def test_moving_a_window_into_the_past_starts_it(api, page, db_component):
    maintenance = schedule(api, page, component_ids=[db_component.id])
    url = f"/api/v1/status-pages/{page.id}/maintenances/{maintenance['id']}"
    bad = api.patch(url, {"end_at": _z(NOW)})
    assert bad.status_code == 400
    moved = api.patch(url, {"start_at": _z(NOW - timedelta(minutes=1))})
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"


@time_machine.travel(NOW, tick=False)
def test_maintenance_list_filters_by_status(api, page):
    later = schedule(api, page, "a", start=NOW + timedelta(days=2), end=NOW + timedelta(days=3))
    running = schedule(api, page, "b", start=NOW - timedelta(minutes=1))
    listed = api.get(f"/api/v1/status-pages/{page.id}/maintenances").json()["data"]
    assert [m["id"] for m in listed] == [later["id"], running["id"]]
    scheduled = api.get(f"/api/v1/status-pages/{page.id}/maintenances?status=scheduled").json()
    assert [m["id"] for m in scheduled["data"]] == [later["id"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_running_at_once_start_a_window_once(on_postgres, page):
    import threading

    from django.db import connection

    from maintenances.models import MaintenanceUpdate
    from maintenances.services import maintenance_create

    with time_machine.travel(NOW, tick=False):
        windows = [
            maintenance_create(
                page=page,
                name=f"W{i}",
                start_at=NOW + timedelta(minutes=1),
                end_at=NOW + timedelta(hours=1),
            )
            for i in range(10)
        ]
    barrier = threading.Barrier(4)
    errors = []

    def beat():
        try:
            barrier.wait()
            maintenances_auto_transition(now=NOW + timedelta(minutes=2))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for window in windows:
        statuses = list(
            MaintenanceUpdate.objects.filter(maintenance=window).values_list("status", flat=True)
        )
        assert sorted(statuses) == ["in_progress", "scheduled"]


@time_machine.travel(NOW, tick=False)
def test_public_maintenance_updates_list_the_components_they_affect(api, page, db_component):
    from rest_framework.test import APIClient

    schedule(api, page, start=NOW - timedelta(minutes=5), component_ids=[db_component.id])
    active = APIClient().get(f"/pages/{page.slug}/api/v2/scheduled-maintenances/active.json")
    (maintenance,) = active.json()["scheduled_maintenances"]
    started, scheduled = maintenance["incident_updates"]
    assert started["status"] == "in_progress"
    assert started["affected_components"] == [
        {
            "code": db_component.id,
            "name": "Database",
            "old_status": "operational",
            "new_status": "under_maintenance",
        }
    ]
    assert scheduled["affected_components"] == [
        {
            "code": db_component.id,
            "name": "Database",
            "old_status": "operational",
            "new_status": "operational",
        }
    ]
