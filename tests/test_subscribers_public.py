"""Public Statuspage-style subscriber endpoints, and the confirm/unsubscribe links."""

import re

import pytest
from django.core import mail
from django.test import Client

from notifications.models import Delivery
from subscribers.links import unsubscribe_url
from subscribers.models import Subscriber
from tests.factories import ComponentFactory, StatusPageFactory, SubscriberFactory
from tests.notifications_support import (
    incident_event,
    incident_make,
    publish,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]
API = "/pages/acme/api/v2"


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_subscribing_by_form_fields_sends_a_confirmation_email(
    page, client, django_capture_on_commit_callbacks
):
    component = ComponentFactory(page=page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/subscribers.json",
            {
                "subscriber[email]": "ann@example.com",
                "subscriber[component_ids][]": [component.id],
            },
        )
    assert response.status_code == 201
    body = response.json()["subscriber"]
    assert body["mode"] == "email" and body["email"] == "ann@example.com"
    assert body["component_ids"] == [component.id]
    assert body["id"].startswith("sub_") and len(body["id"]) == 4 + 10 + 26
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/subscriptions/confirm/\S+", mail.outbox[0].body).group(0)
    assert Subscriber.objects.get().confirmed_at is None
    assert client.post(_path(link)).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None


def test_subscribing_by_json_and_by_host(page, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_BASE_DOMAIN = "status.test"
    client = Client(HTTP_HOST="acme.status.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v2/subscribers.json",
            {"subscriber": {"phone_number": "+447911123456"}},
            content_type="application/json",
        )
    assert response.status_code == 201
    assert response.json()["subscriber"]["mode"] == "sms"
    assert Subscriber.objects.get().page == page


def test_subscribing_twice_reveals_nothing(page, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"{API}/subscribers.json", {"subscriber[email]": "ann@example.com"})
    client.post(_path(re.search(r"http://\S+", mail.outbox[0].body).group(0)))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(f"{API}/subscribers.json", {"subscriber[email]": "ann@example.com"})
    strip = {"id", "created_at"}
    assert first.status_code == second.status_code == 201
    assert {k: v for k, v in first.json()["subscriber"].items() if k not in strip} == {
        k: v for k, v in second.json()["subscriber"].items() if k not in strip
    }
    assert len(mail.outbox) == 2
    # Confirming the second replaces the first: one message per publish, not two.
    client.post(_path(re.search(r"http://\S+", mail.outbox[1].body).group(0)))
    assert Subscriber.objects.filter(confirmed_at__isnull=False).count() == 1
    publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    assert len(mail.outbox) == 3


def test_a_public_webhook_subscription_is_active_and_gets_its_secret(
    page, client, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    response = client.post(
        f"{API}/subscribers.json",
        {
            "subscriber[endpoint]": httpserver.url_for("/hook"),
            "subscriber[email]": "ops@example.com",
        },
    )
    assert response.status_code == 201
    assert response.json()["subscriber"]["signing_secret"].startswith("whsec_")
    publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    assert len(httpserver.log) == 1


def test_a_webhook_needs_a_contact_email_and_a_safe_url(page, client, settings):
    response = client.post(f"{API}/subscribers.json", {"subscriber[endpoint]": "https://x.test/"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    response = client.post(
        f"{API}/subscribers.json",
        {"subscriber[endpoint]": "http://169.254.169.254/latest", "subscriber[email]": "a@b.co"},
    )
    assert response.status_code == 400 and "endpoint" in response.json()["error"]["details"]


def test_incident_subscription_only_for_unresolved_incidents(page, client):
    open_incident = incident_make(page)
    resolved = incident_make(page, status="resolved")
    ok = client.post(
        f"{API}/incidents/{open_incident.id}/subscribers.json",
        {"subscriber[email]": "a@example.com"},
    )
    assert ok.status_code == 201 and ok.json()["subscriber"]["incident_id"] == open_incident.id
    refused = client.post(
        f"{API}/incidents/{resolved.id}/subscribers.json", {"subscriber[email]": "a@example.com"}
    )
    assert refused.status_code == 400
    other_page_incident = incident_make(StatusPageFactory(organization=page.organization))
    assert (
        client.post(
            f"{API}/incidents/{other_page_incident.id}/subscribers.json",
            {"subscriber[email]": "a@example.com"},
        ).status_code
        == 404
    )


def test_patch_and_delete_by_id(page, client):
    component = ComponentFactory(page=page)
    subscriber = SubscriberFactory(page=page)
    response = client.patch(
        f"{API}/subscribers/{subscriber.id}.json",
        {"subscriber": {"component_ids": [component.id]}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["subscriber"]["component_ids"] == [component.id]
    assert client.delete(f"{API}/subscribers/{subscriber.id}.json").status_code == 204
    assert client.delete(f"{API}/subscribers/{subscriber.id}.json").status_code == 404


def test_another_pages_subscriber_cannot_be_changed(page, client):
    other = SubscriberFactory(page=StatusPageFactory(organization=page.organization))
    assert client.delete(f"{API}/subscribers/{other.id}.json").status_code == 404
    assert Subscriber.objects.filter(id=other.id).exists()


def test_subscribers_are_never_listed(page, client):
    SubscriberFactory(page=page)
    for path in (f"{API}/subscribers.json", f"{API}/subscribers"):
        response = client.get(path)
        assert response.status_code in (404, 405)
        assert "sub_" not in response.content.decode()


def test_public_subscribing_is_rate_limited_per_address(page, settings):
    settings.PUBLIC_SUBSCRIBE_RATE_LIMIT = "3/min"
    one, other = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    codes = [
        one.post(f"{API}/subscribers.json", {"subscriber[email]": f"{n}@example.com"}).status_code
        for n in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    limited = one.post(f"{API}/subscribers.json", {"subscriber[email]": "x@example.com"})
    assert limited["Retry-After"] and limited.json()["error"]["code"] == "rate_limited"
    assert (
        other.post(f"{API}/subscribers.json", {"subscriber[email]": "y@example.com"}).status_code
        == 201
    )


def test_resend_confirmation_answers_the_same_whatever_the_id(
    page, client, django_capture_on_commit_callbacks
):
    pending = SubscriberFactory(
        page=page, channel="email", email="a@example.com", endpoint="", confirmed_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(f"/pages/acme/resend_confirmation/{pending.id}")
        unknown = client.post("/pages/acme/resend_confirmation/sub_nothing")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.com"]


def test_unsubscribe_link_shows_a_button_then_unsubscribes(page, client):
    subscriber = SubscriberFactory(page=page, channel="email", email="a@example.com", endpoint="")
    path = _path(unsubscribe_url(subscriber.id))
    page_html = client.get(path)
    assert page_html.status_code == 200 and b'<form method="post">' in page_html.content
    assert Subscriber.objects.filter(id=subscriber.id).exists()
    assert client.post(path).status_code == 200
    assert not Subscriber.objects.filter(id=subscriber.id).exists()
    assert client.post(path).status_code == 200  # idempotent


def test_one_click_unsubscribe_from_a_mail_client(page, client, django_capture_on_commit_callbacks):
    subscriber = SubscriberFactory(page=page, channel="email", email="a@example.com", endpoint="")
    publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    target = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    response = client.post(
        _path(target),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscriber.objects.filter(id=subscriber.id).exists()
    assert Delivery.objects.get().subscriber_id == subscriber.id


def test_tampered_links_do_nothing(page, client):
    subscriber = SubscriberFactory(
        page=page, channel="email", email="a@example.com", endpoint="", confirmed_at=None
    )
    assert client.post("/subscriptions/confirm/" + subscriber.id).status_code == 404
    assert client.post(_path(unsubscribe_url(subscriber.id)) + "x").status_code == 200
    assert Subscriber.objects.get().confirmed_at is None
    assert Subscriber.objects.filter(id=subscriber.id).exists()


def test_link_pages_escape_what_subscribers_typed(page, client):
    page.name = "<script>alert(1)</script>"
    page.save()
    subscriber = SubscriberFactory(page=page, channel="email", email="a@example.com", endpoint="")
    html = client.get(_path(unsubscribe_url(subscriber.id))).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_resend_confirmation_by_host(page, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_BASE_DOMAIN = "status.test"
    pending = SubscriberFactory(
        page=page, channel="email", email="a@example.com", endpoint="", confirmed_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(HTTP_HOST="acme.status.test").post(f"/resend_confirmation/{pending.id}")
    assert response.status_code == 200 and len(mail.outbox) == 1
