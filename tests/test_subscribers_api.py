"""Management API: /api/v1/status-pages/{page_id}/subscribers and .../deliveries."""

import re

import pytest
from django.core import mail

from notifications.models import Delivery
from subscribers.models import Subscriber
from tests.factories import (
    ComponentFactory,
    OrganizationFactory,
    StatusPageFactory,
    SubscriberFactory,
)
from tests.notifications_support import (
    incident_event,
    incident_make,
    publish,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]

FIELDS = {
    "id",
    "channel",
    "email",
    "phone_number",
    "phone_country",
    "endpoint",
    "component_ids",
    "incident_id",
    "language",
    "confirmed_at",
    "quarantined_at",
    "created_at",
}


def _url(page, rest=""):
    return f"/api/v1/status-pages/{page.id}/subscribers{rest}"


def test_creating_a_webhook_subscriber_shows_its_signing_secret_once(api, page):
    response = api.post(
        _url(page), {"channel": "webhook", "endpoint": "https://127.0.0.1/h"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS | {"signing_secret"}
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", body["signing_secret"])
    assert body["id"].startswith("sub_") and len(body["id"]) >= 4 + 10 + 26
    assert body["confirmed_at"] is not None
    shown = api.get(_url(page, f"/{body['id']}")).json()
    assert set(shown) == FIELDS
    listed = api.get(_url(page)).json()
    assert "signing_secret" not in listed["data"][0]


def test_an_email_subscriber_gets_a_confirmation_link_and_nothing_else_until_confirmed(
    api, page, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            _url(page), {"channel": "email", "email": "ann@example.com"}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["confirmed_at"] is None and "signing_secret" not in response.json()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.com"]
    link = re.search(r"http://\S+/subscriptions/confirm/\S+", mail.outbox[0].body).group(0)
    publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    assert len(mail.outbox) == 1 and not Delivery.objects.exists()
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200  # a button, not yet confirmed
    assert Subscriber.objects.get().confirmed_at is None
    assert client.post("/" + path).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None
    publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    assert len(mail.outbox) == 2 and Delivery.objects.get().status == "sent"


def test_operators_may_create_confirmed_subscribers(api, page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            _url(page),
            {
                "channel": "sms",
                "phone_number": "415 555 0100",
                "phone_country": "US",
                "confirmed": True,
            },
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["confirmed_at"] is not None and body["phone_number"] == "+14155550100"
    assert body["email"] is None and body["endpoint"] is None
    assert mail.outbox == []


def test_resend_confirmation(api, page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sub_id = api.post(
            _url(page), {"channel": "email", "email": "a@example.com"}, format="json"
        ).json()["id"]
        assert api.post(_url(page, f"/{sub_id}/resend-confirmation")).status_code == 202
    assert len(mail.outbox) == 2
    webhook = SubscriberFactory(page=page)
    response = api.post(_url(page, f"/{webhook.id}/resend-confirmation"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"channel": "email"}, "email"),
        ({"channel": "email", "email": "not-an-email"}, "email"),
        ({"channel": "sms", "phone_number": "12345"}, "phone_number"),
        ({"channel": "webhook"}, "endpoint"),
        ({"channel": "webhook", "endpoint": "javascript:alert(1)"}, "endpoint"),
        ({"channel": "slack", "endpoint": "ftp://127.0.0.1/x"}, "endpoint"),
        ({"channel": "pigeon", "email": "a@example.com"}, "channel"),
        (
            {"channel": "email", "email": "a@example.com", "component_ids": ["cmp_nope"]},
            "component_ids",
        ),
        ({"channel": "email", "email": "a@example.com", "incident_id": "inc_nope"}, "incident_id"),
        ({"channel": "email", "email": "a@example.com", "colour": "red"}, "colour"),
    ],
)
def test_invalid_subscribers_are_a_400_naming_the_field(api, page, body, field):
    response = api.post(_url(page), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]


def test_subscribing_an_internal_address_is_refused_when_private_networks_are_off(
    api, page, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    for endpoint in ("https://127.0.0.1/h", "https://[::ffff:10.0.0.1]/h", "http://8.8.8.8/h"):
        response = api.post(_url(page), {"channel": "webhook", "endpoint": endpoint}, format="json")
        assert response.status_code == 400, endpoint
        assert "endpoint" in response.json()["error"]["details"]


def test_patch_changes_components_and_lifts_quarantine(api, page):
    from django.utils import timezone

    component = ComponentFactory(page=page)
    subscriber = SubscriberFactory(
        page=page, quarantined_at=timezone.now(), consecutive_failures=10
    )
    response = api.patch(
        _url(page, f"/{subscriber.id}"),
        {"component_ids": [component.id], "quarantined": False},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["component_ids"] == [component.id]
    assert response.json()["quarantined_at"] is None
    subscriber.refresh_from_db()
    assert subscriber.consecutive_failures == 0


def test_delete_unsubscribes(api, page):
    subscriber = SubscriberFactory(page=page)
    assert api.delete(_url(page, f"/{subscriber.id}")).status_code == 204
    assert api.get(_url(page, f"/{subscriber.id}")).status_code == 404


def test_scopes_read_and_write(make_client, organization, page):
    subscriber = SubscriberFactory(page=page)
    nothing = make_client(organization=organization, scopes="")
    reader = make_client(organization=organization, scopes="subscribers:read")
    writer = make_client(organization=organization, scopes="subscribers:write")
    for path in (
        _url(page),
        _url(page, f"/{subscriber.id}"),
        f"/api/v1/status-pages/{page.id}/deliveries",
    ):
        response = nothing.get(path)
        assert response.status_code == 403
        assert response.json()["error"]["details"]["required_scope"] == "subscribers:read"
        assert reader.get(path).status_code == 200
        assert writer.get(path).status_code == 200  # write implies read
    response = reader.post(
        _url(page), {"channel": "webhook", "endpoint": "https://127.0.0.1/"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["details"]["required_scope"] == "subscribers:write"
    assert reader.delete(_url(page, f"/{subscriber.id}")).status_code == 403
    assert writer.delete(_url(page, f"/{subscriber.id}")).status_code == 204


def test_another_organizations_subscribers_are_404(api, page):
    other_page = StatusPageFactory(organization=OrganizationFactory(slug="globex"))
    subscriber = SubscriberFactory(page=other_page)
    assert api.get(_url(other_page)).status_code == 404
    assert api.get(_url(page, f"/{subscriber.id}")).status_code == 404
    assert api.delete(_url(page, f"/{subscriber.id}")).status_code == 404


def test_list_is_cursor_paginated_in_a_fixed_number_of_queries(
    api, page, django_assert_max_num_queries
):
    for size in (3, 30):
        Subscriber.objects.all().delete()
        SubscriberFactory.create_batch(size, page=page)
        seen, after = [], None
        with django_assert_max_num_queries(8):
            body = api.get(_url(page), {"page_size": 10}).json()
        while True:
            seen += [item["id"] for item in body["data"]]
            after = body["pagination"]["next_cursor"]
            if after is None:
                break
            body = api.get(_url(page), {"page_size": 10, "after": after}).json()
        assert len(seen) == len(set(seen)) == size


def test_deliveries_list_filters_and_shows_attempts(
    api, page, httpserver, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    httpserver.expect_request("/ok").respond_with_data("ok")
    httpserver.expect_request("/bad").respond_with_data("no", status=404)
    good = SubscriberFactory(page=page, endpoint=httpserver.url_for("/ok"))
    bad = SubscriberFactory(page=page, endpoint=httpserver.url_for("/bad"))
    first, second = incident_make(page), incident_make(page)
    publish(django_capture_on_commit_callbacks, incident_event(page, first))
    publish(django_capture_on_commit_callbacks, incident_event(page, second))
    url = f"/api/v1/status-pages/{page.id}/deliveries"
    with django_assert_max_num_queries(8):
        everything = api.get(url).json()["data"]
    assert len(everything) == 4
    for _ in range(5):  # a larger list costs the same number of queries
        publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    with django_assert_max_num_queries(8):
        assert len(api.get(url).json()["data"]) == 14
    assert set(everything[0]) == {
        "id",
        "subscriber_id",
        "incident_id",
        "maintenance_id",
        "event",
        "status",
        "attempts",
        "last_error",
        "response_code",
        "created_at",
        "sent_at",
    }
    failed = api.get(url, {"status": "failed"}).json()["data"]
    assert [(d["subscriber_id"], d["response_code"], d["attempts"]) for d in failed][-2:] == [
        (bad.id, 404, 1),
        (bad.id, 404, 1),
    ]
    assert failed[0]["last_error"] == "HTTP 404" and failed[0]["sent_at"] is None
    mine = api.get(url, {"subscriber_id": good.id, "incident_id": first.id}).json()["data"]
    assert len(mine) == 1 and mine[0]["status"] == "sent" and mine[0]["event"] == "incident_created"
    assert api.get(url, {"status": "bogus"}).status_code == 400


def test_openapi_documents_the_subscriber_operations(api):
    schema = api.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/status-pages/{page_id}/subscribers" in paths
    assert "/api/v1/status-pages/{page_id}/deliveries" in paths
    create = paths["/api/v1/status-pages/{page_id}/subscribers"]["post"]
    assert create["x-required-scope"] == "subscribers:write"
    assert paths["/api/v1/status-pages/{page_id}/deliveries"]["get"]["x-required-scope"] == (
        "subscribers:read"
    )
