"""One incident and one maintenance read through every place that emits Statuspage's public
shapes: the public JSON documents, the Statuspage v1 API and a webhook body. Every field the
public shape has reads the same in all three, so the builders can never drift apart again:
v1 only adds fields of its own, and a webhook's incident is exactly the public shape."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.services import incident_create, incident_update_publish
from maintenances.services import maintenance_create, maintenance_update_publish
from tests.factories import ComponentFactory, SubscriberFactory
from tests.notifications_support import allow_private, eager_celery  # noqa: F401 - fixtures
from tests.test_public_api import INCIDENT_KEYS, MAINTENANCE_KEYS, UPDATE_KEYS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


@pytest.fixture
def sink(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


@pytest.fixture
def v1(make_client, organization):
    keyed = make_client(organization=organization)
    keyed.client.credentials(HTTP_AUTHORIZATION=f"OAuth {keyed.token}")
    return keyed.client


def _public(page, document: str, key: str, subject_id: str) -> dict:
    response = APIClient().get(f"/pages/{page.slug}/api/v2/{document}")
    assert response.status_code == 200
    (found,) = [item for item in response.json()[key] if item["id"] == subject_id]
    return found


def _v1(v1, page, subject_id: str) -> dict:
    response = v1.get(f"/v1/pages/{page.id}/incidents/{subject_id}")
    assert response.status_code == 200, response.content
    return response.json()


def _webhook_bodies(sink) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in sink.log]


def _public_fields(public, other):
    """``other`` cut down to the fields ``public`` has, at every depth."""
    if isinstance(public, dict):
        return {key: _public_fields(value, other[key]) for key, value in public.items()}
    if isinstance(public, list):
        assert len(public) == len(other)
        return [_public_fields(p, o) for p, o in zip(public, other, strict=True)]
    return other


def _assert_read_alike(public: dict, v1_object: dict, webhook_incident: dict):
    assert _public_fields(public, v1_object) == public
    assert _public_fields(public, webhook_incident) == public
    # The webhook carries exactly Statuspage's public shape, not a superset of ours.
    assert webhook_incident == public


def test_an_incident_reads_the_same_in_the_public_json_v1_and_a_webhook(
    page, v1, sink, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"))
    database = ComponentFactory(page=page, name="Database", position=1)
    api = ComponentFactory(page=page, name="API", position=2)
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_create(
            page=page,
            name="Writes failing",
            message="Investigating.",
            component_statuses=[
                {"component_id": api.id, "status": "partial_outage"},
                {"component_id": database.id, "status": "major_outage"},
            ],
        )
        incident_update_publish(
            incident=incident,
            status="identified",
            message="A full disk.",
            component_statuses=[{"component_id": api.id, "status": "degraded_performance"}],
        )

    public = _public(page, "incidents.json", "incidents", incident.id)
    assert set(public) == INCIDENT_KEYS
    assert [set(update) for update in public["incident_updates"]] == [UPDATE_KEYS] * 2
    assert [c["name"] for c in public["components"]] == ["Database", "API"]
    assert [c["status"] for c in public["components"]] == ["major_outage", "degraded_performance"]
    assert public["incident_updates"][0]["affected_components"] == [
        {
            "code": api.id,
            "name": "API",
            "old_status": "partial_outage",
            "new_status": "degraded_performance",
        }
    ]
    *_, latest = _webhook_bodies(sink)
    _assert_read_alike(public, _v1(v1, page, incident.id), latest["incident"])


def test_a_maintenance_reads_the_same_in_the_public_json_v1_and_a_webhook(
    page, v1, sink, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"))
    database = ComponentFactory(page=page, name="Database")
    start = timezone.now() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        maintenance = maintenance_create(
            page=page,
            name="Database upgrade",
            message="Read-only for an hour.",
            start_at=start,
            end_at=start + datetime.timedelta(hours=1),
            component_ids=[database.id],
        )

    public = _public(page, "scheduled-maintenances.json", "scheduled_maintenances", maintenance.id)
    assert set(public) == MAINTENANCE_KEYS
    assert public["impact"] == "maintenance"
    (body,) = _webhook_bodies(sink)
    assert set(body) == {"meta", "page", "incident"}
    _assert_read_alike(public, _v1(v1, page, maintenance.id), body["incident"])


def test_a_scheduled_maintenance_started_when_it_was_created_as_statuspage_publishes_it(
    page, v1, sink, django_capture_on_commit_callbacks
):
    """Statuspage's ``started_at`` of a scheduled maintenance is its ``created_at``, never its
    ``scheduled_for``; once ours is in progress it is the moment it began. All three agree."""
    SubscriberFactory(page=page, endpoint=sink.url_for("/hook"))
    created = timezone.now().replace(microsecond=0)
    start = created + datetime.timedelta(days=2)
    with time_machine.travel(created, tick=False), django_capture_on_commit_callbacks(execute=True):
        maintenance = maintenance_create(
            page=page,
            name="Network work",
            start_at=start,
            end_at=start + datetime.timedelta(hours=2),
        )

    def started_at_everywhere():
        public = _public(
            page, "scheduled-maintenances.json", "scheduled_maintenances", maintenance.id
        )
        *_, latest = _webhook_bodies(sink)
        return {
            public["started_at"],
            _v1(v1, page, maintenance.id)["started_at"],
            latest["incident"]["started_at"],
        }

    assert started_at_everywhere() == {created.strftime("%Y-%m-%dT%H:%M:%S.000Z")}

    began = start + datetime.timedelta(minutes=3)
    with time_machine.travel(began, tick=False), django_capture_on_commit_callbacks(execute=True):
        maintenance_update_publish(maintenance=maintenance, status="in_progress", message="Began.")
    assert started_at_everywhere() == {began.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
