"""The monitor state machine through its service: thresholds, quorum across locations,
degraded, recovery; and its effects: component and page status, one incident per outage,
notification events, uptime, the activity log."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from incidents.models import Incident
from monitors.models import Monitor
from monitors.services import monitor_create, monitor_results_record, monitor_update
from notifications.models import NotificationEvent
from statuspages.models import ComponentStatus
from tests.factories import ComponentFactory
from uptime.models import StatusInterval

pytestmark = pytest.mark.django_db

OK = {"ok": True, "status_code": 200, "latency_ms": 50}
FAIL = {"ok": False, "status_code": 500, "latency_ms": 50, "error": "HTTP 500"}
SLOW = {"ok": True, "status_code": 200, "latency_ms": 4000, "degraded": True}


@pytest.fixture
def component(page):
    return ComponentFactory(page=page, name="API")


@pytest.fixture
def make_monitor(page, component):
    def make(**fields):
        fields.setdefault("component_id", component.id)
        monitor, _ = monitor_create(
            page=page, name="API", kind="http", target="https://api.example.com/", **fields
        )
        return monitor

    return make


class Clock:
    """Results a minute apart, as a scheduler would send them."""

    def __init__(self):
        self.at = timezone.now() - timedelta(hours=1)

    def __call__(self, monitor, *results, location="default"):
        batch = []
        for result in results:
            self.at += timedelta(minutes=1)
            batch.append({"location": location, "checked_at": self.at, **result})
        return monitor_results_record(monitor_id=monitor.id, results=batch)


@pytest.fixture
def record():
    return Clock()


def _status(api, page, component):
    url = f"/api/v1/status-pages/{page.id}/components/{component.id}"
    return api.get(url).json()["status"]


def _page_indicator(api, page):
    return api.get(f"/api/v1/status-pages/{page.id}").json()["status"]["indicator"]


def test_a_monitor_is_pending_until_the_recovery_threshold_then_up(make_monitor, record):
    monitor = make_monitor()
    assert record(monitor, OK).state == "pending"
    assert record(monitor, OK).state == "up"
    assert monitor_results_record(monitor_id=monitor.id, results=[]).state == "up"


def test_failures_below_the_threshold_change_nothing_and_at_it_the_monitor_is_down(
    api, page, component, make_monitor, record
):
    monitor = make_monitor(failure_threshold=3)
    record(monitor, OK, OK)
    assert record(monitor, FAIL, FAIL).state == "up"
    assert _status(api, page, component) == "operational"
    down = record(monitor, FAIL)
    assert down.state == "down"
    assert down.state_changed_at is not None
    assert _status(api, page, component) == "major_outage"
    assert _page_indicator(api, page) == "critical"


def test_recovery_needs_the_recovery_threshold_and_clears_only_the_monitors_contribution(
    api, page, component, make_monitor, record
):
    monitor = make_monitor(down_status="partial_outage", recovery_threshold=3)
    record(monitor, FAIL, FAIL)
    assert _status(api, page, component) == "partial_outage"
    assert record(monitor, OK, OK).state == "down"
    assert record(monitor, OK).state == "up"
    assert _status(api, page, component) == "operational"
    # A manual status stays when the monitor recovers: the worst of both shows.
    component.manual_status = ComponentStatus.DEGRADED_PERFORMANCE
    component.save()
    record(monitor, FAIL, FAIL)
    assert _status(api, page, component) == "partial_outage"
    record(monitor, OK, OK, OK)
    assert _status(api, page, component) == "degraded_performance"


def test_the_public_page_shows_a_monitor_outage_and_forgets_it_on_recovery(
    page, component, make_monitor, record, django_capture_on_commit_callbacks
):
    other = ComponentFactory(page=page, name="Web")
    monitor = make_monitor(down_status="partial_outage")

    def public():
        summary = Client().get("/pages/acme/api/v2/summary.json").json()
        statuses = {c["id"]: c["status"] for c in summary["components"]}
        return summary["status"]["indicator"], statuses[component.id], statuses[other.id]

    for results, expected in (
        ((OK, OK), ("none", "operational", "operational")),
        ((FAIL, FAIL), ("major", "partial_outage", "operational")),
        ((OK, OK), ("none", "operational", "operational")),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            record(monitor, *results)
        assert public() == expected


def test_a_slow_success_makes_the_monitor_degraded_and_the_component_degraded(
    api, page, component, make_monitor, record
):
    monitor = make_monitor()
    record(monitor, OK, OK)
    assert record(monitor, SLOW).state == "degraded"
    assert _status(api, page, component) == "degraded_performance"
    assert _page_indicator(api, page) == "minor"
    assert record(monitor, OK).state == "up"
    assert _status(api, page, component) == "operational"


def test_quorum_one_silent_location_of_two_never_takes_the_monitor_down(
    api, page, component, make_monitor, record
):
    monitor = make_monitor(locations=["eu", "us"])
    record(monitor, OK, OK, location="eu")
    record(monitor, OK, OK, location="us")
    assert Monitor.objects.get(id=monitor.id).state == "up"
    # "us" goes silent; "eu" fails on and on: one of two is not more than half.
    assert record(monitor, FAIL, FAIL, FAIL, FAIL, location="eu").state == "up"
    assert _status(api, page, component) == "operational"
    # Once "us" fails past the threshold too, two of two agree.
    assert record(monitor, FAIL, location="us").state == "up"
    assert record(monitor, FAIL, location="us").state == "down"
    assert _status(api, page, component) == "major_outage"


def test_quorum_two_of_three_locations_take_it_down_and_bring_it_back(make_monitor, record):
    monitor = make_monitor(locations=["eu", "us", "ap"])
    record(monitor, FAIL, FAIL, location="eu")
    assert Monitor.objects.get(id=monitor.id).state == "pending"
    assert record(monitor, FAIL, FAIL, location="us").state == "down"
    record(monitor, OK, OK, location="eu")
    assert Monitor.objects.get(id=monitor.id).state == "down"
    assert record(monitor, OK, OK, location="ap").state == "up"


def test_a_flapping_target_opens_one_incident_per_outage_and_recovery_resolves_it(
    api, page, component, make_monitor, record
):
    monitor = make_monitor(open_incident=True)
    record(monitor, OK, OK)
    # Flapping below the thresholds: no outage at all.
    record(monitor, FAIL, OK, FAIL, OK, FAIL, OK)
    assert Incident.objects.count() == 0
    record(monitor, FAIL, FAIL, FAIL, OK, FAIL, FAIL, FAIL)
    assert Incident.objects.count() == 1
    incident = Incident.objects.get()
    assert incident.name == "API is down"
    assert incident.status == "investigating"
    assert Monitor.objects.get(id=monitor.id).incident_id == incident.id
    assert _status(api, page, component) == "major_outage"
    record(monitor, OK, OK)
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert _status(api, page, component) == "operational"
    assert Monitor.objects.get(id=monitor.id).incident_id is None
    # The next outage is a new incident.
    record(monitor, FAIL, FAIL)
    assert Incident.objects.count() == 2
    assert Incident.objects.exclude(id=incident.id).get().status == "investigating"


def test_notification_events_are_recorded_only_with_notify_subscribers(
    page, component, make_monitor, record
):
    quiet = make_monitor(notify_subscribers=False, open_incident=True)
    record(quiet, FAIL, FAIL, OK, OK, SLOW, OK)
    assert Incident.objects.count() == 1
    assert NotificationEvent.objects.count() == 0
    loud = make_monitor(notify_subscribers=True)
    record(loud, FAIL, FAIL)
    assert NotificationEvent.objects.filter(kind="component_updated").count() == 1
    record(loud, OK, OK)
    assert NotificationEvent.objects.filter(kind="component_updated").count() == 2


def test_an_incident_opened_by_a_monitor_notifies_through_the_incident(
    page, component, make_monitor, record
):
    monitor = make_monitor(open_incident=True)
    record(monitor, FAIL, FAIL)
    assert list(NotificationEvent.objects.values_list("kind", flat=True)) == ["incident_created"]
    record(monitor, OK, OK)
    assert sorted(NotificationEvent.objects.values_list("kind", flat=True)) == [
        "incident_created",
        "incident_resolved",
    ]


def test_uptime_sees_a_monitor_outage(api, page, component, make_monitor, record):
    monitor = make_monitor()
    record(monitor, FAIL, FAIL)
    interval = StatusInterval.objects.get(component=component)
    assert interval.status == "major_outage" and interval.ended_at is None
    record(monitor, OK, OK)
    interval.refresh_from_db()
    assert interval.ended_at is not None
    days = api.get(f"/api/v1/status-pages/{page.id}/uptime").json()["components"][0]["days"]
    assert days[-1]["worst_status"] == "major_outage"


def test_changes_a_monitor_makes_name_it_in_the_activity_log(page, make_monitor, record):
    monitor = make_monitor(open_incident=True)
    record(monitor, FAIL, FAIL)
    incident = Incident.objects.get()
    created = AuditEvent.objects.get(object_id=incident.id, action="incident.created")
    assert (created.actor_type, created.actor_id) == ("monitor", monitor.id)
    changed = AuditEvent.objects.filter(object_id=monitor.id, actor_type="monitor")
    assert changed.exists()


def test_pausing_takes_back_the_monitors_contribution_and_resuming_starts_pending(
    api, page, component, make_monitor, record
):
    monitor = make_monitor(open_incident=True)
    record(monitor, FAIL, FAIL)
    paused = monitor_update(monitor=monitor, paused=True)
    assert paused.state == "paused"
    assert _status(api, page, component) == "operational"
    assert Incident.objects.get().status == "resolved"
    assert record(monitor, FAIL, FAIL, FAIL).state == "paused"
    resumed = monitor_update(monitor=monitor, paused=False)
    assert resumed.state == "pending"
    assert record(monitor, OK, OK).state == "up"


def test_moving_a_down_monitor_to_another_component_moves_its_status(
    api, page, component, make_monitor, record
):
    monitor = make_monitor()
    record(monitor, FAIL, FAIL)
    other = ComponentFactory(page=page, name="Web")
    monitor_update(monitor=monitor, component_id=other.id)
    assert _status(api, page, component) == "operational"
    assert _status(api, page, other) == "major_outage"


def test_results_are_checked_by_the_service(make_monitor):
    monitor = make_monitor()
    with pytest.raises(ValidationError) as caught:
        monitor_results_record(monitor_id=monitor.id, results=[{"ok": "yes"}])
    assert "results.0.ok" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        monitor_results_record(
            monitor_id=monitor.id, results=[OK, {"ok": True, "location": "Not A Place"}]
        )
    assert "results.1.location" in caught.value.message_dict
    long_error = monitor_results_record(
        monitor_id=monitor.id, results=[{"ok": False, "error": "x" * 5000}]
    )
    assert len(long_error.results.get().error) == 1000
    assert monitor_results_record(monitor_id="mon_gone", results=[OK]) is None


def test_results_older_than_90_days_are_purged_by_the_daily_task(make_monitor, eager_celery):
    from monitors.tasks import monitor_results_purge_task

    monitor = make_monitor()
    now = timezone.now()
    monitor_results_record(
        monitor_id=monitor.id,
        results=[
            {**OK, "checked_at": now - timedelta(days=91)},
            {**OK, "checked_at": now - timedelta(days=89)},
        ],
    )
    monitor_results_purge_task.delay()
    assert list(monitor.results.values_list("checked_at", flat=True)) == [now - timedelta(days=89)]


def test_the_purge_goes_through_many_old_results_a_batch_at_a_time(make_monitor):
    from monitors.states import monitor_results_purge

    monitor = make_monitor()
    now = timezone.now()
    old = [{**OK, "checked_at": now - timedelta(days=91, minutes=n)} for n in range(7)]
    monitor_results_record(monitor_id=monitor.id, results=[*old, {**OK, "checked_at": now}])

    assert monitor_results_purge(batch=3) == 7
    assert list(monitor.results.values_list("checked_at", flat=True)) == [now]
