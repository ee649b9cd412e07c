"""When checks run: windows handed out once, checks spread over the interval, each location's
checks sent to its own queue, probed and recorded in bulk. (With a real worker and beat:
tests/test_monitors_worker.py.)"""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitors.models import Monitor, MonitorResult, MonitorState
from monitors.recording import results_record_many
from monitors.scheduling import (
    CATCH_UP_MS,
    due_in,
    monitor_check_now,
    monitors_dispatch,
    window_claim,
)
from monitors.services import monitor_create, monitor_update
from monitors.states import CheckedResult
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db

MINUTE_MS = 60_000
T0 = 1_800_000_000_000  # a whole minute, in epoch ms


def _fleet(page, count, **fields):
    Monitor.objects.bulk_create(
        Monitor(page=page, name=f"m{n}", kind="http", target=f"https://e{n}.example/", **fields)
        for n in range(count)
    )
    return list(Monitor.objects.filter(page=page))


def test_each_monitor_is_due_once_per_interval_and_the_fleet_is_spread_over_it(page):
    fleet = _fleet(page, 300, interval_seconds=60)

    due = [
        item
        for second in range(120)
        for item in due_in(T0 + second * 1000, T0 + second * 1000 + 1000)
    ]

    times = {}
    for monitor_id, _, due_ms, _ in due:
        times.setdefault(monitor_id, []).append(due_ms)
    assert sorted(times) == sorted(m.id for m in fleet)
    assert {b - a for a, b in times.values()} == {MINUTE_MS}
    # Not a herd at :00: 300 checks a minute fall in nearly every second of it.
    busy_seconds = Counter((due_ms - T0) // 1000 % 60 for _, _, due_ms, _ in due)
    assert len(busy_seconds) >= 50
    assert max(busy_seconds.values()) <= 6 * 2 * 300 // 60


def test_a_long_window_holds_each_monitor_once_at_its_latest_slot(page):
    [monitor] = _fleet(page, 1, interval_seconds=30)
    phase = monitor.schedule_slot % 30_000

    [(_, _, due_ms, interval_ms)] = due_in(T0, T0 + 5 * MINUTE_MS)

    assert (due_ms, interval_ms) == (T0 + 5 * MINUTE_MS - 30_000 + phase, 30_000)


def test_a_window_is_handed_out_once_however_many_dispatchers_ask():
    assert window_claim(T0, T0 + 1500) == (T0, T0 + 1500)
    assert window_claim(T0, T0 + 1500) is None
    assert window_claim(T0 + 1000, T0 + 2500) == (T0 + 1500, T0 + 2500)
    # After a long absence the dispatcher catches up one minute, not everything it missed.
    hour_later = T0 + 60 * MINUTE_MS
    assert window_claim(hour_later, hour_later + 1500) == (
        hour_later - CATCH_UP_MS,
        hour_later + 1500,
    )


def test_paused_monitors_and_heartbeats_are_not_dispatched(page):
    _fleet(page, 2, interval_seconds=30)
    Monitor.objects.filter(name="m0").update(paused=True)
    monitor_create(page=page, name="cron", kind="heartbeat", heartbeat={"period_seconds": 60})

    due = due_in(T0, T0 + MINUTE_MS)

    assert [Monitor.objects.get(id=row[0]).name for row in due] == ["m1"]


@pytest.fixture
def target(httpserver, allow_private):
    httpserver.expect_request("/health").respond_with_data("ok")
    return httpserver.url_for("/health")


def _scheduled(page, target, **fields):
    monitor, _ = monitor_create(page=page, name="API", kind="http", target=target, **fields)
    Monitor.objects.filter(id=monitor.id).update(schedule_slot=0)  # due at every whole minute
    return monitor


def test_due_checks_are_probed_from_each_location_and_recorded(page, target, eager_celery):
    monitor = _scheduled(page, target, interval_seconds=60, locations=["default", "eu"])

    sent = [monitors_dispatch(at_ms=T0 + n * MINUTE_MS - 500) for n in range(2)]

    assert sent == [2, 2]
    results = MonitorResult.objects.filter(monitor=monitor)
    assert Counter(r.location for r in results) == {"default": 2, "eu": 2}
    assert {(r.ok, r.status_code) for r in results} == {(True, 200)}
    monitor.refresh_from_db()
    assert monitor.state == MonitorState.UP
    assert monitor.last_checked_at is not None


def test_a_check_between_dispatches_is_not_sent_again(page, target, eager_celery):
    monitor = _scheduled(page, target, interval_seconds=60)

    sent = [monitors_dispatch(at_ms=T0 - 1000 + n * 500) for n in range(4)]

    assert sent == [1, 0, 0, 0]
    assert MonitorResult.objects.filter(monitor=monitor).count() == 1


def test_check_now_checks_once_from_every_location(page, target, eager_celery):
    monitor = _scheduled(page, target, locations=["default", "eu", "us"])

    assert monitor_check_now(monitor) == 3

    assert sorted(
        MonitorResult.objects.filter(monitor=monitor).values_list("location", flat=True)
    ) == [
        "default",
        "eu",
        "us",
    ]


def test_a_failing_target_found_by_the_scheduler_takes_the_component_down(
    api,
    page,
    httpserver,
    allow_private,
    eager_celery,
):
    component = ComponentFactory(page=page, name="API")
    httpserver.expect_request("/down").respond_with_data("no", status=503)
    monitor = _scheduled(
        page, httpserver.url_for("/down"), interval_seconds=60, component_id=component.id
    )

    for n in range(2):
        monitors_dispatch(at_ms=T0 + n * MINUTE_MS - 500)

    monitor.refresh_from_db()
    component_url = f"/api/v1/status-pages/{page.id}/components/{component.id}"
    assert (monitor.state, api.get(component_url).json()["status"]) == (
        MonitorState.DOWN,
        "major_outage",
    )
    assert MonitorResult.objects.filter(monitor=monitor, ok=False).count() == 2


def _results(monitors, ok=True):
    from django.utils import timezone

    now = timezone.now()
    return [
        (m.id, CheckedResult("default", ok, 200, 12, "", now, False, lag_ms=3)) for m in monitors
    ]


def test_a_batch_of_results_is_recorded_with_the_same_queries_however_many_monitors(page):
    large = _fleet(page, 60, interval_seconds=60)
    small = large[:5]
    for _ in range(3):  # past the recovery threshold: steady, streaks no longer change
        results_record_many(_results(large))
    assert {m.state for m in Monitor.objects.filter(page=page)} == {MonitorState.UP}

    counts = []
    for fleet in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert results_record_many(_results(fleet)) == len(fleet)
        counts.append(len(queries))

    # Monitors with their streaks, results, last checked; and the test's savepoints for the
    # two transactions.
    assert counts == [7, 7]


def test_figures_of_a_scaled_clock_are_recorded_as_whole_milliseconds(page):
    from django.utils import timezone

    (monitor,) = _fleet(page, 1, interval_seconds=60)
    result = CheckedResult("default", True, 200, 12.7, "", timezone.now(), False, lag_ms=2.5)

    assert results_record_many([(monitor.id, result)]) == 1
    recorded = MonitorResult.objects.get(monitor=monitor)
    assert (recorded.status_code, recorded.latency_ms, recorded.lag_ms) == (200, 12, 2)


def test_a_monitor_deleted_while_its_check_ran_loses_only_its_result(page):
    first, second = _fleet(page, 2, interval_seconds=60)
    results = _results([first, second])
    first.delete()

    assert results_record_many(results) == 1
    assert MonitorResult.objects.filter(monitor=second).count() == 1


def test_changing_the_interval_moves_the_monitor_to_its_new_rhythm(page, target):
    monitor = _scheduled(page, target, interval_seconds=60)

    monitor_update(monitor=monitor, interval_seconds=120)

    due = [row[2] for s in range(240) for row in due_in(T0 + s * 1000, T0 + s * 1000 + 1000)]
    assert due == [T0, T0 + 2 * MINUTE_MS]


def test_a_fleet_coming_up_is_settled_in_bulk_each_change_in_the_activity_log(page):
    from audit.models import AuditEvent

    fleet = _fleet(page, 40, interval_seconds=60)
    results_record_many(_results(fleet))  # one success each: still pending

    counts = []
    for part in (fleet[:4], fleet[4:]):
        with CaptureQueriesContext(connection) as queries:
            results_record_many(_results(part))
        counts.append(len(queries))

    assert {m.state for m in Monitor.objects.filter(page=page)} == {MonitorState.UP}
    assert counts[0] == counts[1]
    events = AuditEvent.objects.filter(object_type="monitor", actor_type="monitor")
    assert sorted(events.values_list("actor_id", flat=True)) == sorted(m.id for m in fleet)
    assert {(e.action, str(e.changes)) for e in events} == {
        ("monitor.updated", str({"state": ["pending", "up"]}))
    }


@pytest.mark.redis
def test_a_location_nobody_serves_holds_a_minute_of_tasks_on_the_broker_not_more(page, caplog):
    from config.celery import app
    from monitors.scheduling import BACKLOG_CAP, queue_for
    from monitors.tasks import monitors_check_task

    monitor = _scheduled(page, "https://api.example.com/", locations=["nowhere"])
    queue = queue_for("nowhere")

    def waiting():
        with app.connection_for_write() as connection:
            try:
                return connection.default_channel.queue_declare(queue, passive=True).message_count
            except connection.channel_errors:
                return 0

    app.control.purge()
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)
    try:
        for _ in range(BACKLOG_CAP + 1):
            monitors_check_task.apply_async(args=("nowhere", []), queue=queue)

        assert monitors_dispatch(at_ms=T0 - 500) == 0

        assert waiting() == BACKLOG_CAP + 1
        assert f"{BACKLOG_CAP + 1} check tasks wait on monitors.nowhere" in caplog.text
        assert not MonitorResult.objects.filter(monitor=monitor).exists()
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)
