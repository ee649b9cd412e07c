"""Uptime history: every effective status change is an interval; daily uptime per component
and group in the page's time zone, public (uptime.json, the human page) and in the API."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from incidents.services import incident_create, incident_resolve, incident_update_publish
from maintenances.services import maintenance_create, maintenance_update_publish
from statuspages.services import status_page_update
from tests.factories import (
    ComponentFactory,
    ComponentGroupFactory,
    OrganizationFactory,
    StatusPageFactory,
)
from uptime.models import StatusInterval

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def at(time_machine):
    """``at(moment)``: the clock stands at ``moment`` (UTC) until moved again."""

    def move(moment):
        time_machine.move_to(moment, tick=False)

    return move


def outage(page, component, *, start, hours, status="major_outage", at, name="Outage"):
    at(start)
    incident = incident_create(
        page=page,
        name=name,
        message="Down.",
        component_statuses=[{"component_id": component.id, "status": status}],
    )
    at(start + dt.timedelta(hours=hours))
    incident_resolve(incident=incident, message="Fixed.")
    return incident


def uptime_json(path="/pages/acme/api/v2/uptime.json", **params):
    response = Client().get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def day_of(document, component_id, date):
    (row,) = [row for row in document["components"] if row["id"] == component_id]
    (day,) = [day for day in row["days"] if day["date"] == date]
    return row, day


def test_a_six_hour_major_outage_yesterday_is_a_quarter_of_the_day_down(page, at):
    api = ComponentFactory(page=page, name="API")
    incident = outage(page, api, start=dt.datetime(2026, 6, 14, 6, tzinfo=UTC), hours=6, at=at)
    at(NOW)
    document = uptime_json()
    row, day = day_of(document, api.id, "2026-06-14")
    assert day == {
        "date": "2026-06-14",
        "uptime_percentage": 75.0,
        "worst_status": "major_outage",
        "incident_ids": [incident.id],
    }
    assert len(row["days"]) == 90
    assert row["days"][0]["date"] == "2026-03-18" and row["days"][-1]["date"] == "2026-06-15"
    assert row["days"][-1] == {
        "date": "2026-06-15",
        "uptime_percentage": 100.0,
        "worst_status": "operational",
        "incident_ids": [],
    }
    # 6 hours down in 89 days and 12 hours.
    assert row["uptime_percentage"] == pytest.approx(100 * (1 - 6 / (89 * 24 + 12)), abs=1e-4)
    assert document["page"]["id"] == page.id


def test_partial_outage_counts_thirty_percent_and_degraded_or_maintenance_nothing(page, at):
    api = ComponentFactory(page=page, name="API")
    web = ComponentFactory(page=page, name="Web")
    db = ComponentFactory(page=page, name="Database")
    outage(
        page,
        api,
        start=dt.datetime(2026, 6, 14, 0, tzinfo=UTC),
        hours=10,
        at=at,
        status="partial_outage",
    )
    outage(
        page,
        web,
        start=dt.datetime(2026, 6, 14, 0, tzinfo=UTC),
        hours=10,
        at=at,
        status="degraded_performance",
    )
    at(dt.datetime(2026, 6, 14, 1, tzinfo=UTC))
    window = maintenance_create(
        page=page,
        name="Upgrade",
        start_at=dt.datetime(2026, 6, 14, 1, tzinfo=UTC),
        end_at=dt.datetime(2026, 6, 14, 3, tzinfo=UTC),
        component_ids=[db.id],
        status="in_progress",
    )
    at(dt.datetime(2026, 6, 14, 3, tzinfo=UTC))
    maintenance_update_publish(maintenance=window, status="completed", message="Done.")
    at(NOW)
    document = uptime_json(days=2)
    assert day_of(document, api.id, "2026-06-14")[1]["uptime_percentage"] == 87.5
    assert day_of(document, api.id, "2026-06-14")[1]["worst_status"] == "partial_outage"
    assert day_of(document, web.id, "2026-06-14")[1]["uptime_percentage"] == 100.0
    assert day_of(document, web.id, "2026-06-14")[1]["worst_status"] == "degraded_performance"
    assert day_of(document, db.id, "2026-06-14")[1] == {
        "date": "2026-06-14",
        "uptime_percentage": 100.0,
        "worst_status": "under_maintenance",
        "incident_ids": [],
    }


def test_a_manual_status_change_through_the_api_is_recorded_as_down_time(api, page, at):
    component = ComponentFactory(page=page, name="API")
    at(dt.datetime(2026, 6, 14, 0, tzinfo=UTC))
    path = f"/api/v1/status-pages/{page.id}/components/{component.id}"
    assert api.patch(path, {"status": "major_outage"}, format="json").status_code == 200
    at(dt.datetime(2026, 6, 14, 12, tzinfo=UTC))
    assert api.patch(path, {"status": "operational"}, format="json").status_code == 200
    at(NOW)
    _, day = day_of(uptime_json(days=3), component.id, "2026-06-14")
    assert (day["uptime_percentage"], day["worst_status"]) == (50.0, "major_outage")


def test_status_changes_within_one_incident_each_keep_their_own_weight(page, at):
    api = ComponentFactory(page=page, name="API")
    at(dt.datetime(2026, 6, 14, 0, tzinfo=UTC))
    incident = incident_create(
        page=page,
        name="Outage",
        message="Down.",
        component_statuses=[{"component_id": api.id, "status": "major_outage"}],
    )
    at(dt.datetime(2026, 6, 14, 6, tzinfo=UTC))
    incident_update_publish(
        incident=incident,
        status="identified",
        message="Partly back.",
        component_statuses=[{"component_id": api.id, "status": "partial_outage"}],
    )
    at(dt.datetime(2026, 6, 14, 16, tzinfo=UTC))
    incident_resolve(incident=incident)
    at(NOW)
    _, day = day_of(uptime_json(days=2), api.id, "2026-06-14")
    # 6 hours fully down, 10 hours at 30 %: 9 hours of 24.
    assert day["uptime_percentage"] == 62.5
    assert day["incident_ids"] == [incident.id]


def test_days_follow_the_page_time_zone(page, at):
    status_page_update(page=page, time_zone="America/New_York")
    api = ComponentFactory(page=page, name="API")
    # 02:00-04:00 UTC on June 14 is 22:00-24:00 on June 13 in New York.
    outage(page, api, start=dt.datetime(2026, 6, 14, 2, tzinfo=UTC), hours=2, at=at)
    at(NOW)
    document = uptime_json(days=3)
    assert [day["date"] for day in document["components"][0]["days"]] == [
        "2026-06-13",
        "2026-06-14",
        "2026-06-15",
    ]
    assert day_of(document, api.id, "2026-06-13")[1]["worst_status"] == "major_outage"
    assert day_of(document, api.id, "2026-06-14")[1]["worst_status"] == "operational"
    assert day_of(document, api.id, "2026-06-13")[1]["uptime_percentage"] == pytest.approx(
        100 * 22 / 24, abs=1e-4
    )


def test_an_outage_over_midnight_counts_on_both_days_and_an_open_one_until_now(page, at):
    api = ComponentFactory(page=page, name="API")
    outage(page, api, start=dt.datetime(2026, 6, 13, 18, tzinfo=UTC), hours=12, at=at)
    at(dt.datetime(2026, 6, 15, 6, tzinfo=UTC))
    ongoing = incident_create(
        page=page,
        name="Again",
        message="Down again.",
        component_statuses=[{"component_id": api.id, "status": "major_outage"}],
    )
    at(NOW)
    document = uptime_json(days=3)
    assert day_of(document, api.id, "2026-06-13")[1]["uptime_percentage"] == 75.0
    assert day_of(document, api.id, "2026-06-14")[1]["uptime_percentage"] == 75.0
    # Today so far: 12 hours, 6 of them down.
    _, today = day_of(document, api.id, "2026-06-15")
    assert (today["uptime_percentage"], today["incident_ids"]) == (50.0, [ongoing.id])


def test_a_group_shows_the_mean_of_its_components_and_their_worst_status(page, at):
    group = ComponentGroupFactory(page=page, name="Core")
    api = ComponentFactory(page=page, group=group, name="API")
    ComponentFactory(page=page, group=group, name="Web")
    incident = outage(page, api, start=dt.datetime(2026, 6, 14, 0, tzinfo=UTC), hours=12, at=at)
    at(NOW)
    (row,) = uptime_json(days=2)["groups"]
    assert row["id"] == group.id and len(row["component_ids"]) == 2
    assert row["days"][0] == {
        "date": "2026-06-14",
        "uptime_percentage": 75.0,
        "worst_status": "major_outage",
        "incident_ids": [incident.id],
    }


@pytest.mark.parametrize("days", ["0", "366", "-1", "abc", "1.5", ""])
def test_uptime_json_refuses_days_out_of_range_with_a_json_400(page, days):
    response = Client().get("/pages/acme/api/v2/uptime.json", {"days": days})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "days" in response.json()["error"]["details"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_uptime_json_is_cors_open_cached_and_fresh_after_a_write(page, at, on_commit):
    api = ComponentFactory(page=page, name="API")
    at(NOW)
    first = Client().get("/pages/acme/api/v2/uptime.json", {"days": 1})
    assert first["Access-Control-Allow-Origin"] == "*"
    assert first.json()["components"][0]["days"][0]["worst_status"] == "operational"
    again = Client().get(
        "/pages/acme/api/v2/uptime.json", {"days": 1}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    with on_commit():
        incident_create(
            page=page,
            name="Down",
            message="Down.",
            component_statuses=[{"component_id": api.id, "status": "major_outage"}],
        )
    fresh = uptime_json(days=1)
    assert fresh["components"][0]["days"][0]["worst_status"] == "major_outage"
    assert Client().get("/pages/nope/api/v2/uptime.json").status_code == 404


@pytest.mark.parametrize("outages", [2, 120])
def test_uptime_takes_a_fixed_number_of_queries_however_long_the_history(
    page, at, outages, django_assert_max_num_queries
):
    group = ComponentGroupFactory(page=page, name="Core")
    components = [ComponentFactory(page=page, group=group, name=f"C{i}") for i in range(3)]
    start = dt.datetime(2026, 2, 1, tzinfo=UTC)
    for index in range(outages):
        outage(
            page,
            components[index % 3],
            start=start + dt.timedelta(hours=30 * index),
            hours=2,
            at=at,
        )
    at(NOW)
    assert StatusInterval.objects.count() == outages
    with django_assert_max_num_queries(12):
        document = uptime_json(days=365)
    assert len(document["components"][0]["days"]) == 365
    with django_assert_max_num_queries(18):
        assert Client().get("/pages/acme/").status_code == 200


def test_management_api_gives_any_date_range(api, page, at):
    component = ComponentFactory(page=page, name="API")
    incident = outage(
        page, component, start=dt.datetime(2024, 2, 29, 0, tzinfo=UTC), hours=24, at=at
    )
    at(NOW)
    response = api.get(
        f"/api/v1/status-pages/{page.id}/uptime", {"start": "2024-02-28", "end": "2024-03-01"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["page_id"], body["start"], body["end"]) == (page.id, "2024-02-28", "2024-03-01")
    days = body["components"][0]["days"]
    assert [(d["date"], d["uptime_percentage"], d["incident_ids"]) for d in days] == [
        ("2024-02-28", 100.0, []),
        ("2024-02-29", 0.0, [incident.id]),
        ("2024-03-01", 100.0, []),
    ]
    default = api.get(f"/api/v1/status-pages/{page.id}/uptime").json()
    assert (default["start"], default["end"]) == ("2026-03-18", "2026-06-15")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-06-10", "end": "2026-06-01"}, "start"),
        ({"end": "2026-06-16"}, "end"),
        ({"start": "2000-01-01"}, "start"),
        ({"start": "yesterday"}, "start"),
        ({"since": "2026-06-01"}, "since"),
    ],
)
def test_management_api_refuses_a_bad_range(api, page, at, params, field):
    at(NOW)
    response = api.get(f"/api/v1/status-pages/{page.id}/uptime", params)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_another_organizations_uptime_is_a_404(make_client, page):
    other = make_client(organization=OrganizationFactory(slug="other"))
    assert other.get(f"/api/v1/status-pages/{page.id}/uptime").status_code == 404


def test_human_page_shows_a_90_day_bar_with_accessible_day_details(page, at):
    group = ComponentGroupFactory(page=page, name="Core")
    api = ComponentFactory(page=page, group=group, name="API")
    outage(
        page,
        api,
        start=dt.datetime(2026, 6, 14, 0, tzinfo=UTC),
        hours=6,
        at=at,
        name="Errors <b>on</b> checkout",
    )
    at(NOW)
    body = Client().get("/pages/acme/").content.decode()
    assert f'data-uptime="{api.id}"' in body and f'data-uptime="{group.id}"' in body
    bar = body.split(f'data-uptime="{api.id}"', 1)[1].split("</ol>", 1)[0]
    assert bar.count('tabindex="0"') == 90
    assert (
        'class="bar bar-major_outage" tabindex="0" data-date="2026-06-14" aria-label="Jun 14, '
        '2026: 75.00% uptime, Major Outage; incidents: Errors &lt;b&gt;on&lt;/b&gt; checkout"'
    ) in bar
    assert "<b>on</b>" not in body
    assert "99.72% uptime" in body  # 6 hours down over 89.5 days, rounded down
    assert "partial outage as 30 %" in body
    assert "<script" not in body


def test_backfill_replays_incident_and_maintenance_updates(page, at):
    api = ComponentFactory(page=page, name="API")
    db = ComponentFactory(page=page, name="DB")
    manual = ComponentFactory(page=page, name="Legacy", manual_status="degraded_performance")
    outage(page, api, start=dt.datetime(2026, 6, 14, 0, tzinfo=UTC), hours=6, at=at)
    at(dt.datetime(2026, 6, 14, 8, tzinfo=UTC))
    window = maintenance_create(
        page=page,
        name="Upgrade",
        start_at=dt.datetime(2026, 6, 14, 8, tzinfo=UTC),
        end_at=dt.datetime(2026, 6, 14, 9, tzinfo=UTC),
        component_ids=[db.id],
        status="in_progress",
    )
    at(dt.datetime(2026, 6, 14, 9, tzinfo=UTC))
    maintenance_update_publish(maintenance=window, status="completed")
    recorded = sorted(
        StatusInterval.objects.exclude(component=manual).values_list(
            "component_id", "status", "started_at", "ended_at"
        )
    )
    StatusInterval.objects.all().delete()
    migration = importlib.import_module("uptime.migrations.0002_backfill_intervals")
    migration.backfill(apps, None)
    assert (
        sorted(
            StatusInterval.objects.exclude(component=manual).values_list(
                "component_id", "status", "started_at", "ended_at"
            )
        )
        == recorded
    )
    assert len(recorded) == 2
    assert StatusInterval.objects.get(component=manual, ended_at__isnull=True).status == (
        "degraded_performance"
    )


def test_a_component_created_out_of_order_starts_its_history_with_that_status(api, page):
    response = api.post(
        f"/api/v1/status-pages/{page.id}/components",
        {"name": "Legacy", "status": "partial_outage"},
        format="json",
    )
    assert response.status_code == 201
    document = uptime_json(days=1)
    assert document["components"][0]["days"][0]["worst_status"] == "partial_outage"


def test_another_page_s_history_stays_its_own(page, at):
    other = StatusPageFactory(slug="other")
    theirs = ComponentFactory(page=other, name="Theirs")
    ours = ComponentFactory(page=page, name="Ours")
    outage(other, theirs, start=dt.datetime(2026, 6, 14, 0, tzinfo=UTC), hours=6, at=at)
    at(NOW)
    document = uptime_json(days=2)
    assert [row["id"] for row in document["components"]] == [ours.id]
    assert document["components"][0]["uptime_percentage"] == 100.0


def test_uptime_json_refuses_a_query_parameter_it_does_not_take(page):
    response = Client().get("/pages/acme/api/v2/uptime.json", {"day": "7"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_the_demo_page_shows_its_backdated_incidents_in_the_uptime_bars(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent: the history is not doubled
    document = uptime_json(days=90)
    dashboard = next(row for row in document["components"] if row["name"] == "Dashboard")
    (bad_day,) = [day for day in dashboard["days"] if day["incident_ids"]]
    assert bad_day["worst_status"] == "major_outage" and bad_day["uptime_percentage"] < 100
    assert 99 < dashboard["uptime_percentage"] < 100


def test_deleting_an_open_incident_or_a_running_maintenance_ends_its_interval(api, page, at):
    web = ComponentFactory(page=page, name="Web")
    db = ComponentFactory(page=page, name="DB")
    at(dt.datetime(2026, 6, 14, 0, tzinfo=UTC))
    incident = incident_create(
        page=page,
        name="Down",
        message="Down.",
        component_statuses=[{"component_id": web.id, "status": "major_outage"}],
    )
    window = maintenance_create(
        page=page,
        name="Upgrade",
        start_at=dt.datetime(2026, 6, 14, 0, tzinfo=UTC),
        end_at=dt.datetime(2026, 6, 15, 0, tzinfo=UTC),
        component_ids=[web.id],
        status="in_progress",
    )
    at(dt.datetime(2026, 6, 14, 3, tzinfo=UTC))
    # The running window moves from Web to DB.
    base = f"/api/v1/status-pages/{page.id}"
    moved = api.patch(f"{base}/maintenances/{window.id}", {"component_ids": [db.id]}, format="json")
    assert moved.status_code == 200, moved.content
    at(dt.datetime(2026, 6, 14, 6, tzinfo=UTC))
    assert api.delete(f"{base}/incidents/{incident.id}").status_code == 204
    at(dt.datetime(2026, 6, 14, 9, tzinfo=UTC))
    assert api.delete(f"{base}/maintenances/{window.id}").status_code == 204
    at(NOW)
    document = uptime_json(days=2)
    assert day_of(document, web.id, "2026-06-14")[1]["uptime_percentage"] == 75.0
    assert StatusInterval.objects.filter(ended_at__isnull=True).count() == 0
    assert list(
        StatusInterval.objects.filter(component=db).values_list("status", "started_at", "ended_at")
    ) == [
        (
            "under_maintenance",
            dt.datetime(2026, 6, 14, 3, tzinfo=UTC),
            dt.datetime(2026, 6, 14, 9, tzinfo=UTC),
        )
    ]


def test_a_component_not_showcased_has_no_uptime_bar(page):
    shown = ComponentFactory(page=page, name="API")
    quiet = ComponentFactory(page=page, name="Internal tool", showcase=False)
    body = Client().get("/pages/acme/").content.decode()
    assert f'data-uptime="{shown.id}"' in body
    assert "Internal tool" in body and f'data-uptime="{quiet.id}"' not in body


def test_a_daylight_saving_day_has_its_own_length(page, at):
    status_page_update(page=page, time_zone="Europe/Paris")
    api = ComponentFactory(page=page, name="API")
    # March 29, 2026 in Paris lasts 23 hours (from 23:00 UTC the day before); half of it down.
    outage(page, api, start=dt.datetime(2026, 3, 28, 23, tzinfo=UTC), hours=11.5, at=at)
    at(dt.datetime(2026, 4, 2, 12, tzinfo=UTC))
    _, day = day_of(uptime_json(days=7), api.id, "2026-03-29")
    assert (day["uptime_percentage"], day["worst_status"]) == (50.0, "major_outage")
    _, before = day_of(uptime_json(days=7), api.id, "2026-03-28")
    assert before["uptime_percentage"] == 100.0
