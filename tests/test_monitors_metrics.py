"""A Prometheus scraper reads the monitors at /metrics: checks of the last five minutes by
location and outcome, their latency and schedule lag, and the monitors by state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.models import MonitorResult
from monitors.services import monitor_create, monitor_results_record

pytestmark = pytest.mark.django_db

TOKEN = "scrape-me-0123456789"


@pytest.fixture(autouse=True)
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def _scrape(client) -> list[str]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode().splitlines()


def _monitor(page, name="API", **fields):
    monitor, _ = monitor_create(
        page=page, name=name, kind="http", target="https://api.example.com/", **fields
    )
    return monitor


def _result(location, *, ok=True, latency_ms=100, degraded=False, minutes_ago=1):
    return {
        "location": location,
        "ok": ok,
        "status_code": 200 if ok else 500,
        "latency_ms": latency_ms,
        "degraded": degraded,
        "checked_at": timezone.now() - timedelta(minutes=minutes_ago),
    }


def test_metrics_count_the_last_five_minutes_checks_by_location_and_outcome(client, page):
    monitor = _monitor(page, locations=["eu", "us"])
    monitor_results_record(
        monitor_id=monitor.id,
        results=[
            _result("eu"),
            _result("eu", latency_ms=3000, degraded=True),
            _result("eu", ok=False, latency_ms=None),
            _result("us", latency_ms=40),
            _result("us", minutes_ago=6),  # outside the window
        ],
    )

    lines = _scrape(client)

    assert 'statuspage_monitor_checks{location="eu",outcome="ok"} 1' in lines
    assert 'statuspage_monitor_checks{location="eu",outcome="degraded"} 1' in lines
    assert 'statuspage_monitor_checks{location="eu",outcome="failed"} 1' in lines
    assert 'statuspage_monitor_checks{location="us",outcome="ok"} 1' in lines
    assert 'statuspage_monitor_checks{location="us",outcome="failed"} 0' in lines
    assert any(
        line.startswith("# HELP statuspage_monitor_checks ") and "5 minutes" in line
        for line in lines
    )
    # Latencies 100, 3000 and 40 ms (the failure had none).
    name = "statuspage_monitor_check_latency_seconds"
    assert f'{name}_bucket{{le="0.05"}} 1' in lines
    assert f'{name}_bucket{{le="0.1"}} 2' in lines
    assert f'{name}_bucket{{le="2.5"}} 2' in lines
    assert f'{name}_bucket{{le="5"}} 3' in lines
    assert f'{name}_bucket{{le="+Inf"}} 3' in lines
    assert f"{name}_sum 3.140" in lines
    assert f"{name}_count 3" in lines


def test_metrics_show_how_late_scheduled_checks_started(client, page):
    monitor = _monitor(page)
    monitor_results_record(
        monitor_id=monitor.id, results=[_result("default"), _result("default"), _result("default")]
    )
    # The scheduler stores each probe's lag with its result; a result sent otherwise has none.
    first, second, _ = MonitorResult.objects.order_by("id")
    MonitorResult.objects.filter(id=first.id).update(lag_ms=5)
    MonitorResult.objects.filter(id=second.id).update(lag_ms=1500)

    lines = _scrape(client)

    name = "statuspage_monitor_schedule_lag_seconds"
    assert f'{name}_bucket{{le="0.01"}} 1' in lines
    assert f'{name}_bucket{{le="1"}} 1' in lines
    assert f'{name}_bucket{{le="2"}} 2' in lines
    assert f'{name}_bucket{{le="+Inf"}} 2' in lines
    assert f"{name}_sum 1.505" in lines
    assert f"{name}_count 2" in lines


def test_metrics_count_monitors_by_state(client, page):
    up = _monitor(page, name="Up", recovery_threshold=1)
    down = _monitor(page, name="Down", failure_threshold=1)
    _monitor(page, name="Paused", paused=True)
    _monitor(page, name="New")
    monitor_results_record(monitor_id=up.id, results=[_result("default")])
    monitor_results_record(monitor_id=down.id, results=[_result("default", ok=False)])

    lines = _scrape(client)

    for state, count in (("pending", 1), ("up", 1), ("down", 1), ("paused", 1), ("degraded", 0)):
        assert f'statuspage_monitors{{state="{state}"}} {count}' in lines


@pytest.mark.parametrize("monitors", [1, 6])
def test_metrics_take_a_fixed_number_of_queries(
    client, page, monitors, django_assert_max_num_queries
):
    for n in range(monitors):
        monitor = _monitor(page, name=f"API {n}", locations=[f"loc{n}"])
        monitor_results_record(monitor_id=monitor.id, results=[_result(f"loc{n}")] * 2)
    with django_assert_max_num_queries(6):
        lines = _scrape(client)
    assert f'statuspage_monitor_checks{{location="loc{monitors - 1}",outcome="ok"}} 2' in lines
