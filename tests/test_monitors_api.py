"""Monitors in the management API: create, read, change, delete, rotate the ping URL, results;
validation by the service, scopes, tenancy and the lists' query budgets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitors.models import Monitor
from monitors.services import monitor_results_record
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


def _url(page, suffix=""):
    return f"/api/v1/status-pages/{page.id}/monitors{suffix}"


HTTP_MONITOR = {"name": "API", "kind": "http", "target": "https://api.example.com/health"}


def _create(api, page, body=None, **extra):
    response = api.post(_url(page), {**(body or HTTP_MONITOR), **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_http_monitor_is_created_with_the_contract_defaults(api, page):
    monitor = _create(api, page)
    assert monitor["id"].startswith("mon_")
    assert monitor["page_id"] == page.id
    assert monitor["state"] == "pending"
    assert monitor["locations"] == ["default"]
    assert (monitor["failure_threshold"], monitor["recovery_threshold"]) == (2, 2)
    assert monitor["down_status"] == "major_outage"
    assert monitor["open_incident"] is False
    assert monitor["notify_subscribers"] is True
    assert monitor["publish_latency"] is False
    assert monitor["http"]["method"] == "GET"
    assert monitor["http"]["expected_statuses"] == "200-399"
    assert monitor["dns"] is None and monitor["heartbeat"] is None
    assert monitor["state_changed_at"] is None and monitor["last_checked_at"] is None


def test_a_monitor_reads_back_and_lists_newest_first(api, page):
    first = _create(api, page, name="First")
    second = _create(api, page, name="Second")
    assert api.get(_url(page, f"/{first['id']}")).json() == first
    listed = api.get(_url(page)).json()["data"]
    assert [m["id"] for m in listed] == [second["id"], first["id"]]


def test_tcp_and_dns_targets_are_normalised(api, page):
    tcp = _create(api, page, {"name": "DB", "kind": "tcp", "target": "DB.Example.com:5432"})
    assert tcp["target"] == "db.example.com:5432"
    dns = _create(
        api,
        page,
        {"name": "DNS", "kind": "dns", "target": "Example.COM.", "dns": {"record_type": "mx"}},
    )
    assert dns["target"] == "example.com"
    assert dns["dns"] == {"record_type": "MX", "expected": ""}


def test_a_heartbeat_shows_its_ping_url_in_full_only_on_create_and_rotate(api, page):
    created = _create(
        api, page, {"name": "Backup", "kind": "heartbeat", "heartbeat": {"period_seconds": 60}}
    )
    url = created["heartbeat"]["ping_url"]
    assert url.startswith("http") and "/ping/" in url and not url.endswith("…")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 22  # ≥ 128 random bits, url-safe base64
    assert created["heartbeat"]["period_seconds"] == 60
    assert created["heartbeat"]["grace_seconds"] == 3600
    shown = api.get(_url(page, f"/{created['id']}")).json()["heartbeat"]["ping_url"]
    assert shown.endswith("…") and token not in shown
    assert Monitor.objects.filter(ping_token_hash__contains=token).count() == 0
    rotated = api.post(_url(page, f"/{created['id']}/rotate-ping-url")).json()
    assert rotated["heartbeat"]["ping_url"] != url and not rotated["heartbeat"][
        "ping_url"
    ].endswith("…")


def test_rotating_an_http_monitor_is_refused(api, page):
    created = _create(api, page)
    response = api.post(_url(page, f"/{created['id']}/rotate-ping-url"))
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["details"]


def test_a_replayed_create_never_shows_the_ping_url_again(api, page):
    body = {"name": "Cron", "kind": "heartbeat"}
    first = api.post(_url(page), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = api.post(_url(page), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert "ping_url" in first.json()["heartbeat"]
    assert "ping_url" not in replay.json()["heartbeat"]
    assert Monitor.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**HTTP_MONITOR, "interval_seconds": 29}, "interval_seconds"),
        ({**HTTP_MONITOR, "interval_seconds": 86_401}, "interval_seconds"),
        ({**HTTP_MONITOR, "timeout_seconds": 0}, "timeout_seconds"),
        ({**HTTP_MONITOR, "timeout_seconds": 31}, "timeout_seconds"),
        ({**HTTP_MONITOR, "failure_threshold": 0}, "failure_threshold"),
        ({**HTTP_MONITOR, "recovery_threshold": 11}, "recovery_threshold"),
        ({**HTTP_MONITOR, "name": "  "}, "name"),
        ({**HTTP_MONITOR, "kind": "ping"}, "kind"),
        ({**HTTP_MONITOR, "target": "ftp://example.com/"}, "target"),
        ({**HTTP_MONITOR, "target": ""}, "target"),
        ({"name": "DB", "kind": "tcp", "target": "db.example.com"}, "target"),
        ({"name": "DB", "kind": "tcp", "target": "db.example.com:99999"}, "target"),
        ({"name": "DNS", "kind": "dns", "target": "https://example.com"}, "target"),
        ({"name": "HB", "kind": "heartbeat", "target": "https://example.com"}, "target"),
        (
            {"name": "HB", "kind": "heartbeat", "heartbeat": {"period_seconds": 29}},
            "heartbeat.period_seconds",
        ),
        (
            {"name": "HB", "kind": "heartbeat", "heartbeat": {"grace_seconds": -1}},
            "heartbeat.grace_seconds",
        ),
        ({**HTTP_MONITOR, "heartbeat": {"period_seconds": 60}}, "heartbeat"),
        ({**HTTP_MONITOR, "dns": {"record_type": "A"}}, "dns"),
        ({**HTTP_MONITOR, "http": {"method": "FETCH"}}, "http.method"),
        ({**HTTP_MONITOR, "http": {"expected_statuses": "200-700"}}, "http.expected_statuses"),
        ({**HTTP_MONITOR, "http": {"expected_statuses": "ok"}}, "http.expected_statuses"),
        ({**HTTP_MONITOR, "http": {"json_path": "status"}}, "http.json_path"),
        ({**HTTP_MONITOR, "http": {"latency_degraded_ms": 60_000}}, "http.latency_degraded_ms"),
        ({**HTTP_MONITOR, "http": {"headers": {"bad header": "x"}}}, "http.headers"),
        ({**HTTP_MONITOR, "http": {"colour": "red"}}, "http.colour"),
        ({**HTTP_MONITOR, "locations": []}, "locations"),
        ({**HTTP_MONITOR, "locations": ["EU West"]}, "locations.0"),
        ({**HTTP_MONITOR, "locations": ["eu", "eu"]}, "locations"),
        ({**HTTP_MONITOR, "down_status": "operational"}, "down_status"),
        ({**HTTP_MONITOR, "component_id": "cmp_nope"}, "component_id"),
        ({**HTTP_MONITOR, "colour": "red"}, "colour"),
        (
            {"name": "DNS", "kind": "dns", "target": "example.com", "dns": {"record_type": "ZZ"}},
            "dns.record_type",
        ),
    ],
)
def test_invalid_monitors_are_a_400_naming_the_field(api, page, body, field):
    response = api.post(_url(page), body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"], response.json()
    assert Monitor.objects.count() == 0


def test_private_network_targets_are_refused_unless_allowed(api, page, settings):
    settings.MONITOR_ALLOW_PRIVATE_NETWORKS = False
    for target in ("https://127.0.0.1/", "http://127.0.0.1/", "https://[::ffff:10.0.0.1]/"):
        response = api.post(_url(page), {**HTTP_MONITOR, "target": target}, format="json")
        assert response.status_code == 400, target
        assert "target" in response.json()["error"]["details"]
    response = api.post(
        _url(page), {"name": "DB", "kind": "tcp", "target": "10.0.0.5:5432"}, format="json"
    )
    assert response.status_code == 400
    # A public site may be watched over plain http (health pages often are); webhooks stay https.
    _create(api, page, target="http://8.8.8.8/health")
    settings.MONITOR_ALLOW_PRIVATE_NETWORKS = True
    _create(api, page, target="http://127.0.0.1:8080/health")
    _create(api, page, {"name": "DB", "kind": "tcp", "target": "10.0.0.5:5432"})


def test_the_monitor_setting_defaults_to_the_webhook_one(settings):
    settings.MONITOR_ALLOW_PRIVATE_NETWORKS = None
    from channels.addresses import MONITORS

    for webhooks_allowed in (True, False):
        settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = webhooks_allowed
        assert MONITORS.allow_private() is webhooks_allowed


def test_patch_changes_what_it_gives_and_merges_http_settings(api, page):
    component = ComponentFactory(page=page)
    created = _create(api, page, http={"keyword": "ok", "method": "HEAD"})
    response = api.patch(
        _url(page, f"/{created['id']}"),
        {"http": {"keyword": "healthy"}, "component_id": component.id, "failure_threshold": 3},
        format="json",
    )
    assert response.status_code == 200, response.json()
    changed = response.json()
    assert changed["http"]["keyword"] == "healthy"
    assert changed["http"]["method"] == "HEAD"
    assert changed["component_id"] == component.id
    assert changed["failure_threshold"] == 3
    assert changed["name"] == created["name"]


def test_patch_refuses_a_change_of_kind_and_bad_values(api, page):
    created = _create(api, page)
    response = api.patch(_url(page, f"/{created['id']}"), {"kind": "tcp"}, format="json")
    assert response.status_code == 400
    response = api.patch(_url(page, f"/{created['id']}"), {"interval_seconds": 10}, format="json")
    assert response.status_code == 400
    assert "interval_seconds" in response.json()["error"]["details"]
    assert api.get(_url(page, f"/{created['id']}")).json()["interval_seconds"] == 60


def test_delete_removes_the_monitor(api, page):
    created = _create(api, page)
    assert api.delete(_url(page, f"/{created['id']}")).status_code == 204
    assert api.get(_url(page, f"/{created['id']}")).status_code == 404


def test_results_list_newest_first_filtered_by_location_and_since(api, page):
    created = _create(api, page, locations=["eu", "us"])
    now = timezone.now()
    monitor_results_record(
        monitor_id=created["id"],
        results=[
            {
                "location": "eu",
                "ok": True,
                "status_code": 200,
                "latency_ms": 80,
                "checked_at": now - timedelta(minutes=2),
            },
            {
                "location": "us",
                "ok": False,
                "error": "timeout",
                "checked_at": now - timedelta(minutes=1),
            },
            {"location": "eu", "ok": True, "status_code": 200, "latency_ms": 90, "checked_at": now},
        ],
    )
    results = api.get(_url(page, f"/{created['id']}/results")).json()["data"]
    assert [(r["location"], r["ok"]) for r in results] == [
        ("eu", True),
        ("us", False),
        ("eu", True),
    ]
    assert results[0]["id"].startswith("monr_")
    assert results[0]["monitor_id"] == created["id"]
    assert results[1]["error"] == "timeout" and results[1]["status_code"] is None
    assert set(results[0]) == {
        "id",
        "monitor_id",
        "location",
        "checked_at",
        "ok",
        "status_code",
        "latency_ms",
        "error",
    }
    eu = api.get(_url(page, f"/{created['id']}/results"), {"location": "eu"}).json()["data"]
    assert [r["latency_ms"] for r in eu] == [90, 80]
    since = (now - timedelta(seconds=90)).isoformat()
    recent = api.get(_url(page, f"/{created['id']}/results"), {"since": since}).json()["data"]
    assert len(recent) == 2
    bad = api.get(_url(page, f"/{created['id']}/results"), {"since": "yesterday"})
    assert bad.status_code == 400


def test_every_valid_key_reads_and_pages_write_is_needed_to_write(make_client, organization, page):
    writer = make_client(organization=organization, scopes="pages:write")
    reader = make_client(organization=organization, scopes="")
    created = _create(writer, page)
    assert reader.get(_url(page)).status_code == 200
    assert reader.get(_url(page, f"/{created['id']}")).status_code == 200
    assert reader.get(_url(page, f"/{created['id']}/results")).status_code == 200
    for response in (
        reader.post(_url(page), HTTP_MONITOR, format="json"),
        reader.patch(_url(page, f"/{created['id']}"), {"name": "x"}, format="json"),
        reader.delete(_url(page, f"/{created['id']}")),
        reader.post(_url(page, f"/{created['id']}/rotate-ping-url")),
    ):
        assert response.status_code == 403
    assert Monitor.objects.count() == 1


def test_another_organizations_monitors_are_404(make_client, api, page):
    created = _create(api, page)
    other = make_client(organization=OrganizationFactory(slug="other", name="Other"))
    assert other.get(_url(page)).status_code == 404
    assert other.get(_url(page, f"/{created['id']}")).status_code == 404
    assert (
        other.patch(_url(page, f"/{created['id']}"), {"name": "x"}, format="json").status_code
        == 404
    )
    assert other.delete(_url(page, f"/{created['id']}")).status_code == 404
    other_page = StatusPageFactory(organization=other.key.organization, slug="other")
    assert other.get(_url(other_page, f"/{created['id']}")).status_code == 404
    assert Monitor.objects.count() == 1


@pytest.mark.parametrize("count", [1, 6])
def test_lists_take_a_fixed_number_of_queries(api, page, count, django_assert_max_num_queries):
    component = ComponentFactory(page=page)
    for index in range(count):
        created = _create(api, page, name=f"M{index}", component_id=component.id)
        _create(api, page, {"name": f"H{index}", "kind": "heartbeat"})
        monitor_results_record(
            monitor_id=created["id"], results=[{"ok": True, "latency_ms": 10}] * 2
        )
    with django_assert_max_num_queries(6):
        assert len(api.get(_url(page)).json()["data"]) == 2 * count
    with django_assert_max_num_queries(7):
        assert len(api.get(_url(page, f"/{created['id']}/results")).json()["data"]) == 2
