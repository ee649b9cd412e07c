"""The public Statuspage v2 API: shapes, routing, HTTP caching and freshness."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from incidents.services import incident_change, incident_create, incident_resolve
from maintenances.services import maintenance_create, maintenance_update_publish
from statuspages.services import component_update
from tests.factories import (
    ComponentFactory,
    ComponentGroupFactory,
    IncidentComponentFactory,
    IncidentFactory,
    IncidentUpdateFactory,
    MaintenanceFactory,
    StatusPageFactory,
)

PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
STATUS_KEYS = {"indicator", "description"}
COMPONENT_KEYS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
}
GROUP_KEYS = COMPONENT_KEYS | {"components"}
INCIDENT_KEYS = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "impact",
    "shortlink",
    "started_at",
    "page_id",
    "incident_updates",
    "components",
}
UPDATE_KEYS = {
    "id",
    "status",
    "body",
    "incident_id",
    "created_at",
    "updated_at",
    "display_at",
    "affected_components",
    "deliver_notifications",
    "custom_tweet",
    "tweet_id",
}
AFFECTED_KEYS = {"code", "name", "old_status", "new_status"}
MAINTENANCE_KEYS = INCIDENT_KEYS | {"scheduled_for", "scheduled_until"}

ENDPOINTS = {
    "summary.json": {"page", "components", "incidents", "scheduled_maintenances", "status"},
    "status.json": {"page", "status"},
    "components.json": {"page", "components"},
    "incidents.json": {"page", "incidents"},
    "incidents/unresolved.json": {"page", "incidents"},
    "scheduled-maintenances.json": {"page", "scheduled_maintenances"},
    "scheduled-maintenances/upcoming.json": {"page", "scheduled_maintenances"},
    "scheduled-maintenances/active.json": {"page", "scheduled_maintenances"},
}


@pytest.fixture
def published(page, django_capture_on_commit_callbacks):
    """A page with a group, components, an unresolved incident, an upcoming and an active
    maintenance, all made through the services (as the API would)."""
    group = ComponentGroupFactory(page=page, name="Core")
    api = ComponentFactory(page=page, group=group, name="API")
    web = ComponentFactory(page=page, name="Website")
    db = ComponentFactory(page=page, name="Database")
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_create(
            page=page,
            name="Slow API",
            message="Looking into it",
            component_statuses=[{"component_id": api.id, "status": "degraded_performance"}],
        )
        now = timezone.now()
        upcoming = maintenance_create(
            page=page,
            name="DB upgrade",
            message="Planned",
            component_ids=[db.id],
            start_at=now + dt.timedelta(days=2),
            end_at=now + dt.timedelta(days=2, hours=1),
        )
        active = maintenance_create(
            page=page,
            name="Web move",
            message="Moving",
            component_ids=[web.id],
            start_at=now - dt.timedelta(minutes=5),
            end_at=now + dt.timedelta(hours=1),
        )
    return {
        "group": group,
        "api": api,
        "web": web,
        "db": db,
        "incident": incident,
        "upcoming": upcoming,
        "active": active,
    }


def get(path, **headers):
    return Client().get(path, **headers)


def doc(path, **headers):
    response = get(path, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_every_endpoint_has_statuspage_top_level_keys_and_page_object(endpoint, published):
    body = doc(f"/pages/acme/api/v2/{endpoint}")
    assert set(body) == ENDPOINTS[endpoint]
    assert set(body["page"]) == PAGE_KEYS
    assert body["page"]["id"] == published["api"].page_id
    assert body["page"]["url"] == "http://127.0.0.1:8000/pages/acme"
    assert body["page"]["updated_at"].endswith("Z")


def test_summary_objects_have_exact_statuspage_key_sets(published):
    body = doc("/pages/acme/api/v2/summary.json")
    assert set(body["status"]) == STATUS_KEYS
    assert body["status"] == {"indicator": "minor", "description": "Partially Degraded Service"}
    groups = [c for c in body["components"] if c["group"]]
    components = [c for c in body["components"] if not c["group"]]
    assert [set(g) for g in groups] == [GROUP_KEYS]
    assert groups[0]["components"] == [published["api"].id]
    assert groups[0]["status"] == "degraded_performance"
    assert all(set(c) == COMPONENT_KEYS for c in components)
    (incident,) = body["incidents"]
    assert set(incident) == INCIDENT_KEYS
    assert incident["impact"] == "minor"
    assert incident["shortlink"].endswith(f"/pages/acme/incidents/{incident['id']}")
    (update,) = incident["incident_updates"]
    assert set(update) == UPDATE_KEYS
    assert update["body"] == "Looking into it"
    (affected,) = update["affected_components"]
    assert set(affected) == AFFECTED_KEYS
    assert affected == {
        "code": published["api"].id,
        "name": "API",
        "old_status": "operational",
        "new_status": "degraded_performance",
    }
    assert [set(c) for c in incident["components"]] == [COMPONENT_KEYS]
    maintenances = body["scheduled_maintenances"]
    assert {m["name"] for m in maintenances} == {"DB upgrade", "Web move"}
    for maintenance in maintenances:
        assert set(maintenance) == MAINTENANCE_KEYS
        assert all(set(u) == UPDATE_KEYS for u in maintenance["incident_updates"])


def test_components_are_listed_group_first_with_effective_statuses(published):
    body = doc("/pages/acme/api/v2/components.json")
    names = [c["name"] for c in body["components"]]
    assert names == ["Core", "API", "Website", "Database"]
    by_name = {c["name"]: c for c in body["components"]}
    assert by_name["API"]["group_id"] == published["group"].id
    assert by_name["API"]["status"] == "degraded_performance"
    assert by_name["Website"]["status"] == "under_maintenance"
    assert by_name["Database"]["status"] == "operational"
    assert by_name["Core"]["group"] is True and by_name["API"]["group"] is False


def test_maintenance_lists_split_by_state(published):
    upcoming = doc("/pages/acme/api/v2/scheduled-maintenances/upcoming.json")
    active = doc("/pages/acme/api/v2/scheduled-maintenances/active.json")
    everything = doc("/pages/acme/api/v2/scheduled-maintenances.json")
    assert [m["name"] for m in upcoming["scheduled_maintenances"]] == ["DB upgrade"]
    assert upcoming["scheduled_maintenances"][0]["status"] == "scheduled"
    assert [m["name"] for m in active["scheduled_maintenances"]] == ["Web move"]
    assert active["scheduled_maintenances"][0]["status"] == "in_progress"
    assert active["scheduled_maintenances"][0]["impact"] == "maintenance"
    assert len(everything["scheduled_maintenances"]) == 2
    first = upcoming["scheduled_maintenances"][0]
    assert first["scheduled_for"] == published["upcoming"].start_at.astimezone(dt.UTC).isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")
    assert [c["id"] for c in first["components"]] == [published["db"].id]


def test_incident_updates_are_newest_first_and_resolved_keeps_impact(
    page, django_capture_on_commit_callbacks
):
    api = ComponentFactory(page=page, name="API")
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_create(
            page=page,
            name="Outage",
            message="Down",
            component_statuses=[{"component_id": api.id, "status": "major_outage"}],
        )
        incident_resolve(incident=incident, message="Fixed")
    (listed,) = doc("/pages/acme/api/v2/incidents.json")["incidents"]
    assert [u["status"] for u in listed["incident_updates"]] == ["resolved", "investigating"]
    assert listed["status"] == "resolved"
    assert listed["impact"] == "critical"
    assert listed["resolved_at"] is not None
    assert doc("/pages/acme/api/v2/incidents/unresolved.json")["incidents"] == []


def test_a_published_postmortem_shows_as_postmortem_status(
    page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_create(page=page, name="Outage", message="Down")
        incident_resolve(incident=incident, message="Fixed")
        incident_change(incident=incident, postmortem="What happened")
    (listed,) = doc("/pages/acme/api/v2/incidents.json")["incidents"]
    assert listed["status"] == "postmortem"


def test_incidents_json_lists_the_50_most_recent(page):
    for n in range(55):
        IncidentFactory(page=page, name=f"Incident {n}", status="resolved")
    incidents = doc("/pages/acme/api/v2/incidents.json")["incidents"]
    assert len(incidents) == 50
    assert incidents[0]["name"] == "Incident 54"


def test_scheduled_maintenances_json_lists_the_50_most_recent(page):
    start = timezone.now()
    for n in range(52):
        MaintenanceFactory(
            page=page,
            name=f"Window {n}",
            status="completed",
            start_at=start - dt.timedelta(days=100 - n),
        )
    maintenances = doc("/pages/acme/api/v2/scheduled-maintenances.json")["scheduled_maintenances"]
    assert len(maintenances) == 50
    assert maintenances[0]["name"] == "Window 51"


def test_only_show_if_degraded_components_are_hidden_while_operational(
    page, django_capture_on_commit_callbacks
):
    hidden = ComponentFactory(page=page, name="Backup", only_show_if_degraded=True)
    ComponentFactory(page=page, name="Website")
    names = [c["name"] for c in doc("/pages/acme/api/v2/components.json")["components"]]
    assert names == ["Website"]
    with django_capture_on_commit_callbacks(execute=True):
        component_update(component=hidden, manual_status="partial_outage")
    names = [c["name"] for c in doc("/pages/acme/api/v2/summary.json")["components"]]
    assert names == ["Backup", "Website"]


def test_a_group_whose_components_are_all_hidden_is_left_out(page):
    group = ComponentGroupFactory(page=page, name="Optional")
    ComponentFactory(page=page, group=group, name="Backup", only_show_if_degraded=True)
    ComponentFactory(page=page, name="Website")
    names = [c["name"] for c in doc("/pages/acme/api/v2/components.json")["components"]]
    assert names == ["Website"]


# --- routing -------------------------------------------------------------------------------


def test_page_is_served_by_path_by_slug_subdomain_and_by_custom_domain(page):
    page.custom_domain = "status.acme.example"
    page.save()
    by_path = doc("/pages/acme/api/v2/status.json")
    by_subdomain = doc("/api/v2/status.json", HTTP_HOST="acme.localhost:8000")
    by_domain = doc("/api/v2/status.json", HTTP_HOST="status.acme.example")
    assert by_path["page"]["id"] == by_subdomain["page"]["id"] == by_domain["page"]["id"] == page.id


def test_unknown_slug_and_unknown_host_are_json_404s(page):
    for path, host in [
        ("/pages/nope/api/v2/summary.json", "127.0.0.1:8000"),
        ("/api/v2/summary.json", "nope.localhost:8000"),
        ("/api/v2/summary.json", "status.unknown.example"),
        ("/api/v2/summary.json", "127.0.0.1:8000"),
        ("/pages/acme/api/v2/no-such-document.json", "127.0.0.1:8000"),
    ]:
        response = get(path, HTTP_HOST=host)
        assert response.status_code == 404, (path, host)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "not_found"
        assert response["Access-Control-Allow-Origin"] == "*"


def test_host_routing_does_not_leak_another_page(page):
    other = StatusPageFactory(slug="other", name="Other")
    ComponentFactory(page=other, name="Secret component")
    body = doc("/api/v2/components.json", HTTP_HOST="acme.localhost")
    assert body["page"]["id"] == page.id
    assert body["components"] == []


def test_writes_are_refused_with_405(page):
    response = Client().post("/pages/acme/api/v2/status.json", {})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


# --- HTTP caching --------------------------------------------------------------------------


def test_responses_allow_any_origin_and_are_revalidated(page):
    response = get("/pages/acme/api/v2/summary.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "max-age=0" in cache_control
    preflight = Client().options("/pages/acme/api/v2/summary.json")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"


def test_if_none_match_with_the_current_etag_is_a_304(page, django_capture_on_commit_callbacks):
    first = get("/pages/acme/api/v2/status.json")
    etag = first["ETag"]
    assert etag.startswith('"')
    again = get("/pages/acme/api/v2/status.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "*"
    assert get("/pages/acme/api/v2/status.json", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        incident_create(page=page, name="Something", impact_override="major")
    changed = get("/pages/acme/api/v2/status.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


# --- freshness -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_incident_opened_and_resolved_through_the_api_shows_on_the_next_read(api, page):
    component = ComponentFactory(page=page, name="API")
    assert doc("/pages/acme/api/v2/status.json")["status"]["indicator"] == "none"

    created = api.post(
        f"/api/v1/status-pages/{page.id}/incidents",
        {
            "name": "API down",
            "status": "investigating",
            "message": "Looking",
            "component_statuses": [{"component_id": component.id, "status": "major_outage"}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="fresh-1",
    )
    assert created.status_code == 201, created.content
    status = doc("/pages/acme/api/v2/status.json")["status"]
    assert status == {"indicator": "critical", "description": "Major Service Outage"}
    summary = doc("/api/v2/summary.json", HTTP_HOST="acme.localhost")
    assert [i["name"] for i in summary["incidents"]] == ["API down"]
    assert summary["components"][0]["status"] == "major_outage"

    resolved = api.post(
        f"/api/v1/status-pages/{page.id}/incidents/{created.json()['id']}/updates",
        {"status": "resolved", "message": "Fixed"},
        format="json",
    )
    assert resolved.status_code == 201, resolved.content
    assert doc("/pages/acme/api/v2/status.json")["status"]["indicator"] == "none"
    assert doc("/pages/acme/api/v2/incidents/unresolved.json")["incidents"] == []


def test_a_maintenance_update_shows_on_the_next_read(published, django_capture_on_commit_callbacks):
    assert doc("/pages/acme/api/v2/scheduled-maintenances/active.json")["scheduled_maintenances"]
    with django_capture_on_commit_callbacks(execute=True):
        maintenance_update_publish(maintenance=published["active"], status="completed")
    active = doc("/pages/acme/api/v2/scheduled-maintenances/active.json")
    assert active["scheduled_maintenances"] == []


# --- query counts --------------------------------------------------------------------------

# Monitors cost no query here unless one speaks for a component (the status source's hint).
SUMMARY_QUERY_BUDGET = 14


def _page_with(page, components: int):
    group = ComponentGroupFactory(page=page)
    made = [
        ComponentFactory(page=page, group=group if n % 2 else None, name=f"C{n}")
        for n in range(components)
    ]
    for n in range(5):
        incident = IncidentFactory(page=page, name=f"I{n}", status="identified", impact="minor")
        for component in made[n * 2 : n * 2 + 2]:
            IncidentComponentFactory(
                incident=incident, component=component, status="partial_outage"
            )
        for _ in range(3):
            IncidentUpdateFactory(incident=incident)
    MaintenanceFactory(page=page, components=made[:3])
    MaintenanceFactory(page=page, status="in_progress", components=made[3:6])


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_documents_take_a_fixed_number_of_queries(
    endpoint, size, page, django_assert_max_num_queries
):
    from django.core.cache import cache

    _page_with(page, size)
    cache.clear()
    with django_assert_max_num_queries(SUMMARY_QUERY_BUDGET):
        response = get(f"/pages/acme/api/v2/{endpoint}")
    assert response.status_code == 200
    if endpoint == "components.json":
        assert len(response.json()["components"]) == size + 1  # and the group


def test_a_cached_document_costs_no_query(page, django_assert_num_queries):
    _page_with(page, 10)
    get("/pages/acme/api/v2/summary.json")
    with django_assert_num_queries(0):  # not even finding the page
        assert get("/pages/acme/api/v2/summary.json").status_code == 200
