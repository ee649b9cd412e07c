"""``/incident-io/`` over HTTP: incident.io's error body for every refusal, our scopes and key
limits, the same state seen through ``/api/v1`` and the public documents, query budgets and
the dialect's own OpenAPI document."""

import datetime

import pytest
from django.utils import timezone
from openapi_spec_validator import validate

from incidents.models import Incident
from tests.factories import (
    ComponentFactory,
    IncidentFactory,
    MaintenanceFactory,
    OrganizationFactory,
    StatusPageFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/incident-io/v2"


def _incident_body(page, component=None, **overrides) -> dict:
    body = {
        "idempotency_key": "key-1",
        "status_page_id": page.id,
        "name": "API errors",
        "incident_status": "investigating",
        "message": "Requests fail.",
        "notify_subscribers": False,
        "component_statuses": (
            [{"component_id": component.id, "component_status": "full_outage"}] if component else []
        ),
    }
    return {**body, **overrides}


def _assert_error(response, status: int, error_type: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"type", "status", "request_id", "errors"}
    assert (body["type"], body["status"]) == (error_type, status)
    assert body["request_id"] == response["X-Request-Id"]
    assert all({"code", "message"} <= set(error) for error in body["errors"])
    return body


def test_a_missing_or_unknown_key_is_a_401_in_incident_ios_body(client):
    body = _assert_error(client.get(f"{BASE}/status_pages"), 401, "authentication_error")
    assert body["errors"][0]["code"] == "unauthenticated"
    response = client.get(f"{BASE}/status_pages", HTTP_AUTHORIZATION="Bearer spk_nope_nope")
    _assert_error(response, 401, "authentication_error")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_key_without_the_scope_is_a_403_naming_it(make_client, page):
    reader = make_client(organization=page.organization, scopes="")
    response = reader.post(f"{BASE}/status_page_incidents", _incident_body(page), format="json")
    body = _assert_error(response, 403, "resource_forbidden")
    assert body["errors"][0]["code"] == "insufficient_scope"
    assert "incidents:write" in body["errors"][0]["message"]
    response = reader.post(f"{BASE}/status_page_components", {"name": "x"}, format="json")
    assert (
        "pages:write" in _assert_error(response, 403, "resource_forbidden")["errors"][0]["message"]
    )
    assert not Incident.objects.exists()


def test_another_organizations_page_and_its_objects_are_404(api, page):
    other = StatusPageFactory(organization=OrganizationFactory(slug="globex"), slug="globex")
    theirs = IncidentFactory(page=other)
    component = ComponentFactory(page=other)
    for path in (
        f"{BASE}/status_pages/{other.id}",
        f"{BASE}/status_page_structures/{other.id}",
        f"{BASE}/status_page_incidents/{theirs.id}",
        f"{BASE}/status_page_components/{component.id}",
        f"{BASE}/status_page_incidents?status_page_id={other.id}",
    ):
        _assert_error(api.get(path), 404, "not_found")
    response = api.post(f"{BASE}/status_page_incidents", _incident_body(other), format="json")
    _assert_error(response, 404, "not_found")
    assert Incident.objects.filter(page=other).count() == 1


def test_a_key_limited_to_one_page_does_not_see_the_others(make_client, page):
    second = StatusPageFactory(organization=page.organization, slug="second")
    limited = make_client(organization=page.organization, page_ids=[page.id])
    listed = limited.get(f"{BASE}/status_pages").json()["status_pages"]
    assert [p["id"] for p in listed] == [page.id]
    _assert_error(limited.get(f"{BASE}/status_pages/{second.id}"), 404, "not_found")


def test_an_invalid_body_is_a_422_naming_incident_ios_field(api, page):
    response = api.post(
        f"{BASE}/status_page_incidents",
        _incident_body(page, notify_subscribers=None, message=None),
        format="json",
    )
    body = _assert_error(response, 422, "validation_error")
    fields = {error["source"]["field"]: error["code"] for error in body["errors"]}
    assert fields == {"message": "is_required", "notify_subscribers": "is_required"}
    assert body["errors"][0]["source"]["pointer"].startswith("/")


def test_an_unknown_incident_status_is_the_services_refusal_under_incident_ios_name(api, page):
    response = api.post(
        f"{BASE}/status_page_incidents",
        _incident_body(page, incident_status="broken"),
        format="json",
    )
    body = _assert_error(response, 422, "validation_error")
    assert [(e["source"]["field"], e["code"]) for e in body["errors"]] == [
        ("incident_status", "invalid_value")
    ]
    assert "'broken' is not an incident status" in body["errors"][0]["message"]
    assert Incident.objects.count() == 0


def test_a_services_refusal_is_a_422_with_its_field(api, page):
    """An unknown component is the incidents service's refusal, spoken in incident.io's body."""
    response = api.post(
        f"{BASE}/status_page_incidents",
        {
            **_incident_body(page),
            "component_statuses": [{"component_id": "cmp_nope", "component_status": "full_outage"}],
        },
        format="json",
    )
    body = _assert_error(response, 422, "validation_error")
    assert [error["source"]["field"] for error in body["errors"]] == ["component_statuses"]
    assert "cmp_nope" in body["errors"][0]["message"]
    start = timezone.now() + datetime.timedelta(hours=1)
    response = api.post(
        f"{BASE}/status_page_maintenances",
        {
            "idempotency_key": "m-1",
            "status_page_id": page.id,
            "name": "Upgrade",
            "message": "",
            "start_at": start.isoformat(),
            "end_at": (start - datetime.timedelta(hours=2)).isoformat(),
            "maintenance_status": "maintenance_scheduled",
            "affected_component_ids": [],
            "notify_subscribers": False,
        },
        format="json",
    )
    body = _assert_error(response, 422, "validation_error")
    assert [error["source"]["field"] for error in body["errors"]] == ["end_at"]


def test_a_bad_query_parameter_is_a_400(api, page):
    response = api.get(f"{BASE}/status_page_incidents")
    body = _assert_error(response, 400, "invalid_request_error")
    assert body["errors"][0]["source"]["field"] == "status_page_id"
    response = api.get(f"{BASE}/status_page_incidents?status_page_id={page.id}&after=%%%")
    _assert_error(response, 400, "invalid_request_error")
    response = api.get(f"{BASE}/status_pages?colour=red")
    assert _assert_error(response, 400, "invalid_request_error")["errors"][0]["source"] == {
        "field": "colour",
        "pointer": "/colour",
    }


def test_an_idempotency_key_with_another_body_is_a_422(api, page):
    first = api.post(f"{BASE}/status_page_incidents", _incident_body(page), format="json")
    assert first.status_code == 201
    replay = api.post(f"{BASE}/status_page_incidents", _incident_body(page), format="json")
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    other = api.post(
        f"{BASE}/status_page_incidents", _incident_body(page, name="Else"), format="json"
    )
    body = _assert_error(other, 422, "validation_error")
    assert body["errors"][0]["code"] == "idempotency_key_reused"
    assert body["errors"][0]["source"]["field"] == "idempotency_key"
    assert Incident.objects.count() == 1


def test_routing_method_media_type_and_body_errors_keep_incident_ios_shape(api, page):
    _assert_error(api.get("/incident-io/v2/nothing_here"), 404, "not_found")
    _assert_error(api.patch(f"{BASE}/status_pages/{page.id}"), 405, "method_not_allowed")
    response = api.post(
        f"{BASE}/status_page_components", "name=x", content_type="application/x-www-form-urlencoded"
    )
    _assert_error(response, 415, "invalid_request_error")
    response = api.post(
        f"{BASE}/status_page_components", "{not json", content_type="application/json"
    )
    _assert_error(response, 400, "invalid_request_error")
    response = api.post(
        f"{BASE}/status_page_components",
        b"x" * (2 * 1024 * 1024),
        content_type="application/json",
    )
    _assert_error(response, 413, "payload_too_large")


def test_a_component_an_open_incident_uses_cannot_be_deleted_409(api, page):
    component = ComponentFactory(page=page)
    api.post(f"{BASE}/status_page_incidents", _incident_body(page, component), format="json")
    response = api.delete(f"{BASE}/status_page_components/{component.id}")
    _assert_error(response, 409, "conflict")


def test_a_crash_is_a_500_in_incident_ios_body(api, page, monkeypatch):
    from dialects.incident_io import pages

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pages, "status_page_object", crash)
    body = _assert_error(api.get(f"{BASE}/status_pages/{page.id}"), 500, "api_error")
    assert "boom" not in str(body)


def test_the_rate_limit_is_a_429_with_retry_after(api, page, settings):
    settings.API_RATE_LIMIT = "1/min"
    api.get(f"{BASE}/status_pages")
    response = api.get(f"{BASE}/status_pages")
    _assert_error(response, 429, "rate_limit_reached")
    assert int(response["Retry-After"]) >= 1


def test_what_the_dialect_writes_shows_in_our_api_and_the_public_summary(
    api, page, client, django_capture_on_commit_callbacks
):
    component = ComponentFactory(page=page, name="API")
    opened = api.post(
        f"{BASE}/status_page_incidents", _incident_body(page, component), format="json"
    ).json()["status_page_incident"]
    ours = api.get(f"/api/v1/status-pages/{page.id}/incidents/{opened['id']}").json()
    assert (ours["name"], ours["status"], ours["impact"]) == (
        "API errors",
        "investigating",
        "critical",
    )
    assert ours["components"][0]["status"] == "major_outage"
    summary = client.get(f"/pages/{page.slug}/api/v2/summary.json").json()
    assert [i["id"] for i in summary["incidents"]] == [opened["id"]]
    assert summary["components"][0]["status"] == "major_outage"

    # And the other way round: resolved through /api/v1, it reads resolved in incident.io's shape.
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            f"/api/v1/status-pages/{page.id}/incidents/{opened['id']}/updates",
            {"status": "resolved", "message": "Fixed."},
            format="json",
        )
    shown = api.get(f"{BASE}/status_page_incidents/{opened['id']}").json()["status_page_incident"]
    assert shown["incident_status"] == "resolved"
    assert client.get(f"/pages/{page.slug}/api/v2/summary.json").json()["incidents"] == []


def test_a_verifying_maintenance_reads_as_in_progress(api, page):
    maintenance = MaintenanceFactory(page=page, status="verifying")
    shown = api.get(f"{BASE}/status_page_maintenances/{maintenance.id}").json()
    assert shown["status_page_maintenance"]["maintenance_status"] == "maintenance_in_progress"


def test_lists_page_with_incident_ios_pagination_meta(api, page):
    for _ in range(3):
        IncidentFactory(page=page)
    first = api.get(f"{BASE}/status_page_incidents?status_page_id={page.id}&page_size=2").json()
    assert first["pagination_meta"]["page_size"] == 2
    after = first["pagination_meta"]["after"]
    rest = api.get(
        f"{BASE}/status_page_incidents?status_page_id={page.id}&page_size=2&after={after}"
    ).json()
    assert "after" not in rest["pagination_meta"]
    ids = [i["id"] for i in first["status_page_incidents"] + rest["status_page_incidents"]]
    assert sorted(ids) == sorted(Incident.objects.values_list("id", flat=True))


@pytest.mark.parametrize("size", [2, 12])
def test_list_endpoints_keep_a_fixed_query_budget(api, page, size, django_assert_max_num_queries):
    components = [ComponentFactory(page=page) for _ in range(size)]
    for index in range(size):
        api.post(
            f"{BASE}/status_page_incidents",
            _incident_body(page, components[index], idempotency_key=f"k{index}"),
            format="json",
        )
        MaintenanceFactory(page=page).components.set(components[:3])
    for path in (
        f"{BASE}/status_pages",
        f"{BASE}/status_page_components",
        f"{BASE}/status_page_structures/{page.id}",
        f"{BASE}/status_page_incidents?status_page_id={page.id}",
        f"{BASE}/status_page_maintenances?status_page_id={page.id}",
    ):
        with django_assert_max_num_queries(6):
            assert api.get(path).status_code == 200


def test_the_openapi_document_is_valid_and_names_every_path(client):
    response = client.get("/incident-io/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert set(document["paths"]) == {
        "/v2/status_pages",
        "/v2/status_pages/{id}",
        "/v2/status_page_structures/{status_page_id}",
        "/v2/status_page_components",
        "/v2/status_page_components/{id}",
        "/v2/status_page_incidents",
        "/v2/status_page_incidents/{id}",
        "/v2/status_page_incident_updates",
        "/v2/status_page_maintenances",
        "/v2/status_page_maintenances/{id}",
        "/v2/status_page_maintenance_updates",
        "/v2/status_page_retrospective_incidents",
        "/v2/status_pages/{id}/components/{component_id}/availability",
    }


def test_a_key_with_several_pages_must_name_the_page_of_a_new_component(api, page):
    StatusPageFactory(organization=page.organization, slug="second")
    response = api.post(f"{BASE}/status_page_components", {"name": "API"}, format="json")
    body = _assert_error(response, 422, "validation_error")
    assert body["errors"][0]["source"]["field"] == "status_page_id"
    created = api.post(
        f"{BASE}/status_page_components", {"name": "API", "status_page_id": page.id}, format="json"
    )
    assert created.status_code == 201
    assert page.components.get().name == "API"
