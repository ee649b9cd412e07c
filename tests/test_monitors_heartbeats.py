"""Heartbeats through HTTP: the job pings /ping/{token} (up at once), /start, /fail (down at
once); silence past period + grace takes it down through the periodic task."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from incidents.models import Incident
from monitors.models import Monitor
from monitors.tasks import heartbeats_overdue_mark_task
from tests.factories import ComponentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def component(page):
    return ComponentFactory(page=page, name="Backups")


@pytest.fixture
def heartbeat(api, page, component):
    """(monitor id, ping path) of a heartbeat: period 5 minutes, grace 1 minute."""
    response = api.post(
        f"/api/v1/status-pages/{page.id}/monitors",
        {
            "name": "Nightly backup",
            "kind": "heartbeat",
            "heartbeat": {"period_seconds": 300, "grace_seconds": 60},
            "component_id": component.id,
            "open_incident": True,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    url = body["heartbeat"]["ping_url"]
    assert url.startswith(settings.PUBLIC_BASE_URL)
    return body["id"], url.removeprefix(settings.PUBLIC_BASE_URL)


def _state(monitor_id):
    return Monitor.objects.get(id=monitor_id).state


def _component_status(api, page, component):
    return api.get(f"/api/v1/status-pages/{page.id}/components/{component.id}").json()["status"]


def test_a_ping_answers_ok_and_makes_the_heartbeat_up_at_once(heartbeat):
    monitor_id, path = heartbeat
    assert _state(monitor_id) == "pending"
    response = Client().get(path)
    assert response.status_code == 200
    assert response.content == b"OK"
    assert response["Content-Type"].startswith("text/plain")
    assert _state(monitor_id) == "up"


def test_a_ping_by_post_needs_no_csrf_token_nor_key(heartbeat):
    monitor_id, path = heartbeat
    response = Client(enforce_csrf_checks=True).post(path, data=b"log", content_type="text/plain")
    assert response.status_code == 200
    assert _state(monitor_id) == "up"


def test_silence_past_period_and_grace_takes_it_down_through_the_periodic_task(
    api, page, component, heartbeat
):
    monitor_id, path = heartbeat
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Client().get(path)
    with time_machine.travel(start + timedelta(seconds=359), tick=False):
        heartbeats_overdue_mark_task.delay()
        assert _state(monitor_id) == "up"
    with time_machine.travel(start + timedelta(seconds=361), tick=False):
        heartbeats_overdue_mark_task.delay()
        assert _state(monitor_id) == "down"
    assert _component_status(api, page, component) == "major_outage"
    incident = Incident.objects.get()
    assert incident.name == "Nightly backup is down"
    results = api.get(f"/api/v1/status-pages/{page.id}/monitors/{monitor_id}/results").json()
    assert results["data"][0]["ok"] is False
    assert "No ping" in results["data"][0]["error"]
    # Running the task again changes nothing: one incident per outage.
    with time_machine.travel(start + timedelta(seconds=400), tick=False):
        heartbeats_overdue_mark_task.delay()
    assert Incident.objects.count() == 1
    # The next ping brings it back at once and resolves the incident.
    with time_machine.travel(start + timedelta(seconds=420), tick=False):
        assert Client().post(path).status_code == 200
    assert _state(monitor_id) == "up"
    assert _component_status(api, page, component) == "operational"
    incident.refresh_from_db()
    assert incident.status == "resolved"


def test_a_ping_pushes_the_deadline_back(heartbeat):
    monitor_id, path = heartbeat
    start = timezone.now()
    for minutes in (0, 5, 10):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            Client().get(path)
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        heartbeats_overdue_mark_task.delay()
    assert _state(monitor_id) == "up"


def test_a_heartbeat_never_pinged_stays_pending(heartbeat):
    monitor_id, _ = heartbeat
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        heartbeats_overdue_mark_task.delay()
    assert _state(monitor_id) == "pending"


def test_fail_takes_it_down_at_once_and_start_records_a_start(api, page, component, heartbeat):
    monitor_id, path = heartbeat
    Client().get(path)
    response = Client().get(f"{path}/start")
    assert response.status_code == 200
    assert _state(monitor_id) == "up"
    assert Monitor.objects.get(id=monitor_id).last_start_at is not None
    response = Client().post(f"{path}/fail")
    assert response.status_code == 200
    assert _state(monitor_id) == "down"
    assert _component_status(api, page, component) == "major_outage"


def test_an_unknown_or_rotated_token_is_a_404_in_the_error_envelope(api, page, heartbeat):
    monitor_id, path = heartbeat
    for unknown in ("/ping/nope", "/ping/nope/start", "/ping/nope/fail"):
        response = Client().get(unknown)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    api.post(f"/api/v1/status-pages/{page.id}/monitors/{monitor_id}/rotate-ping-url")
    assert Client().get(path).status_code == 404
    assert _state(monitor_id) == "pending"


def test_a_paused_heartbeat_does_not_change_state_on_pings(api, page, heartbeat):
    monitor_id, path = heartbeat
    api.patch(
        f"/api/v1/status-pages/{page.id}/monitors/{monitor_id}", {"paused": True}, format="json"
    )
    assert Client().get(path).status_code == 200
    assert Client().get(f"{path}/fail").status_code == 200
    assert _state(monitor_id) == "paused"


def test_the_periodic_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "monitors.tasks.heartbeats_overdue_mark" in tasks
    assert "monitors.tasks.monitor_results_purge" in tasks


@pytest.mark.redis
def test_with_redis_and_a_worker_pings_are_queued_and_applied_in_order_by_the_periodic_task(
    heartbeat, component, settings
):
    from celery import current_app

    from monitors.heartbeats import PINGS_KEY, _pings_client
    from monitors.models import MonitorResult
    from monitors.tasks import pings_record_task

    monitor_id, ping = heartbeat
    current_app.conf.task_always_eager = False  # as with a worker: queued, not applied
    try:
        _pings_client().delete(PINGS_KEY)
        assert [Client().get(path).status_code for path in (ping, ping, ping + "/fail")] == [
            200,
            200,
            200,
        ]
        assert Client().get("/ping/not-a-token").status_code == 404
        assert Monitor.objects.get(id=monitor_id).state == "pending"  # nothing applied yet

        assert pings_record_task.apply().get() == 3
    finally:
        current_app.conf.task_always_eager = True

    monitor = Monitor.objects.get(id=monitor_id)
    results = list(MonitorResult.objects.filter(monitor_id=monitor_id).order_by("checked_at"))
    assert [r.ok for r in results] == [True, True, False]
    assert monitor.state == "down" and monitor.last_ping_at == results[-1].checked_at
    assert Incident.objects.filter(page=component.page).count() == 1
    assert pings_record_task.apply().get() == 0  # each ping applied once


def test_pings_asked_to_queue_with_no_redis_to_queue_on_are_applied_at_once(heartbeat, settings):
    settings.MONITORS_PINGS_QUEUED = True  # eager here (the fixture): nothing would drain them
    monitor_id, ping = heartbeat

    assert Client().get(ping).status_code == 200

    assert Monitor.objects.get(id=monitor_id).state == "up"


@pytest.fixture
def queued():
    """As with Redis and a worker: pings wait on Redis for ``pings_record``."""
    from celery import current_app

    from monitors.heartbeats import PINGS_KEY, _pings_client

    current_app.conf.task_always_eager = False
    _pings_client().delete(PINGS_KEY)
    yield _pings_client()
    current_app.conf.task_always_eager = True


@pytest.mark.redis
def test_a_queued_ping_of_a_known_url_asks_the_database_nothing(
    heartbeat, queued, django_assert_num_queries
):
    from monitors.heartbeats import PINGS_KEY

    monitor_id, ping = heartbeat
    assert Client().get(ping).status_code == 200  # the first one looks the URL up
    with django_assert_num_queries(0):
        assert Client().get(ping).status_code == 200
        assert Client().get(ping + "/fail").status_code == 200
    with django_assert_num_queries(1):  # an unknown URL: looked up once, then remembered
        assert Client().get("/ping/not-a-token").status_code == 404
    with django_assert_num_queries(0):
        assert Client().get("/ping/not-a-token").status_code == 404
    assert [entry.split()[:2] for entry in map(bytes.decode, queued.lrange(PINGS_KEY, 0, -1))] == [
        [monitor_id, "ping"],
        [monitor_id, "ping"],
        [monitor_id, "fail"],
    ]


@pytest.mark.redis
def test_a_queued_ping_url_answers_404_as_soon_as_it_is_rotated(
    api, page, heartbeat, queued, django_capture_on_commit_callbacks
):
    monitor_id, ping = heartbeat
    assert Client().get(ping).status_code == 200  # its monitor is now remembered on Redis
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/status-pages/{page.id}/monitors/{monitor_id}/rotate-ping-url")
    new_ping = response.json()["heartbeat"]["ping_url"].removeprefix(settings.PUBLIC_BASE_URL)

    assert Client().get(ping).status_code == 404
    assert Client().get(new_ping).status_code == 200


@pytest.mark.redis
def test_a_queued_ping_url_answers_404_as_soon_as_its_page_is_deleted(
    page, heartbeat, queued, django_capture_on_commit_callbacks
):
    monitor_id, ping = heartbeat
    assert Client().get(ping).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()  # the monitor goes with it, not through the monitors' service

    assert Client().get(ping).status_code == 404
