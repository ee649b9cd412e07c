"""The one publishing pipeline, seen by a subscriber: what a notification says is what was true
when it was published, however late it is sent, and every publish is one event."""

import json

import pytest

from notifications.models import NotificationEvent
from tests.factories import ComponentFactory, SubscriberFactory
from tests.notifications_support import allow_private, eager_celery  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


@pytest.fixture
def sink(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def _bodies(sink) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in sink.log]


def test_a_late_notification_reports_the_page_status_of_its_publish_not_of_its_send(
    api, page, sink, django_capture_on_commit_callbacks
):
    database = ComponentFactory(page=page, name="Database")
    ComponentFactory(page=page, name="Website")
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"))
    base = f"/api/v1/status-pages/{page.id}"
    # The outage is published, but its fan-out is held back (a busy queue)...
    with django_capture_on_commit_callbacks(execute=False) as held:
        created = api.post(
            f"{base}/incidents",
            {
                "name": "Database down",
                "component_statuses": [{"component_id": database.id, "status": "partial_outage"}],
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="late-1",
        )
    assert created.status_code == 201, created.json()
    # ...and the page is all green again before it goes out.
    api.post(
        f"{base}/incidents/{created.json()['id']}/updates",
        {"status": "resolved", "message": "Fixed."},
        format="json",
    )
    sink.clear_log()
    for callback in held:
        callback()
    [body] = _bodies(sink)
    assert body["incident"]["status"] == "investigating"
    assert body["page"]["status_indicator"] == "major"
    assert body["page"]["status_description"] == "Partial System Outage"


def test_each_manual_component_change_is_one_event_and_a_change_that_moves_nothing_is_none(
    api, page, sink, django_capture_on_commit_callbacks
):
    database = ComponentFactory(page=page, name="Database")
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"))
    url = f"/api/v1/status-pages/{page.id}/components/{database.id}"
    with django_capture_on_commit_callbacks(execute=True):
        for status in ("degraded_performance", "degraded_performance", "operational"):
            response = api.patch(url, {"status": status}, format="json")
            assert response.status_code == 200, response.json()
    events = NotificationEvent.objects.filter(kind="component_updated").order_by("created_at")
    assert [e.payload["components"][0]["new_status"] for e in events] == [
        "degraded_performance",
        "operational",
    ]
    assert len({e.publish_key for e in events}) == 2
    assert [b["component_update"]["new_status"] for b in _bodies(sink)] == [
        "degraded_performance",
        "operational",
    ]


def test_an_incident_and_a_maintenance_record_their_component_changes_in_one_shape(
    api, page, django_capture_on_commit_callbacks
):
    database = ComponentFactory(page=page, name="Database")
    cache = ComponentFactory(page=page, name="Cache")
    base = f"/api/v1/status-pages/{page.id}"
    incident = api.post(
        f"{base}/incidents",
        {
            "name": "Database slow",
            "component_statuses": [{"component_id": database.id, "status": "degraded_performance"}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="shape-1",
    ).json()
    maintenance = api.post(
        f"{base}/maintenances",
        {
            "name": "Database upgrade",
            "start_at": "2020-01-01T00:00:00Z",
            "end_at": "2999-01-01T00:00:00Z",
            "component_ids": [cache.id],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="shape-2",
    ).json()
    incident_change = incident["updates"][0]["component_statuses"]
    maintenance_events = NotificationEvent.objects.filter(maintenance_id=maintenance["id"])
    started = maintenance_events.get(kind="maintenance_started").payload["components"]
    assert incident_change == [
        {
            "component_id": database.id,
            "name": "Database",
            "status": "degraded_performance",
            "old_status": "operational",
            "new_status": "degraded_performance",
        }
    ]
    assert started == [
        {
            "id": cache.id,
            "name": "Cache",
            "old_status": "operational",
            "new_status": "under_maintenance",
        }
    ]
