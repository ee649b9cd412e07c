"""Page metrics: settings and bulk data points through the API and the admin, roll-ups that
keep charts small, retention, the Prometheus pull, and the public charts (JSON and SVG)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from metrics import tasks
from metrics.models import Metric, MetricPoint, MetricRollup
from metrics.services import metric_create
from tests.factories import OrganizationFactory, StatusPageFactory

UTC = dt.UTC


def base(page):
    return f"/api/v1/status-pages/{page.id}/metrics"


@pytest.fixture
def metric(api, page):
    response = api.post(
        base(page),
        {"name": "API response time", "suffix": "ms", "decimal_places": 1, "y_axis_min": 0},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def post_points(api, page, metric, points, **headers):
    return api.post(f"{base(page)}/{metric['id']}/data", {"data": points}, format="json", **headers)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_a_metric_is_created_listed_changed_and_deleted_through_the_api(api, page, metric):
    assert metric["id"].startswith("met_")
    assert {k: metric[k] for k in ("name", "suffix", "decimal_places", "display", "position")} == {
        "name": "API response time",
        "suffix": "ms",
        "decimal_places": 1,
        "display": True,
        "position": 0,
    }
    second = api.post(base(page), {"name": "Error rate", "suffix": "%"}, format="json").json()
    assert second["position"] == 1
    listed = api.get(base(page)).json()
    assert [item["id"] for item in listed["data"]] == [metric["id"], second["id"]]
    assert listed["pagination"]["next_cursor"] is None
    changed = api.patch(
        f"{base(page)}/{metric['id']}", {"display": False, "y_axis_max": 500}, format="json"
    ).json()
    assert (changed["display"], changed["y_axis_max"], changed["name"]) == (
        False,
        500.0,
        "API response time",
    )
    assert api.get(f"{base(page)}/{metric['id']}").json()["display"] is False
    assert api.delete(f"{base(page)}/{metric['id']}").status_code == 204
    assert api.get(f"{base(page)}/{metric['id']}").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "X", "y_axis_min": 10, "y_axis_max": 5}, "y_axis_max"),
        ({"name": "X", "decimal_places": 7}, "decimal_places"),
        ({"name": "X", "y_axis_max": False}, "y_axis_max"),
        ({"name": "X", "prometheus_url": "javascript:alert(1)"}, "prometheus_url"),
        ({"name": "X", "colour": "red"}, "colour"),
        ({"suffix": "ms"}, "name"),
    ],
)
def test_bad_metric_settings_are_a_400(api, page, body, field):
    response = api.post(base(page), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_writes_need_pages_write_and_another_organizations_metric_is_a_404(
    make_client, api, page, metric
):
    reader = make_client(organization=page.organization, scopes="", name="reader")
    assert reader.get(base(page)).status_code == 200
    refused = reader.post(base(page), {"name": "Nope"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["required_scope"] == "pages:write"
    data = post_points(reader, page, metric, [{"timestamp": 1, "value": 1}])
    assert data.status_code == 403
    stranger = make_client(organization=OrganizationFactory(slug="globex"))
    assert stranger.get(f"{base(page)}/{metric['id']}").status_code == 404
    assert post_points(stranger, page, metric, [{"timestamp": 1, "value": 1}]).status_code == 404


def test_points_are_upserted_the_last_value_per_timestamp_wins(api, page, metric):
    now = timezone.now().replace(microsecond=0)
    first = now - dt.timedelta(minutes=20)
    response = post_points(
        api,
        page,
        metric,
        [
            {"timestamp": iso(first), "value": 100},
            {"timestamp": first.timestamp(), "value": 120},  # the same moment, as epoch seconds
            {"timestamp": iso(now - dt.timedelta(minutes=10)), "value": 80.5},
        ],
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"metric_id": metric["id"], "points_written": 2}
    again = post_points(api, page, metric, [{"timestamp": iso(first), "value": 140}])
    assert again.json()["points_written"] == 1
    values = dict(MetricPoint.objects.values_list("timestamp", "value"))
    assert values[first] == 140
    assert len(values) == 2


def test_sending_the_same_points_twice_changes_nothing(api, page, metric):
    now = timezone.now()
    points = [
        {"timestamp": iso(now - dt.timedelta(minutes=m)), "value": float(m)} for m in range(30)
    ]
    post_points(api, page, metric, points)
    before = Client().get("/pages/acme/api/v2/metrics.json").json()
    rollups = sorted(MetricRollup.objects.values_list("resolution", "bucket_start", "count"))
    post_points(api, page, metric, points)
    assert Client().get("/pages/acme/api/v2/metrics.json").json() == before
    assert sorted(MetricRollup.objects.values_list("resolution", "bucket_start", "count")) == (
        rollups
    )
    assert MetricPoint.objects.count() == 30


def test_a_post_with_an_idempotency_key_is_replayed(api, page, metric):
    points = [{"timestamp": iso(timezone.now()), "value": 1}]
    first = post_points(api, page, metric, points, HTTP_IDEMPOTENCY_KEY="batch-1")
    again = post_points(api, page, metric, points, HTTP_IDEMPOTENCY_KEY="batch-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_ten_thousand_points_go_in_one_call_and_one_more_is_refused(api, page, metric):
    start = timezone.now() - dt.timedelta(days=7)
    points = [
        {"timestamp": (start + dt.timedelta(seconds=60 * i)).timestamp(), "value": i % 50}
        for i in range(10_000)
    ]
    response = post_points(api, page, metric, points)
    assert response.status_code == 200, response.content
    assert response.json()["points_written"] == 10_000
    refused = post_points(api, page, metric, [*points, {"timestamp": 1e9, "value": 1}])
    assert refused.status_code == 400
    assert "data" in refused.json()["error"]["details"]


@pytest.mark.parametrize(
    "point, field",
    [
        ({"timestamp": "yesterday", "value": 1}, "data.0.timestamp"),
        ({"timestamp": "2026-01-01T00:00:00", "value": 1}, "data.0.timestamp"),
        ({"timestamp": True, "value": 1}, "data.0.timestamp"),
        ({"timestamp": 1e30, "value": 1}, "data.0.timestamp"),
        ({"timestamp": "now", "value": "fast"}, "data.0.value"),
        ({"timestamp": 1, "value": 1}, "data.0.timestamp"),  # 1970: past the retention
        ({"timestamp": 4e9, "value": 1}, "data.0.timestamp"),  # the far future
        ({"value": 1}, "data.0"),
    ],
)
def test_bad_points_are_a_400_naming_the_point(api, page, metric, point, field):
    response = post_points(api, page, metric, [point])
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert MetricPoint.objects.count() == 0


def test_a_month_chart_reads_a_few_hundred_roll_ups_however_many_points(
    api, page, metric, django_assert_max_num_queries
):
    start = timezone.now() - dt.timedelta(days=29, hours=23)
    # One point every 5 minutes for 30 days: 8,640 points.
    points = [
        {"timestamp": (start + dt.timedelta(minutes=5 * i)).timestamp(), "value": 100.0}
        for i in range(8_640)
        if start + dt.timedelta(minutes=5 * i) < timezone.now()
    ]
    assert post_points(api, page, metric, points).status_code == 200
    with django_assert_max_num_queries(12):
        month = Client().get("/pages/acme/api/v2/metrics.json", {"period": "month"}).json()
    (chart,) = month["metrics"]
    assert 170 <= len(chart["points"]) <= 181
    assert chart["resolution_seconds"] == 14400
    assert chart["summary"]["average"] == pytest.approx(100.0)
    week = Client().get("/pages/acme/api/v2/metrics.json", {"period": "week"}).json()
    assert 165 <= len(week["metrics"][0]["points"]) <= 169
    day = Client().get("/pages/acme/api/v2/metrics.json").json()
    assert day["period"] == "day" and 280 <= len(day["metrics"][0]["points"]) <= 289


@pytest.mark.parametrize("count", [1, 8])
def test_metrics_json_takes_a_fixed_number_of_queries(
    api, page, count, django_assert_max_num_queries
):
    now = timezone.now()
    for index in range(count):
        created = api.post(base(page), {"name": f"M{index}"}, format="json").json()
        post_points(api, page, created, [{"timestamp": iso(now), "value": index}])
    with django_assert_max_num_queries(12):
        body = Client().get("/pages/acme/api/v2/metrics.json", {"period": "week"}).json()
    assert len(body["metrics"]) == count
    with django_assert_max_num_queries(18):
        assert Client().get("/pages/acme/").status_code == 200


def test_metrics_json_shows_displayed_metrics_is_cors_open_and_fresh_after_new_data(
    api, page, metric, django_capture_on_commit_callbacks
):
    hidden = api.post(base(page), {"name": "Internal", "display": False}, format="json").json()
    first = Client().get("/pages/acme/api/v2/metrics.json")
    assert first["Access-Control-Allow-Origin"] == "*"
    body = first.json()
    assert [item["id"] for item in body["metrics"]] == [metric["id"]]
    assert hidden["id"] not in first.content.decode()
    assert body["metrics"][0]["points"] == [] and body["page"]["id"] == page.id
    with django_capture_on_commit_callbacks(execute=True):
        post_points(api, page, metric, [{"timestamp": iso(timezone.now()), "value": 42}])
    fresh = Client().get("/pages/acme/api/v2/metrics.json").json()
    assert fresh["metrics"][0]["summary"]["last"] == 42
    assert fresh["metrics"][0]["points"][0]["value"] == 42


@pytest.mark.parametrize("query", [{"period": "year"}, {"period": ""}, {"range": "day"}])
def test_metrics_json_refuses_an_unknown_period_with_a_json_400(page, query):
    response = Client().get("/pages/acme/api/v2/metrics.json", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and list(error["details"]) == list(query)


def test_the_human_page_draws_each_metric_as_svg_without_script(api, page):
    created = api.post(
        base(page), {"name": "Latency <script>", "suffix": "ms"}, format="json"
    ).json()
    now = timezone.now()
    points = [
        {"timestamp": iso(now - dt.timedelta(minutes=10 * i)), "value": 100 + i} for i in range(12)
    ]
    post_points(api, page, created, points)
    body = Client().get("/pages/acme/").content.decode()
    assert body.count('<svg class="metric-chart"') == 3
    for period in ("day", "week", "month"):
        assert f'data-period="{period}"' in body
    assert '<path d="M' in body
    assert "Latency &lt;script&gt;, last 24 hours: latest 100 ms" in body
    assert "<script" not in body
    assert "<summary>Last 7 days</summary>" in body


def test_points_older_than_400_days_are_purged(api, page, metric, time_machine):
    now = timezone.now()
    time_machine.move_to(now - dt.timedelta(days=401), tick=False)
    post_points(api, page, metric, [{"timestamp": iso(timezone.now()), "value": 1}])
    time_machine.move_to(now, tick=False)
    post_points(api, page, metric, [{"timestamp": iso(now), "value": 2}])
    assert tasks.metrics_purge() == 1
    assert list(MetricPoint.objects.values_list("value", flat=True)) == [2]
    assert MetricRollup.objects.filter(bucket_start__lt=now - dt.timedelta(days=400)).count() == 0


def test_a_prometheus_metric_is_pulled_by_the_periodic_task(
    page,
    httpserver,
    allow_private,
    eager_celery,
):
    httpserver.expect_request("/api/v1/query").respond_with_json(
        {
            "status": "success",
            "data": {
                "resultType": "vector",
                "result": [{"metric": {}, "value": [timezone.now().timestamp(), "0.25"]}],
            },
        }
    )
    metric = metric_create(
        page=page, name="Error rate", prometheus_url=httpserver.url_for("/api/v1/query?query=up")
    )
    assert tasks.metrics_pull_due() == 1
    assert list(MetricPoint.objects.values_list("value", flat=True)) == [0.25]
    metric.refresh_from_db()
    assert metric.last_pulled_at is not None and metric.last_pull_error == ""
    tasks.metrics_pull_due()  # pulled a moment ago: not again
    assert len(httpserver.log) == 1


def test_a_prometheus_url_on_a_private_address_is_refused_at_pull_time(
    page,
    deny_private,
    eager_celery,
):
    metric = metric_create(
        page=page, name="Error rate", prometheus_url="https://127.0.0.1:9090/api/v1/query?query=up"
    )
    tasks.metrics_pull_due()
    metric.refresh_from_db()
    assert metric.last_pull_error.startswith("Refused")
    assert MetricPoint.objects.count() == 0


def test_an_unreadable_prometheus_answer_is_recorded_not_raised(
    page,
    httpserver,
    allow_private,
    eager_celery,
):
    httpserver.expect_request("/q").respond_with_json({"status": "error", "error": "bad query"})
    metric = metric_create(page=page, name="Errors", prometheus_url=httpserver.url_for("/q"))
    tasks.metrics_pull_due()
    metric.refresh_from_db()
    assert "success" in metric.last_pull_error and MetricPoint.objects.count() == 0


def test_operators_manage_their_metrics_in_the_admin(operator, page):
    foreign = StatusPageFactory(organization=OrganizationFactory(slug="globex"), slug="globex")
    Metric.objects.create(page=foreign, name="Globex latency")
    response = operator.post(
        "/admin/metrics/metric/add/",
        {
            "page": page.id,
            "name": "Queue depth",
            "suffix": " jobs",
            "decimal_places": 0,
            "y_axis_min": "",
            "y_axis_max": "",
            "display": "on",
            "position": 0,
            "prometheus_url": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Metric.objects.get(name="Queue depth")
    assert created.page == page and created.id.startswith("met_")
    listing = operator.get("/admin/metrics/metric/").content.decode()
    assert "Queue depth" in listing and "Globex latency" not in listing
    refused = operator.post(
        "/admin/metrics/metric/add/",
        {
            "page": page.id,
            "name": "Bad",
            "decimal_places": 0,
            "position": 0,
            "y_axis_min": 5,
            "y_axis_max": 1,
        },
    )
    assert refused.status_code == 200 and not Metric.objects.filter(name="Bad").exists()


def test_a_lone_point_between_gaps_is_drawn_as_a_dot(api, page, metric):
    now = timezone.now()
    post_points(api, page, metric, [{"timestamp": iso(now - dt.timedelta(hours=5)), "value": 7}])
    body = Client().get("/pages/acme/").content.decode()
    day_chart = body.split('data-period="day"', 1)[1].split("</svg>", 1)[0]
    assert " h0.1" in day_chart


def test_a_prometheus_answer_that_is_not_json_is_recorded_not_raised(
    page, httpserver, allow_private, eager_celery
):
    httpserver.expect_request("/q").respond_with_data("<html>login</html>", status=200)
    metric = metric_create(page=page, name="Errors", prometheus_url=httpserver.url_for("/q"))
    tasks.metrics_pull_due()
    metric.refresh_from_db()
    assert "JSON" in metric.last_pull_error and MetricPoint.objects.count() == 0
