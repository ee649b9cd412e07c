"""Monitoring tools' alerts open, extend and resolve incidents through an integration's secret
URL; each sender's payload (from its own documentation, in tests/integration_payloads) is
read as it documents it; re-sends change nothing."""

import copy
import datetime
import hashlib
import hmac
import json
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from incidents.models import Incident
from integrations.models import IntegrationEvent
from integrations.receiving import alert_groups_open_due
from integrations.tasks import alert_groups_open_due_task, alert_groups_purge_task
from notifications.models import NotificationEvent
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

PAYLOADS = Path(__file__).parent / "integration_payloads"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture
def checkout(page):
    return ComponentFactory(page=page, name="Checkout")


@pytest.fixture
def search(page):
    return ComponentFactory(page=page, name="Search")


@pytest.fixture
def connect(api, page, checkout):
    """Create an integration through the API; returns (its JSON, the inbound path)."""

    def make(kind="alertmanager", rules=None, **options):
        body = {
            "kind": kind,
            "name": f"{kind} alerts",
            "rules": rules
            if rules is not None
            else [{"match": {}, "component_ids": [checkout.id], "status": "major_outage"}],
            **options,
        }
        response = api.post(f"/api/v1/status-pages/{page.id}/integrations", body, format="json")
        assert response.status_code == 201, response.json()
        created = response.json()
        return created, created["inbound_url"].removeprefix(settings.PUBLIC_BASE_URL)

    return make


def send(client, path, body, **headers):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, raw, content_type="application/json", **headers)


def component_status(api, page, component) -> str:
    return api.get(f"/api/v1/status-pages/{page.id}/components/{component.id}").json()["status"]


def resolved(document: dict) -> dict:
    document = copy.deepcopy(document)
    document["status"] = "resolved"
    for alert in document["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2026-11-30T10:30:00Z"
    return document


def test_an_alertmanager_alert_opens_then_resolves_one_incident(
    client, api, page, checkout, search, connect
):
    _, path = connect(
        rules=[
            {
                "match": {"alertname": "Nothing"},
                "component_ids": [search.id],
                "status": "degraded_performance",
            },
            {
                "match": {"alertname": "HighErrorRate", "service": "~checkout.*"},
                "component_ids": [checkout.id],
                "status": "major_outage",
            },
        ],
        incident_name_template="{{ alertname }} on {{ service }}",
    )
    firing = payload("alertmanager_firing.json")

    answer = send(client, path, firing)
    assert answer.status_code == 202
    assert answer.json()["status"] == "matched"
    incident = Incident.objects.get()
    assert answer.json()["incident_id"] == incident.id
    assert incident.name == "HighErrorRate on checkout-eu"
    assert "5xx above 5% on checkout" in incident.updates.get().message
    assert component_status(api, page, checkout) == "major_outage"
    assert component_status(api, page, search) == "operational"
    assert NotificationEvent.objects.count() == 1

    again = send(client, path, firing)
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    assert Incident.objects.count() == 1 and NotificationEvent.objects.count() == 1

    assert send(client, path, resolved(firing)).json()["status"] == "matched"
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert component_status(api, page, checkout) == "operational"
    assert NotificationEvent.objects.count() == 2

    for late_copy in (firing, resolved(firing)):
        assert send(client, path, late_copy).json()["status"] == "duplicate"
    assert Incident.objects.count() == 1 and NotificationEvent.objects.count() == 2


def test_a_second_alert_of_the_group_adds_its_components_and_resolving_waits_for_both(
    client, api, page, checkout, search, connect
):
    _, path = connect(
        rules=[
            {
                "match": {"service": "search"},
                "component_ids": [search.id],
                "status": "partial_outage",
            },
            {"match": {}, "component_ids": [checkout.id], "status": "major_outage"},
        ]
    )
    firing = payload("alertmanager_firing.json")
    send(client, path, firing)
    second = copy.deepcopy(firing)
    extra = copy.deepcopy(firing["alerts"][0])
    extra.update(fingerprint="aa11", labels={"alertname": "HighErrorRate", "service": "search"})
    second["alerts"].append(extra)

    assert send(client, path, second).json()["status"] == "matched"
    incident = Incident.objects.get()
    assert component_status(api, page, search) == "partial_outage"

    one_recovered = copy.deepcopy(second)
    one_recovered["alerts"][0].update(status="resolved", endsAt="2026-11-30T10:30:00Z")
    send(client, path, one_recovered)
    incident.refresh_from_db()
    assert incident.status != "resolved", "the search alert still fires"
    assert component_status(api, page, checkout) == "operational"
    assert component_status(api, page, search) == "partial_outage"

    send(client, path, resolved(second))
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert Incident.objects.count() == 1


def test_unmatched_alerts_are_recorded_and_change_nothing(client, api, page, checkout, connect):
    created, path = connect(
        rules=[
            {
                "match": {"alertname": "DiskFull"},
                "component_ids": [checkout.id],
                "status": "degraded_performance",
            }
        ]
    )
    answer = send(client, path, payload("alertmanager_firing.json"))
    assert answer.status_code == 202 and answer.json()["status"] == "unmatched"
    assert not Incident.objects.exists()
    events = api.get(f"/api/v1/status-pages/{page.id}/integrations/{created['id']}/events").json()[
        "data"
    ]
    assert [e["status"] for e in events] == ["unmatched"]
    assert events[0]["id"].startswith("inte_") and events[0]["incident_id"] is None
    assert "HighErrorRate" in events[0]["summary"]


def test_never_auto_resolve_leaves_the_incident_for_a_human(client, page, checkout, connect):
    _, path = connect(
        rules=[
            {
                "match": {},
                "component_ids": [checkout.id],
                "status": "major_outage",
                "auto_resolve": False,
            }
        ]
    )
    firing = payload("alertmanager_firing.json")
    send(client, path, firing)
    send(client, path, resolved(firing))
    assert Incident.objects.get().status == "investigating"


def test_without_notify_subscribers_no_notification_is_recorded(client, page, checkout, connect):
    _, path = connect(notify_subscribers=False)
    firing = payload("alertmanager_firing.json")
    send(client, path, firing)
    send(client, path, resolved(firing))
    assert Incident.objects.get().status == "resolved"
    assert not NotificationEvent.objects.exists()


def test_a_debounced_alert_opens_only_once_it_has_fired_long_enough(
    client, page, checkout, connect, time_machine
):
    _, path = connect(open_after_seconds=300)
    firing = payload("alertmanager_firing.json")
    firing["alerts"][0]["startsAt"] = timezone.now().isoformat()
    assert send(client, path, firing).json()["incident_id"] is None
    assert alert_groups_open_due() == 0
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=301))
    assert alert_groups_open_due_task() == 1  # what beat runs every 10 s
    assert Incident.objects.get().status == "investigating"
    assert alert_groups_open_due() == 0


def test_a_flapping_alert_that_recovers_before_its_debounce_opens_nothing(
    client, page, checkout, connect, time_machine
):
    _, path = connect(open_after_seconds=300)
    firing = payload("alertmanager_firing.json")
    firing["alerts"][0]["startsAt"] = timezone.now().isoformat()
    send(client, path, firing)
    send(client, path, resolved(firing))
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=301))
    assert alert_groups_open_due() == 0
    assert not Incident.objects.exists()


def test_alert_state_of_quiet_groups_is_forgotten_after_a_week(
    client, page, checkout, connect, time_machine
):
    _, path = connect()
    firing = payload("alertmanager_firing.json")
    send(client, path, firing)
    send(client, path, resolved(firing))
    still_firing = copy.deepcopy(firing)
    still_firing["groupKey"] = "another group"
    send(client, path, still_firing)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=8))
    assert alert_groups_purge_task() == 1
    assert send(client, path, still_firing).json()["status"] == "duplicate"
    assert Incident.objects.count() == 2


def test_grafana_alerting_webhook_opens_and_resolves(client, api, page, checkout, connect):
    _, path = connect(
        kind="grafana",
        rules=[
            {
                "match": {"team": "blue", "zone": "~us-.*"},
                "component_ids": [checkout.id],
                "status": "partial_outage",
            }
        ],
    )
    firing = payload("grafana_firing.json")
    assert send(client, path, firing).json()["status"] == "matched"
    assert Incident.objects.get().name == "High memory usage"
    assert component_status(api, page, checkout) == "partial_outage"
    assert send(client, path, firing).json()["status"] == "duplicate"
    send(client, path, resolved(firing))
    assert Incident.objects.get().status == "resolved"
    assert NotificationEvent.objects.count() == 2


def test_grafana_signs_with_a_timestamp_and_may_use_put(client, page, checkout, connect):
    _, path = connect(kind="grafana", signing_secret="gf-secret")
    raw = json.dumps(payload("grafana_firing.json")).encode()
    now = str(int(timezone.now().timestamp()))

    def signed(timestamp):
        digest = hmac.new(b"gf-secret", f"{timestamp}:".encode() + raw, hashlib.sha256)
        return {
            "HTTP_X_GRAFANA_ALERTING_SIGNATURE": digest.hexdigest(),
            "HTTP_X_GRAFANA_ALERTING_TIMESTAMP": timestamp,
        }

    stale = str(int(now) - 3600)
    assert send(client, path, raw, **signed(stale)).status_code == 401
    assert send(client, path, raw + b" ", **signed(now)).status_code == 401
    answer = client.put(path, raw, content_type="application/json", **signed(now))
    assert answer.status_code == 202 and answer.json()["status"] == "matched"


def test_pagerduty_v3_webhook_with_its_signature(client, api, page, checkout, connect):
    _, path = connect(
        kind="pagerduty",
        signing_secret="pd-secret",
        rules=[
            {
                "match": {"service": "API Service", "urgency": "high"},
                "component_ids": [checkout.id],
                "status": "major_outage",
            }
        ],
    )
    triggered = payload("pagerduty_triggered.json")

    def signed(document):
        raw = json.dumps(document).encode()
        digest = hmac.new(b"pd-secret", raw, hashlib.sha256).hexdigest()
        return raw, {"HTTP_X_PAGERDUTY_SIGNATURE": f"v1=0000,v1={digest}"}

    unsigned = send(client, path, triggered)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["code"] == "unauthenticated"
    raw, headers = signed(triggered)
    assert send(client, path, raw, **headers).json()["status"] == "matched"
    assert Incident.objects.get().name == "A little bump in the road"
    assert send(client, path, raw, **headers).json()["status"] == "duplicate"

    resolved_event = copy.deepcopy(triggered)
    resolved_event["event"].update(id="01BZ4M6D8NXMV2JR0AU1UKP7OH", event_type="incident.resolved")
    raw, headers = signed(resolved_event)
    assert send(client, path, raw, **headers).json()["status"] == "matched"
    assert Incident.objects.get().status == "resolved"
    raw, headers = signed(triggered)  # a late retry of the trigger
    assert send(client, path, raw, **headers).json()["status"] == "duplicate"
    assert Incident.objects.count() == 1
    assert component_status(api, page, checkout) == "operational"

    acknowledged = copy.deepcopy(triggered)
    acknowledged["event"].update(
        id="01BZ4M6D8NXMV2JR0AU1UKP7OI", event_type="incident.acknowledged"
    )
    raw, headers = signed(acknowledged)
    assert send(client, path, raw, **headers).json()["status"] == "unmatched"


def test_datadog_webhook_triggered_and_recovered(client, api, page, checkout, connect):
    _, path = connect(
        kind="datadog",
        rules=[
            {
                "match": {"service": "checkout", "env": "prod"},
                "component_ids": [checkout.id],
                "status": "degraded_performance",
            }
        ],
    )
    triggered = payload("datadog_triggered.json")
    assert send(client, path, triggered).json()["status"] == "matched"
    assert Incident.objects.get().name == "High error rate on checkout"
    assert component_status(api, page, checkout) == "degraded_performance"
    assert send(client, path, triggered).json()["status"] == "duplicate"
    recovered = dict(
        triggered, id="7265102341234567999", alert_transition="Recovered", alert_type="success"
    )
    send(client, path, recovered)
    assert Incident.objects.get().status == "resolved"
    assert component_status(api, page, checkout) == "operational"


def test_uptime_robot_down_then_up_as_json_or_form_fields(client, api, page, checkout, connect):
    _, path = connect(
        kind="uptime_robot",
        rules=[
            {"match": {"monitor": "Shop"}, "component_ids": [checkout.id], "status": "major_outage"}
        ],
    )
    down = payload("uptime_robot_down.json")
    assert send(client, path, down).json()["status"] == "matched"
    assert Incident.objects.get().name == "Shop"
    up = dict(down, alertType="2", alertTypeFriendlyName="Up", alertDateTime="1764583500")
    form = client.post(
        path,
        "&".join(f"{key}={value}" for key, value in up.items()).replace(" ", "+"),
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 202
    assert Incident.objects.get().status == "resolved"


def test_generic_alert_with_hmac_signature(client, page, checkout, connect):
    _, path = connect(kind="generic", signing_secret="s3cret")
    body = json.dumps(
        {
            "id": "checkout-5xx",
            "status": "firing",
            "name": "HighErrorRate",
            "labels": {"service": "checkout"},
            "event_id": "e1",
        }
    ).encode()
    signature = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    wrong = send(client, path, body, HTTP_X_SIGNATURE_256="sha256=" + "0" * 64)
    assert wrong.status_code == 401
    answer = send(client, path, body, HTTP_X_SIGNATURE_256=f"sha256={signature}")
    assert answer.status_code == 202 and answer.json()["status"] == "matched"
    assert Incident.objects.get().name == "HighErrorRate"


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("alertmanager", b"not json"),
        ("alertmanager", b'{"version": "4", "alerts": []}'),
        ("alertmanager", b'{"version": "4", "groupKey": "g", "alerts": [{"status": "burning"}]}'),
        (
            "grafana",
            b'{"groupKey": "g", "alerts": [{"status": "firing", "startsAt": "yesterday"}]}',
        ),
        ("pagerduty", b'{"event": {"event_type": "incident.triggered"}}'),
        ("datadog", b'{"id": "1", "body": "no alert id"}'),
        ("uptime_robot", b'{"monitorFriendlyName": "Shop"}'),
        ("generic", b'{"id": "x", "status": "firing"}'),
        ("generic", b"[1, 2]"),
    ],
)
def test_an_unreadable_payload_is_a_400_kept_as_a_rejected_event(
    client, api, page, connect, kind, body
):
    created, path = connect(kind=kind)
    answer = send(client, path, body)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "parse_error"
    event = IntegrationEvent.objects.get()
    assert event.status == "rejected" and event.payload == body.decode()
    assert not Incident.objects.exists()


def test_unknown_and_rotated_tokens_are_404(client, api, page, connect):
    created, path = connect()
    assert send(client, "/integrations/nope", {}).status_code == 404
    rotated = api.post(f"/api/v1/status-pages/{page.id}/integrations/{created['id']}/rotate-token")
    assert rotated.status_code == 200
    new_path = rotated.json()["inbound_url"].removeprefix(settings.PUBLIC_BASE_URL)
    assert new_path != path
    old = send(client, path, payload("alertmanager_firing.json"))
    assert old.status_code == 404 and old.json()["error"]["code"] == "not_found"
    assert send(client, new_path, payload("alertmanager_firing.json")).status_code == 202


def test_only_the_last_hundred_events_are_kept(client, api, page, connect):
    created, path = connect(rules=[])
    for _ in range(103):
        send(client, path, payload("alertmanager_firing.json"))
    assert IntegrationEvent.objects.count() == 100


# ---- management API ---------------------------------------------------------------------------


def test_the_token_is_long_hashed_and_shown_only_on_create(api, page, connect):
    created, path = connect()
    token = path.removeprefix("/integrations/")
    assert len(token) >= 22  # 128 bits in base64url; ours carry 256
    assert created["id"].startswith("int_")
    stored = IntegrationEvent._meta.apps.get_model("integrations", "Integration").objects.get()
    assert token not in (stored.token_hash, stored.token_hint)
    shown = api.get(f"/api/v1/status-pages/{page.id}/integrations/{created['id']}").json()
    assert token not in json.dumps(shown)
    listed = api.get(f"/api/v1/status-pages/{page.id}/integrations").json()
    assert token not in json.dumps(listed)
    assert set(shown) >= {
        "id",
        "page_id",
        "kind",
        "name",
        "inbound_url",
        "rules",
        "notify_subscribers",
        "auto_resolve",
        "open_after_seconds",
        "created_at",
    }


def test_rules_are_checked(api, page, checkout):
    other_page_component = ComponentFactory(page=StatusPageFactory(organization=page.organization))
    url = f"/api/v1/status-pages/{page.id}/integrations"
    for rules in (
        [
            {
                "match": {"service": "~(unclosed"},
                "component_ids": [checkout.id],
                "status": "major_outage",
            }
        ],
        [{"match": {}, "component_ids": [other_page_component.id], "status": "major_outage"}],
        [{"match": {}, "component_ids": [checkout.id], "status": "operational"}],
        [{"match": {}, "component_ids": [], "status": "major_outage"}],
        [{"match": {}, "component_ids": [checkout.id], "status": "major_outage", "x": 1}],
    ):
        answer = api.post(url, {"kind": "generic", "name": "x", "rules": rules}, format="json")
        assert answer.status_code == 400, rules
        assert answer.json()["error"]["code"] == "validation_error"
    unsigned_kind = api.post(
        url, {"kind": "alertmanager", "name": "x", "signing_secret": "s"}, format="json"
    )
    assert unsigned_kind.status_code == 400


def test_patch_and_delete(api, page, checkout, connect):
    created, _ = connect()
    url = f"/api/v1/status-pages/{page.id}/integrations/{created['id']}"
    patched = api.patch(
        url, {"name": "Prod alerts", "auto_resolve": False, "open_after_seconds": 60}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "Prod alerts" and patched.json()["auto_resolve"] is False
    assert api.patch(url, {"kind": "generic"}, format="json").status_code == 400
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_managing_integrations_needs_incidents_write_and_stays_in_the_organization(
    make_client, api, page, connect
):
    created, _ = connect()
    url = f"/api/v1/status-pages/{page.id}/integrations"
    reader = make_client(organization=page.organization, scopes=[], name="reader")
    assert reader.get(url).status_code == 403
    assert reader.post(url, {"kind": "generic", "name": "x"}, format="json").json()["error"][
        "details"
    ] == {"required_scope": "incidents:write"}
    stranger = make_client(organization=OrganizationFactory(slug="other"), name="other")
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"{url}/{created['id']}").status_code == 404
    assert stranger.post(f"{url}/{created['id']}/rotate-token").status_code == 404


def test_creating_with_an_idempotency_key_twice_makes_one_integration(api, page):
    url = f"/api/v1/status-pages/{page.id}/integrations"
    body = {"kind": "generic", "name": "hook"}
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="int-1")
    second = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="int-1")
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert len(api.get(url).json()["data"]) == 1


@pytest.mark.parametrize("count", [1, 6])
def test_lists_take_a_fixed_number_of_queries(
    api, page, client, connect, count, django_assert_max_num_queries
):
    for _ in range(count):
        created, path = connect()
        send(client, path, payload("alertmanager_firing.json"))
    with django_assert_max_num_queries(6):
        assert len(api.get(f"/api/v1/status-pages/{page.id}/integrations").json()["data"]) == count
    with django_assert_max_num_queries(7):
        api.get(f"/api/v1/status-pages/{page.id}/integrations/{created['id']}/events")


RACERS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_alert_delivered_at_once_opens_one_incident(on_postgres, page, checkout, connect):
    _, path = connect()
    document = payload("alertmanager_firing.json")
    send(Client(), path, resolved(document))  # the group exists: only its lock orders them
    firing = json.dumps(document).encode()
    barrier = threading.Barrier(RACERS)
    answers = []

    def deliver():
        try:
            barrier.wait()
            answers.append(Client().post(path, firing, content_type="application/json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.json()["status"] for a in answers) == ["duplicate"] * (RACERS - 1) + ["matched"]
    assert Incident.objects.count() == 1
    assert NotificationEvent.objects.count() == 1
