"""However malformed a request is, the answer is a 4xx in the error envelope, never a 500."""

import json

import pytest
from django.test import Client

from core.models import IdempotencyRecord
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

NUL = "Null characters are not allowed."


def _error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["request_id"] == response["X-Request-Id"]
    return error


def _post(api, url, body, **headers):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return api.client.generic("POST", url, raw, content_type="application/json", **headers)


def _incident(**fields):
    return {"name": "Outage", "status": "investigating", "message": "Looking.", **fields}


def _maintenance(**fields):
    return {
        "name": "Upgrade",
        "message": "Planned.",
        "start_at": "2030-01-01T10:00:00Z",
        "end_at": "2030-01-01T12:00:00Z",
        **fields,
    }


# --- NUL characters -----------------------------------------------------------------------


def test_a_nul_in_an_api_path_is_a_404(api, page):
    for url in (
        "/api/v1/status-pages/page_%00",
        f"/api/v1/status-pages/{page.id}/components/cmp_%00",
        "/api/v1/%00",
    ):
        error = _error(api.get(url), 404, "not_found")
        assert error["details"] == {}


def test_a_nul_in_a_query_parameter_is_a_400_naming_it(api, page):
    for url, name in (
        ("/api/v1/status-pages?after=%00", "after"),
        ("/api/v1/status-pages?page_size=1%00", "page_size"),
        (f"/api/v1/status-pages/{page.id}/incidents?status=%00", "status"),
        (f"/api/v1/status-pages/{page.id}/deliveries?subscriber_id=sub_%00", "subscriber_id"),
    ):
        error = _error(api.get(url), 400, "validation_error")
        assert error["details"] == {name: [NUL]}


def test_a_nul_in_a_query_parameter_name_is_a_400(api):
    error = _error(api.get("/api/v1/status-pages?a%00b=1"), 400, "validation_error")
    assert error["details"] == {"a\\u0000b": [NUL]}


def test_a_nul_in_a_header_is_a_400_naming_it(api, page):
    error = _error(api.get("/api/v1/me", HTTP_X_CUSTOM="a\x00b"), 400, "validation_error")
    assert error["details"] == {"X-Custom": [NUL]}
    client = Client(HTTP_AUTHORIZATION="Bearer spk_\x00_x")
    error = _error(client.get("/api/v1/me"), 400, "validation_error")
    assert error["details"] == {"Authorization": [NUL]}
    error = _error(
        Client().get(f"/pages/{page.slug}/api/v2/status.json", HTTP_HOST="acme\x00.example"),
        400,
        "validation_error",
    )
    assert error["details"] == {"Host": [NUL]}


def test_a_nul_in_an_idempotency_key_header_is_a_400_and_nothing_is_kept(api, page):
    response = _post(
        api, f"/api/v1/status-pages/{page.id}/incidents", _incident(), HTTP_IDEMPOTENCY_KEY="k\x00"
    )
    assert _error(response, 400, "validation_error")["details"] == {"Idempotency-Key": [NUL]}
    assert not IdempotencyRecord.objects.exists()


def test_a_nul_in_a_public_subscribe_form_is_a_400_naming_the_field(page):
    response = Client().post(
        f"/pages/{page.slug}/api/v2/subscribers.json", {"subscriber[email]": "a\x00@example.com"}
    )
    error = _error(response, 400, "validation_error")
    assert error["details"] == {"subscriber[email]": [NUL]}


def test_a_nul_in_a_json_value_or_key_is_a_400_naming_the_field(api, page):
    error = _error(
        _post(api, "/api/v1/status-pages", {"name": "a\x00b", "slug": "nul"}),
        400,
        "validation_error",
    )
    assert error["details"] == {"name": [NUL]}
    error = _error(
        _post(api, "/api/v1/status-pages", {"na\x00me": "x", "slug": "nul"}),
        400,
        "validation_error",
    )
    assert error["details"] == {"na\\u0000me": [NUL]}
    body = _incident(component_statuses=[{"component_id": "cmp_\x00", "status": "major_outage"}])
    error = _error(
        _post(api, f"/api/v1/status-pages/{page.id}/incidents", body, HTTP_IDEMPOTENCY_KEY="n1"),
        400,
        "validation_error",
    )
    assert error["details"] == {"component_statuses.0.component_id": [NUL]}


def test_a_lone_surrogate_in_json_is_a_400(api):
    raw = '{"name": "\\ud800", "slug": "surrogate"}'
    error = _error(_post(api, "/api/v1/status-pages", raw), 400, "validation_error")
    assert error["details"] == {"name": ["Text must be valid Unicode (no unpaired surrogates)."]}


def test_a_rejected_nul_body_with_an_idempotency_key_is_replayed(api, page):
    url = f"/api/v1/status-pages/{page.id}/incidents"
    body = {"na\x00me": "x", "status": "investigating", "message": "m"}
    first = _post(api, url, body, HTTP_IDEMPOTENCY_KEY="nul-key")
    error = _error(first, 400, "validation_error")
    assert error["details"] == {"na\\u0000me": [NUL]}
    again = _post(api, url, body, HTTP_IDEMPOTENCY_KEY="nul-key")
    assert again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["error"]["details"] == {"na\\u0000me": [NUL]}
    # the retry with the mistake fixed is a different request
    fixed = _post(api, url, _incident(), HTTP_IDEMPOTENCY_KEY="nul-key")
    _error(fixed, 422, "idempotency_key_reused")


@pytest.mark.postgres
def test_a_nul_body_with_an_idempotency_key_is_a_400_on_postgresql(on_postgres, api, page):
    url = f"/api/v1/status-pages/{page.id}/incidents"
    for index, body in enumerate(
        (
            {"name": "a\x00", "status": "investigating", "message": "m"},
            {"na\x00me": "x", "status": "investigating", "message": "m"},
            {"name": "x", "status": "\x00", "message": "m"},
            _incident(component_statuses=[{"component_id": "\x00", "status": "\x00"}]),
        )
    ):
        response = _post(api, url, body, HTTP_IDEMPOTENCY_KEY=f"pg-{index}")
        _error(response, 400, "validation_error")
    assert IdempotencyRecord.objects.filter(key__startswith="pg-").count() == 4
    _error(
        api.get(f"/api/v1/status-pages/{page.id}/incidents?status=\x00"), 400, "validation_error"
    )
    _error(api.get("/api/v1/status-pages/page_%00"), 404, "not_found")


# --- impossible dates and times ------------------------------------------------------------

IMPOSSIBLE_TIMES = [
    "2026-01-01T25:00:00Z",
    "2026-01-01T10:61:00Z",
    "2026-02-30T10:00:00Z",
    "0000-01-01T00:00:00Z",
    "99999-01-01T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "not a time",
]
OUT_OF_RANGE_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "1969-12-31T23:59:59Z",
]
FORMAT = "Use an RFC 3339 date-time with a time zone, e.g. '2026-01-31T12:00:00Z'."
RANGE = "Use a time between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z."


@pytest.mark.parametrize("moment", IMPOSSIBLE_TIMES + OUT_OF_RANGE_TIMES)
def test_an_impossible_time_is_a_400_on_every_date_time_field(api, page, moment):
    expected = [RANGE] if moment in OUT_OF_RANGE_TIMES else [FORMAT]
    incidents = f"/api/v1/status-pages/{page.id}/incidents"
    maintenances = f"/api/v1/status-pages/{page.id}/maintenances"
    for url, body, field in (
        (incidents, _incident(started_at=moment), "started_at"),
        (maintenances, _maintenance(start_at=moment), "start_at"),
        (maintenances, _maintenance(end_at=moment), "end_at"),
    ):
        key = f"{field}-{moment}".replace(" ", "_")
        response = _post(api, url, body, HTTP_IDEMPOTENCY_KEY=key)
        assert _error(response, 400, "validation_error")["details"] == {field: expected}


def test_an_impossible_time_on_maintenance_edit_is_a_400(api, page):
    created = _post(
        api,
        f"/api/v1/status-pages/{page.id}/maintenances",
        _maintenance(),
        HTTP_IDEMPOTENCY_KEY="m",
    )
    assert created.status_code == 201
    url = f"/api/v1/status-pages/{page.id}/maintenances/{created.json()['id']}"
    for field in ("start_at", "end_at"):
        response = api.patch(url, {field: "2026-02-30T10:00:00Z"})
        assert _error(response, 400, "validation_error")["details"] == {field: [FORMAT]}


def test_a_component_start_date_that_does_not_exist_is_a_400(api, page):
    response = api.post(
        f"/api/v1/status-pages/{page.id}/components", {"name": "API", "start_date": "2026-02-30"}
    )
    assert set(_error(response, 400, "validation_error")["details"]) == {"start_date"}


# --- deep and large bodies ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_deeply_nested_json_is_a_400_parse_error(api, page, depth):
    for raw in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        for url, headers in (
            ("/api/v1/status-pages", {}),
            ("/api/v1/status-pages", {"HTTP_IDEMPOTENCY_KEY": f"deep-{depth}-{raw[0]}"}),
            (f"/api/v1/status-pages/{page.id}/incidents", {}),
        ):
            error = _error(_post(api, url, raw, **headers), 400, "parse_error")
            assert "nested deeper than 32 levels" in error["message"]


def test_json_nested_32_levels_is_read(api):
    raw = '{"name": ' + "[" * 31 + "]" * 31 + ', "slug": "deep"}'
    error = _error(_post(api, "/api/v1/status-pages", raw), 400, "validation_error")
    assert set(error["details"]) == {"name"}


def test_a_body_over_the_limit_is_a_413_naming_the_limit(api, page, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"name": "a" * 1000, "slug": "big"}
    for url, headers in (
        ("/api/v1/status-pages", {}),
        ("/api/v1/status-pages", {"HTTP_IDEMPOTENCY_KEY": "big"}),
        (f"/api/v1/status-pages/{page.id}/incidents", {}),
        (f"/pages/{page.slug}/api/v2/subscribers.json", {}),
    ):
        error = _error(_post(api, url, body, **headers), 413, "payload_too_large")
        assert error["details"] == {"max_body_bytes": 1000}
        assert error["message"] == "The request body is larger than 1000 bytes."
    assert not IdempotencyRecord.objects.exists()


def test_the_default_body_limit_is_one_mebibyte(api):
    error = _error(
        _post(api, "/api/v1/status-pages", {"name": "a" * (1024 * 1024)}), 413, "payload_too_large"
    )
    assert error["details"] == {"max_body_bytes": 1048576}


# --- odd public slugs -----------------------------------------------------------------------

ODD_SLUGS = ["%3F", "%00", "%C3%A9t%C3%A9", "a" * 3000, "ACME", "-", "a%20b", "%25", "%2e%2e"]
DOCUMENTS = [
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
    "nothing-here.json",
]


@pytest.mark.parametrize("slug", ODD_SLUGS)
def test_an_odd_slug_is_a_json_404_on_every_public_document(page, slug):
    client = Client()
    for document in DOCUMENTS:
        response = client.get(f"/pages/{slug}/api/v2/{document}")
        error = _error(response, 404, "not_found")
        assert error["details"] == {}
        assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("slug", ODD_SLUGS)
def test_an_odd_slug_subscribes_like_an_unknown_page(page, slug):
    client = Client()
    for method, url in (
        ("POST", "subscribers.json"),
        ("POST", "incidents/inc_1/subscribers.json"),
        ("DELETE", "subscribers/sub_1.json"),
    ):
        unknown = client.generic(method, f"/pages/no-such-page/api/v2/{url}")
        odd = client.generic(method, f"/pages/{slug}/api/v2/{url}")
        assert unknown.status_code == 404
        _error(odd, 404, "not_found")


@pytest.mark.parametrize("slug", ODD_SLUGS)
def test_an_odd_slug_is_a_plain_404_on_the_human_page_and_feeds(page, slug):
    client = Client()
    for suffix in ("", "history.rss", "history.atom", "incidents/inc_1"):
        response = client.get(f"/pages/{slug}/{suffix}")
        assert response.status_code == 404, (slug, suffix)


def test_a_nul_in_a_public_incident_id_is_a_404(page):
    incident = IncidentFactory(page=page)
    client = Client()
    assert client.get(f"/pages/{page.slug}/incidents/{incident.id}").status_code == 200
    assert client.get(f"/pages/{page.slug}/incidents/{incident.id}%00").status_code == 404
    response = client.get(f"/pages/{page.slug}/api/v2/incidents/%00/subscribers.json")
    _error(response, 404, "not_found")
