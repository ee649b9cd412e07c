"""Operators make, change and rotate monitors in the admin site, through the services, and
see their state and last results."""

import re

import pytest
from django.conf import settings
from django.test import Client

from monitors.heartbeats import pings_record
from monitors.models import Monitor
from monitors.services import monitor_create, monitor_results_record
from tests.factories import ComponentFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

BLANK = {
    "target": "",
    "interval_seconds": "60",
    "timeout_seconds": "10",
    "http": "",
    "dns": "",
    "period_seconds": "",
    "grace_seconds": "",
    "locations": '["default"]',
    "failure_threshold": "2",
    "recovery_threshold": "2",
    "component": "",
    "down_status": "major_outage",
    "notify_subscribers": "on",
}


def _ping_url_in(html: str) -> str:
    return re.search(r'id="ping-url"[^>]*>([^<]+)</code>', html).group(1).strip()


def test_creating_a_heartbeat_shows_its_ping_url_once_and_it_works(operator, page):
    assert operator.get("/admin/monitors/monitor/add/").status_code == 200
    response = operator.post(
        "/admin/monitors/monitor/add/",
        {**BLANK, "page": page.id, "kind": "heartbeat", "name": "Cron", "period_seconds": "300"},
    )
    assert response.status_code == 200, response.content
    url = _ping_url_in(response.content.decode())
    path = url.removeprefix(settings.PUBLIC_BASE_URL)
    monitor = Monitor.objects.get()
    assert monitor.period_seconds == 300 and monitor.grace_seconds == 3600
    change = operator.get(f"/admin/monitors/monitor/{monitor.id}/change/").content
    assert path.encode() not in change and b"Rotate ping URL" in change
    assert Client().get(path).status_code == 200
    pings_record()  # with Redis and a broker the ping waits for beat's run; without, it is done
    assert Monitor.objects.get().state == "up"


def test_the_service_refusal_comes_back_on_the_form(operator, page):
    response = operator.post(
        "/admin/monitors/monitor/add/",
        {**BLANK, "page": page.id, "kind": "http", "name": "API", "target": "ftp://x.example/"},
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert Monitor.objects.count() == 0


def test_the_change_page_shows_state_and_last_results_and_saves_through_the_service(operator, page):
    component = ComponentFactory(page=page, name="API")
    monitor, _ = monitor_create(
        page=page, name="API", kind="http", target="https://api.example.com/"
    )
    monitor_results_record(
        monitor_id=monitor.id, results=[{"ok": False, "error": "connection refused"}]
    )
    change = operator.get(f"/admin/monitors/monitor/{monitor.id}/change/")
    assert b"connection refused" in change.content
    assert b"Pending" in change.content
    response = operator.post(
        f"/admin/monitors/monitor/{monitor.id}/change/",
        {
            **BLANK,
            "name": "API v2",
            "target": "https://api.example.com/",
            "http": '{"keyword": "ok"}',
            "component": component.id,
        },
    )
    assert response.status_code == 302, response.content
    monitor.refresh_from_db()
    assert monitor.name == "API v2"
    assert monitor.component_id == component.id
    assert monitor.http["keyword"] == "ok" and monitor.http["method"] == "GET"


def test_check_now_checks_the_chosen_monitors_from_each_location_and_skips_heartbeats(
    operator, page, httpserver, allow_private, eager_celery
):
    httpserver.expect_request("/health").respond_with_data("ok")
    web, _ = monitor_create(
        page=page,
        name="Web",
        kind="http",
        target=httpserver.url_for("/health"),
        locations=["default", "eu"],
    )
    cron, _ = monitor_create(page=page, name="Nightly", kind="heartbeat")

    response = operator.post(
        "/admin/monitors/monitor/",
        {"action": "check_now", "_selected_action": [web.id, cron.id]},
        follow=True,
    )

    assert response.status_code == 200
    assert sorted(web.results.values_list("location", "ok")) == [("default", True), ("eu", True)]
    assert not cron.results.exists()
    text = response.content.decode()
    assert "1 monitor(s) checked from 2 location(s)" in text
    assert "not checked: Nightly" in text
    change = operator.get(f"/admin/monitors/monitor/{web.id}/change/")
    assert change.content.count(b"<li>") >= 2 and b" ok " in change.content


def test_check_now_reaches_only_the_operators_own_monitors(operator, page, eager_celery):
    other_page = StatusPageFactory()
    theirs, _ = monitor_create(
        page=other_page, name="Theirs", kind="http", target="https://theirs.example/"
    )

    operator.post(
        "/admin/monitors/monitor/", {"action": "check_now", "_selected_action": [theirs.id]}
    )

    assert not theirs.results.exists()
