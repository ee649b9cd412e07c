"""A monitor with publish_latency shows its response times as a page metric: on the public
page's metric charts (metrics.json), created on first need, stopped when turned off."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from metrics.models import Metric, MetricPoint
from monitors.models import MonitorResult
from monitors.scheduling import monitor_check_now
from monitors.services import monitor_create, monitor_results_record, monitor_update
from monitors.signals import results_recorded
from monitors.states import CheckedResult
from tests.notifications_support import allow_private, eager_celery  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_monitor(page):
    def make(name="API", **fields):
        monitor, _ = monitor_create(
            page=page, name=name, kind="http", target="https://api.example.com/", **fields
        )
        return monitor

    return make


@pytest.fixture
def record(django_capture_on_commit_callbacks):
    """Records results as the scheduler does, running what waits for the commit."""

    def record(monitor, *results):
        with django_capture_on_commit_callbacks(execute=True):
            return monitor_results_record(monitor_id=monitor.id, results=list(results))

    return record


def _result(minutes_ago, latency_ms, *, ok=True, location="default"):
    return {
        "location": location,
        "ok": ok,
        "status_code": 200 if ok else 500,
        "latency_ms": latency_ms,
        "checked_at": timezone.now() - timedelta(minutes=minutes_ago),
    }


def _charts():
    return Client().get("/pages/acme/api/v2/metrics.json").json()["metrics"]


def test_a_monitor_publishing_latency_shows_a_response_time_chart_on_its_page(make_monitor, record):
    monitor = make_monitor(publish_latency=True)
    record(monitor, _result(3, 120), _result(2, 80), _result(1, None, ok=False))

    (chart,) = _charts()
    assert (chart["name"], chart["suffix"]) == ("API response time", "ms")
    assert chart["summary"]["average"] == pytest.approx(100.0)
    assert chart["summary"]["minimum"] == 80 and chart["summary"]["maximum"] == 120
    # Only the successes with a latency are points.
    assert sorted(MetricPoint.objects.values_list("value", flat=True)) == [80.0, 120.0]
    for period in ("week", "month"):
        (chart,) = (
            Client().get("/pages/acme/api/v2/metrics.json", {"period": period}).json()["metrics"]
        )
        assert (chart["summary"]["minimum"], chart["summary"]["maximum"]) == (80, 120)
        assert chart["summary"]["average"] == pytest.approx(100.0)


def test_each_location_s_response_time_is_a_point_of_the_same_metric(make_monitor, record):
    monitor = make_monitor(publish_latency=True, locations=["eu", "us", "ap"])
    record(monitor, _result(2, 100, location="eu"), _result(2.5, 300, location="us"))
    record(monitor, _result(1, 200, location="ap"))

    assert Metric.objects.filter(monitor=monitor).count() == 1
    assert MetricPoint.objects.count() == 3
    (chart,) = _charts()
    assert chart["summary"]["maximum"] == 300
    assert chart["summary"]["minimum"] == 100


def test_a_monitor_without_publish_latency_publishes_nothing(make_monitor, record):
    monitor = make_monitor()
    record(monitor, _result(1, 120))
    assert MonitorResult.objects.count() == 1
    assert _charts() == []
    assert not Metric.objects.exists()


def test_turning_publish_latency_off_stops_the_points_and_keeps_the_chart(make_monitor, record):
    monitor = make_monitor(publish_latency=True)
    record(monitor, _result(3, 100))
    monitor_update(monitor=monitor, publish_latency=False)
    record(monitor, _result(2, 900))

    (chart,) = _charts()
    assert chart["summary"]["maximum"] == 100
    assert MetricPoint.objects.count() == 1

    monitor_update(monitor=monitor, publish_latency=True)
    record(monitor, _result(1, 300))
    (chart,) = _charts()
    assert chart["summary"]["maximum"] == 300
    assert Metric.objects.count() == 1


def test_the_chart_joins_the_page_s_other_metrics_and_comes_back_when_deleted(
    api, page, make_monitor, record
):
    api.post(f"/api/v1/status-pages/{page.id}/metrics", {"name": "Error rate"}, format="json")
    monitor = make_monitor(name="Checkout", publish_latency=True)
    record(monitor, _result(2, 100))
    assert [chart["name"] for chart in _charts()] == ["Error rate", "Checkout response time"]

    metric = Metric.objects.get(monitor=monitor)
    api.delete(f"/api/v1/status-pages/{page.id}/metrics/{metric.id}")
    record(monitor, _result(1, 50))
    assert [chart["name"] for chart in _charts()] == ["Error rate", "Checkout response time"]
    assert _charts()[1]["summary"]["average"] == 50


def test_deleting_the_monitor_leaves_its_chart_as_an_ordinary_metric(api, make_monitor, record):
    monitor = make_monitor(publish_latency=True)
    record(monitor, _result(1, 100))
    assert (
        api.delete(f"/api/v1/status-pages/{monitor.page_id}/monitors/{monitor.id}").status_code
        == 204
    )
    (chart,) = _charts()
    assert chart["summary"]["average"] == 100


@pytest.mark.parametrize("monitors", [1, 40])
def test_one_batch_of_results_is_published_in_a_fixed_number_of_queries(
    page, make_monitor, monitors, django_assert_max_num_queries
):
    made = [make_monitor(name=f"API {n}", publish_latency=True) for n in range(monitors)]
    now = timezone.now()

    def batch(seconds_ago):
        return [
            (
                monitor,
                CheckedResult(
                    location="default",
                    ok=True,
                    status_code=200,
                    latency_ms=100 + n,
                    error="",
                    checked_at=now - timedelta(seconds=seconds_ago),
                    degraded=False,
                ),
            )
            for n, monitor in enumerate(made)
        ]

    # First: the metrics are created.
    with django_assert_max_num_queries(15):
        results_recorded.send(sender=MonitorResult, location="default", results=batch(60))
    with django_assert_max_num_queries(12):
        results_recorded.send(sender=MonitorResult, location="default", results=batch(30))
    assert Metric.objects.count() == monitors
    assert MetricPoint.objects.count() == 2 * monitors
    charts = _charts()
    assert len(charts) == monitors
    assert charts[-1]["summary"]["average"] == 100 + monitors - 1


@pytest.mark.usefixtures("allow_private", "eager_celery")
def test_a_scheduled_check_publishes_its_response_time_and_its_schedule_lag(
    client,
    settings,
    page,
    httpserver,
    django_capture_on_commit_callbacks,
):
    httpserver.expect_request("/health").respond_with_data("ok")
    monitor = make_monitor_on(page, target=httpserver.url_for("/health"), publish_latency=True)
    settings.METRICS_TOKEN = "scrape-me"

    with django_capture_on_commit_callbacks(execute=True):
        assert monitor_check_now(monitor) == 1

    (result,) = MonitorResult.objects.filter(monitor=monitor)
    assert result.lag_ms is not None and result.latency_ms is not None
    (chart,) = _charts()
    assert chart["name"] == "API response time"
    assert chart["summary"]["last"] == result.latency_ms
    scrape = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").content.decode()
    assert "statuspage_monitor_schedule_lag_seconds_count 1" in scrape.splitlines()
    assert 'statuspage_monitor_checks{location="default",outcome="ok"} 1' in scrape.splitlines()


def make_monitor_on(page, **fields):
    monitor, _ = monitor_create(page=page, name="API", kind="http", **fields)
    return monitor
