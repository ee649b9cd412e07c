"""End to end through the management API: publishing incidents and maintenances notifies the
right subscribers once per publish, and `notify_subscribers: false` notifies nobody."""

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Delivery
from tests.factories import ComponentFactory, SubscriberFactory
from tests.notifications_support import allow_private, eager_celery  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


@pytest.fixture
def sink(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def _base(page):
    return f"/api/v1/status-pages/{page.id}"


def _bodies(sink) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in sink.log]


def test_subscribing_a_webhook_and_an_email_then_publishing_sends_one_of_each_per_publish(
    api, page, sink, django_capture_on_commit_callbacks
):
    database = ComponentFactory(page=page, name="Database")
    with django_capture_on_commit_callbacks(execute=True):
        hook = api.post(
            f"{_base(page)}/subscribers",
            {"channel": "webhook", "endpoint": sink.url_for("/hook")},
            format="json",
        )
        api.post(
            f"{_base(page)}/subscribers",
            {"channel": "email", "email": "ops@example.com", "confirmed": True},
            format="json",
        )
        created = api.post(
            f"{_base(page)}/incidents",
            {
                "name": "Database down",
                "message": "Investigating.",
                "component_statuses": [{"component_id": database.id, "status": "major_outage"}],
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="open-1",
        )
        incident_id = created.json()["id"]
        # A retried create (same idempotency key) must not notify anybody again.
        replay = api.post(
            f"{_base(page)}/incidents",
            {
                "name": "Database down",
                "message": "Investigating.",
                "component_statuses": [{"component_id": database.id, "status": "major_outage"}],
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="open-1",
        )
        assert replay["Idempotent-Replayed"] == "true"
        api.post(
            f"{_base(page)}/incidents/{incident_id}/updates",
            {"status": "resolved", "message": "Fixed."},
            format="json",
        )
    assert created.status_code == 201, created.json()
    assert [b["incident"]["incident_updates"][0]["status"] for b in _bodies(sink)] == [
        "investigating",
        "resolved",
    ]
    assert [m.subject for m in mail.outbox] == [
        "[Acme] Database down - Investigating",
        "[Acme] Database down - Resolved",
    ]
    assert sink.log[0][0].headers["webhook-signature"].startswith("v1,")
    deliveries = api.get(f"{_base(page)}/deliveries", {"incident_id": incident_id}).json()["data"]
    assert len(deliveries) == 4 and {d["status"] for d in deliveries} == {"sent"}
    assert {d["subscriber_id"] for d in deliveries} >= {hook.json()["id"]}


def test_notify_subscribers_false_sends_nothing(
    api, page, sink, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{_base(page)}/incidents",
            {"name": "Quiet fix", "message": "", "notify_subscribers": False},
            format="json",
            HTTP_IDEMPOTENCY_KEY="quiet",
        )
        assert response.status_code == 201
        api.post(
            f"{_base(page)}/incidents/{response.json()['id']}/updates",
            {"status": "resolved", "notify_subscribers": False},
            format="json",
        )
    assert sink.log == [] and not Delivery.objects.exists()


def test_component_subscribers_hear_the_whole_incident_including_its_resolution(
    api, page, sink, django_capture_on_commit_callbacks
):
    database, website = ComponentFactory(page=page), ComponentFactory(page=page)
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"), component_ids=[database.id])
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"), component_ids=[website.id])
    with django_capture_on_commit_callbacks(execute=True):
        incident = api.post(
            f"{_base(page)}/incidents",
            {
                "name": "Slow queries",
                "component_statuses": [
                    {"component_id": database.id, "status": "degraded_performance"}
                ],
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="slow",
        ).json()
        api.post(
            f"{_base(page)}/incidents/{incident['id']}/updates",
            {"status": "monitoring", "message": "A fix is out."},
            format="json",
        )
        api.post(
            f"{_base(page)}/incidents/{incident['id']}/updates",
            {"status": "resolved"},
            format="json",
        )
    statuses = [b["incident"]["incident_updates"][0]["status"] for b in _bodies(sink)]
    assert statuses == ["investigating", "monitoring", "resolved"]
    # As Statuspage sends it: the incident with all its updates so far, newest first.
    resolved = _bodies(sink)[-1]["incident"]
    assert [u["status"] for u in resolved["incident_updates"]] == statuses[::-1]
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None


def test_maintenance_subscribers_hear_about_scheduled_maintenance(
    api, page, sink, django_capture_on_commit_callbacks
):
    database = ComponentFactory(page=page)
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"))
    incident_only = SubscriberFactory(
        page=page, endpoint=sink.url_for("/hook"), component_ids=[ComponentFactory(page=page).id]
    )
    start = timezone.now() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{_base(page)}/maintenances",
            {
                "name": "Database upgrade",
                "message": "Expect a short read-only window.",
                "start_at": start.isoformat(),
                "end_at": (start + datetime.timedelta(hours=1)).isoformat(),
                "component_ids": [database.id],
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="mnt",
        )
    assert response.status_code == 201, response.json()
    bodies = _bodies(sink)
    assert len(bodies) == 1
    # Statuspage sends a maintenance as an incident with its scheduled_* fields.
    maintenance = bodies[0]["incident"]
    assert maintenance["name"] == "Database upgrade"
    assert (maintenance["status"], maintenance["impact"]) == ("scheduled", "maintenance")
    assert (
        maintenance["scheduled_for"]
        == start.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    )
    assert maintenance["scheduled_until"] is not None and maintenance["resolved_at"] is None
    assert not {"start_at", "end_at", "completed_at"} & set(maintenance)
    assert [c["id"] for c in maintenance["components"]] == [database.id]
    assert [u["status"] for u in maintenance["incident_updates"]] == ["scheduled"]
    assert maintenance["incident_updates"][0]["incident_id"] == maintenance["id"]
    assert not Delivery.objects.filter(subscriber=incident_only).exists()
