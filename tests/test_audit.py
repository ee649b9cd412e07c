"""After an incident someone asks "who changed that component, and when?": the activity log
answers, for writes through the API, the admin and periodic tasks, and keeps no secret."""

import csv
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from accounts.models import ApiKey, Scope
from audit.context import acting
from audit.models import AuditEvent
from audit.tasks import audit_events_purge
from maintenances.services import maintenance_create
from maintenances.tasks import maintenances_auto_transition_task
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit-events"


def _page_url(page, rest=""):
    return f"/api/v1/status-pages/{page.id}{rest}"


@pytest.fixture
def checkout(page):
    return ComponentFactory(page=page, name="Checkout")


def test_an_api_write_records_the_key_the_change_and_where_it_came_from(api, page, checkout):
    response = api.patch(
        _page_url(page, f"/components/{checkout.id}"),
        {"status": "major_outage"},
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200
    events = api.get(EVENTS, {"object_id": checkout.id, "action": "component.updated"}).json()[
        "data"
    ]
    assert len(events) == 1
    event = events[0]
    assert event["id"].startswith("aud_")
    assert event["actor"] == {"type": "api_key", "id": api.key.id, "name": "test key"}
    assert event["action"] == "component.updated"
    assert event["object"] == {"type": "component", "id": checkout.id}
    assert event["changes"] == {"manual_status": ["operational", "major_outage"]}
    assert event["request_id"] == "req-123"
    assert event["client_ip"] == "203.0.113.9"
    assert event["occurred_at"].endswith("Z")


def test_opening_an_incident_records_the_incident_and_its_first_update(api, page, checkout):
    incident = api.post(
        _page_url(page, "/incidents"),
        {"name": "Checkout down", "message": "Looking."},
        HTTP_IDEMPOTENCY_KEY="aud-1",
    ).json()
    actions = {e["action"] for e in api.get(EVENTS, {"object_id": incident["id"]}).json()["data"]}
    assert actions == {"incident.created"}
    created = api.get(EVENTS, {"action": "incident.created"}).json()["data"][0]
    assert created["changes"]["name"] == [None, "Checkout down"]
    update = api.get(EVENTS, {"action": "incident_update.created"}).json()["data"][0]
    assert update["changes"]["message"] == [None, "Looking."]


def test_a_rolled_back_write_leaves_no_entry(api, page, checkout):
    start = timezone.now() + timedelta(days=1)
    maintenance = maintenance_create(
        page=page, name="Upgrade", start_at=start, end_at=start + timedelta(hours=1)
    )
    before = AuditEvent.objects.count()
    # The name is saved before the unknown component is found; the whole write is undone.
    response = api.patch(
        _page_url(page, f"/maintenances/{maintenance.id}"),
        {"name": "Renamed", "component_ids": ["cmp_unknown"]},
    )
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(changes__name=["Upgrade", "Renamed"]).exists()


def test_secrets_never_appear_in_the_log(api, make_client, organization, page, allow_private):
    key = make_client(organization=organization, name="deploy bot").key
    hooked = api.post(
        _page_url(page, "/subscribers"),
        {"channel": "webhook", "endpoint": "https://127.0.0.1/hook?token=s3cret"},
        format="json",
    ).json()
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert ApiKey.objects.get(id=key.id).secret_hash not in stored
    assert hooked["signing_secret"] not in stored
    assert "s3cret" not in stored
    created = AuditEvent.objects.get(action="api_key.created", object_id=key.id)
    assert created.changes["secret_hash"] == ["[secret]", "[secret]"]
    assert created.changes["name"] == [None, "deploy bot"]


def test_reading_the_log_needs_audit_read_which_all_includes(make_client, organization, page):
    assert Scope.AUDIT_READ in make_client(organization=organization).key.scopes
    writer = make_client(organization=organization, scopes="incidents:write,pages:write")
    response = writer.get(EVENTS)
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required_scope": "audit:read"}
    assert (
        make_client(organization=organization, scopes="audit:read").get(EVENTS).status_code == 200
    )


def test_another_organizations_events_and_other_pages_stay_hidden(
    api, make_client, organization, page, checkout
):
    other = OrganizationFactory(slug="globex")
    foreign = ComponentFactory(page=StatusPageFactory(organization=other, slug="globex"))
    second_page = StatusPageFactory(organization=organization, slug="second")
    elsewhere = ComponentFactory(page=second_page)
    seen = {e["object"]["id"] for e in api.get(EVENTS, {"page_size": 250}).json()["data"]}
    assert checkout.id in seen and elsewhere.id in seen and foreign.id not in seen
    limited = make_client(organization=organization, scopes="audit:read", page_ids=[page.id])
    seen = {e["object"]["id"] for e in limited.get(EVENTS, {"page_size": 250}).json()["data"]}
    assert checkout.id in seen and elsewhere.id not in seen


def test_filters_by_actor_action_object_and_time(api, make_client, organization, page, checkout):
    bot = make_client(organization=organization, name="bot")
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        bot.patch(_page_url(page, f"/components/{checkout.id}"), {"status": "partial_outage"})
    api.patch(_page_url(page, f"/components/{checkout.id}"), {"status": "operational"})

    def actions(**query):
        query = {"object_id": checkout.id, "action": "component.updated", **query}
        data = api.get(EVENTS, query).json()["data"]
        return [(e["actor"]["name"], e["changes"]["manual_status"][1]) for e in data]

    assert actions() == [("test key", "operational"), ("bot", "partial_outage")]
    assert actions(actor=bot.key.id) == [("bot", "partial_outage")]
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert actions(since=since) == [("test key", "operational")]
    assert actions(until=since) == [("bot", "partial_outage")]
    assert api.get(EVENTS, {"action": "component.deleted"}).json()["data"] == []
    assert api.get(EVENTS, {"since": "yesterday"}).status_code == 400
    assert api.get(EVENTS, {"who": "me"}).status_code == 400


def test_the_log_is_cursor_paginated_in_a_fixed_number_of_queries(
    api, page, django_assert_max_num_queries
):
    for size in (3, 40):
        AuditEvent.objects.all().delete()
        ComponentFactory.create_batch(size, page=page)
        seen, after = [], None
        with django_assert_max_num_queries(5):
            body = api.get(EVENTS, {"page_size": 10}).json()
        while True:
            seen += [item["id"] for item in body["data"]]
            after = body["pagination"]["next_cursor"]
            if after is None:
                break
            body = api.get(EVENTS, {"page_size": 10, "after": after}).json()
        assert len(seen) == len(set(seen)) == size


def test_a_periodic_task_acts_as_the_system(page, checkout, api):
    start = timezone.now() + timedelta(minutes=1)
    maintenance = maintenance_create(
        page=page, name="Window", start_at=start, end_at=start + timedelta(hours=1)
    )
    with time_machine.travel(start + timedelta(minutes=1)):
        maintenances_auto_transition_task()
    event = AuditEvent.objects.filter(object_id=maintenance.id, changes__has_key="status").latest(
        "occurred_at"
    )
    assert (event.actor_type, event.actor_id) == ("system", "system")
    assert event.changes["status"] == ["scheduled", "in_progress"]


def test_an_integration_names_itself_as_the_actor(page, checkout):
    from audit.actors import Actor
    from statuspages.services import component_update

    with acting(actor=Actor(type="integration", id="int_1", name="Alertmanager")):
        component_update(component=checkout, manual_status="major_outage")
    event = AuditEvent.objects.get(object_id=checkout.id, action="component.updated")
    assert (event.actor_type, event.actor_name) == ("integration", "Alertmanager")


def test_old_events_are_purged_after_the_retention_period(page, checkout, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        old = ComponentFactory(page=page, name="Old")
    recent = AuditEvent.objects.exclude(object_id=old.id).count()
    assert audit_events_purge() == 1
    assert AuditEvent.objects.count() == recent
    assert not AuditEvent.objects.filter(object_id=old.id).exists()
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "audit.tasks.audit_events_purge" in schedule


def test_retention_defaults_to_400_days():
    assert settings.AUDIT_RETENTION_DAYS == 400


# ---- admin ----------------------------------------------------------------------------------


def test_an_admin_change_records_the_member(operator, page, checkout):
    response = operator.post(
        f"/admin/statuspages/component/{checkout.id}/change/",
        {
            "name": "Checkout API",
            "description": "",
            "group": "",
            "position": checkout.position,
            "manual_status": "operational",
            "showcase": "on",
        },
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_id=checkout.id, action="component.updated")
    assert event.actor_type == "member"
    assert event.actor_id == page.organization.memberships.get().id
    assert event.actor_id.startswith("mem_")
    assert event.actor_name == "olivia"
    assert event.changes == {"name": ["Checkout", "Checkout API"]}
    assert event.client_ip == "198.51.100.7" and event.request_id


def test_the_admin_log_is_read_only_filtered_and_exported_as_csv(operator, page, checkout):
    other = ComponentFactory(page=StatusPageFactory(organization=OrganizationFactory(slug="x")))
    listing = operator.get("/admin/audit/auditevent/", {"action": "component.created"})
    assert listing.status_code == 200
    shown = {event.object_id for event in listing.context["cl"].result_list}
    assert checkout.id in shown and other.id not in shown
    assert operator.get("/admin/audit/auditevent/add/").status_code == 403
    event = AuditEvent.objects.get(object_id=checkout.id)
    change = operator.post(f"/admin/audit/auditevent/{event.id}/change/", {"action": "x"})
    assert change.status_code == 403
    assert AuditEvent.objects.get(id=event.id).action == "component.created"

    export = operator.get("/admin/audit/auditevent/export.csv", {"action": "component.created"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [row["object_id"] for row in rows] == [checkout.id]
    assert rows[0]["actor_type"] == "system"

    action = operator.post(
        "/admin/audit/auditevent/",
        {"action": "export_csv", "_selected_action": [event.id]},
    )
    assert action["Content-Type"].startswith("text/csv")
    assert checkout.id in b"".join(action.streaming_content).decode()


def test_a_public_subscription_is_recorded_as_an_anonymous_visitor(client, page):
    response = client.post(
        "/pages/acme/api/v2/subscribers.json",
        {"subscriber": {"email": "reader@example.com"}},
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    event = AuditEvent.objects.get(action="subscriber.created")
    assert (event.actor_type, event.actor_id) == ("system", "anonymous")


def test_a_maintenances_components_are_recorded_as_they_change(api, page, checkout):
    start = timezone.now() + timedelta(days=1)
    maintenance = maintenance_create(
        page=page, name="Upgrade", start_at=start, end_at=start + timedelta(hours=1)
    )
    api.patch(_page_url(page, f"/maintenances/{maintenance.id}"), {"component_ids": [checkout.id]})
    event = AuditEvent.objects.get(object_id=maintenance.id, changes__has_key="components")
    assert event.changes == {"components": [[], [checkout.id]]}
    assert event.actor_type == "api_key"


def test_deleting_a_component_records_what_it_was_but_not_its_cascade(api, page, checkout):
    assert api.delete(_page_url(page, f"/components/{checkout.id}")).status_code == 204
    event = AuditEvent.objects.get(action="component.deleted")
    assert event.object_id == checkout.id
    assert event.changes["name"] == ["Checkout", None]
    ComponentFactory(page=page, name="Search")
    assert api.delete(_page_url(page)).status_code == 204
    deleted = set(AuditEvent.objects.filter(action__endswith=".deleted").values_list("action"))
    assert deleted == {("component.deleted",), ("status_page.deleted",)}
    assert AuditEvent.objects.filter(action="component.deleted").count() == 1
