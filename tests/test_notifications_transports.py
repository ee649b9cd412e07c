"""Every channel's message as the receiver sees it: a local HTTP sink and the locmem mail box."""

import base64
import hmac
import json
import re
import time

import pytest
from django.core import mail
from werkzeug import Response

from notifications.models import Delivery, EventKind
from statuspages.publishing import PublishedEvent
from subscribers.models import Subscriber
from tests.factories import ComponentFactory, SubscriberFactory
from tests.notifications_support import (
    TWILIO_MESSAGES_PATH,
    incident_event,
    incident_make,
    publish,
)
from tests.test_public_api import INCIDENT_KEYS, UPDATE_KEYS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


def _publish_incident(page, capture, message="Writes are failing."):
    component = ComponentFactory(page=page, name="Database")
    incident = incident_make(page, name="Database <down>")
    publish(capture, incident_event(page, incident, components=[component], message=message))
    return incident, component


def _only_request(httpserver):
    assert len(httpserver.log) == 1
    request, response = httpserver.log[0]
    return request


def _verify_standard_webhook(secret: str, headers, body: bytes) -> bool:
    """An independent Standard Webhooks verifier (as the spec's reference libraries do it)."""
    key = base64.b64decode(secret.split("_", 1)[1])
    to_sign = b".".join(
        [headers["webhook-id"].encode(), headers["webhook-timestamp"].encode(), body]
    )
    expected = base64.b64encode(hmac.digest(key, to_sign, "sha256")).decode()
    signatures = [
        s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, s) for s in signatures)


def test_webhook_is_a_signed_statuspage_style_json_post(
    page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    subscriber = SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    incident, component = _publish_incident(page, django_capture_on_commit_callbacks)
    request = _only_request(httpserver)
    delivery = Delivery.objects.get()
    assert request.headers["webhook-id"] == delivery.id
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    assert _verify_standard_webhook(subscriber.signing_secret, request.headers, request.get_data())
    assert not _verify_standard_webhook(
        SubscriberFactory(page=page).signing_secret, request.headers, request.get_data()
    )
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("StatusPageNotifier/")
    body = json.loads(request.get_data())
    # Statuspage's webhook body; ``meta.event``/``event_id`` and ``page.name``/``url`` are ours.
    assert set(body) == {"meta", "page", "incident"}
    assert set(body["meta"]) == {"unsubscribe", "documentation", "event", "event_id"}
    assert set(body["page"]) == {"id", "status_indicator", "status_description", "name", "url"}
    assert body["page"]["id"] == page.id
    assert body["page"]["status_indicator"] == "major"
    assert body["page"]["status_description"] == "Partial System Outage"
    assert body["meta"]["unsubscribe"].startswith("http")
    assert set(body["incident"]) == INCIDENT_KEYS
    assert body["incident"]["id"] == incident.id
    assert body["incident"]["page_id"] == page.id
    assert body["incident"]["name"] == "Database <down>"
    assert body["incident"]["shortlink"] == incident.shortlink
    assert [c["id"] for c in body["incident"]["components"]] == [component.id]
    (update,) = body["incident"]["incident_updates"]
    assert set(update) == UPDATE_KEYS
    assert update["body"] == "Writes are failing."
    assert update["status"] == "investigating"
    assert update["incident_id"] == incident.id
    assert update["affected_components"] == [
        {
            "code": component.id,
            "name": "Database",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    assert delivery.status == "sent" and delivery.response_code == 200 and delivery.attempts == 1


def test_email_has_text_html_one_click_unsubscribe_and_message_id(
    page, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, channel="email", email="ops@example.com", endpoint="")
    _publish_incident(page, django_capture_on_commit_callbacks, message="Writes <b>fail</b>.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    delivery = Delivery.objects.get()
    assert message.to == ["ops@example.com"]
    assert message.subject == "[Acme] Database <down> - Investigating"
    assert "Writes <b>fail</b>." in message.body
    html = message.alternatives[0][0]
    assert "Writes &lt;b&gt;fail&lt;/b&gt;." in html and "Database &lt;down&gt;" in html
    assert message.extra_headers["Message-ID"].startswith(f"<{delivery.id}@")
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/subscriptions/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert delivery.status == "sent"


def test_sms_goes_through_twilios_messages_api(page, twilio, django_capture_on_commit_callbacks):
    twilio.expect_request(TWILIO_MESSAGES_PATH, method="POST").respond_with_json(
        {"sid": "SM1", "status": "queued"}, status=201
    )
    SubscriberFactory(page=page, channel="sms", phone_number="+14155550100", endpoint="")
    _publish_incident(page, django_capture_on_commit_callbacks)
    request = _only_request(twilio)
    assert request.authorization.username == "AC123"
    assert request.authorization.password == "token"
    assert request.form["To"] == "+14155550100"
    assert request.form["From"] == "+15005550006"
    assert "Database <down>" in request.form["Body"]
    assert Delivery.objects.get().response_code == 201


def test_sms_is_logged_by_default(page, caplog, django_capture_on_commit_callbacks):
    SubscriberFactory(page=page, channel="sms", phone_number="+14155550100", endpoint="")
    with caplog.at_level("INFO", logger="channels.transports.sms"):
        _publish_incident(page, django_capture_on_commit_callbacks)
    assert "SMS to +14155550100" in caplog.text
    assert Delivery.objects.get().status == "sent"


@pytest.mark.parametrize("channel", ["slack", "teams", "discord", "google_chat"])
def test_chat_platforms_get_their_incoming_webhook_format(
    channel, page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/chat", method="POST").respond_with_data("", status=204)
    SubscriberFactory(
        page=page, channel=channel, endpoint=httpserver.url_for("/chat"), signing_secret=""
    )
    _publish_incident(page, django_capture_on_commit_callbacks)
    body = json.loads(_only_request(httpserver).get_data())
    if channel == "slack":
        assert body["text"] == "[Acme] Database &lt;down&gt; - Investigating"
        assert body["blocks"][0]["type"] == "section"
        assert "Writes are failing." in body["blocks"][0]["text"]["text"]
    elif channel == "teams":
        card = body["attachments"][0]
        assert body["type"] == "message"
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["type"] == "AdaptiveCard"
        assert card["content"]["body"][0]["text"] == "Database <down>"
    elif channel == "discord":
        assert body["embeds"][0]["title"] == "Database <down>"
        assert body["allowed_mentions"] == {"parse": []}
        assert body["embeds"][0]["fields"][0]["name"] == "Database"
    else:
        assert "Database <down>" in body["text"]
        assert body["cardsV2"][0]["card"]["header"]["title"] == "Database <down>"
    assert Delivery.objects.get().status == "sent"


def test_a_slack_message_in_full(page, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_request("/chat", method="POST").respond_with_data("ok")
    SubscriberFactory(page=page, channel="slack", endpoint=httpserver.url_for("/chat"))
    component = ComponentFactory(page=page, name="EU: Database")
    incident = incident_make(page, name="Writes <failing>")
    publish(
        django_capture_on_commit_callbacks,
        incident_event(page, incident, components=[component], message="Look & see."),
    )
    body = json.loads(_only_request(httpserver).get_data())
    section, context = body.pop("blocks")
    assert body == {"text": "[Acme] Writes &lt;failing&gt; - Investigating"}
    assert section == {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": f"*<{incident.shortlink}|Writes &lt;failing&gt;>*\n*Investigating*\n"
            "Look &amp; see.\nEU: Database: Operational → Major outage",
        },
    }
    (footer,) = context["elements"]
    assert re.fullmatch(
        r"Acme · <http://\S+/subscriptions/unsubscribe/\S+\|Unsubscribe>", footer["text"]
    )


@pytest.mark.parametrize("channel", ["teams", "discord", "google_chat"])
def test_a_component_name_with_a_colon_is_shown_whole(
    channel, page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/chat", method="POST").respond_with_data("ok")
    SubscriberFactory(page=page, channel=channel, endpoint=httpserver.url_for("/chat"))
    component = ComponentFactory(page=page, name="EU: Database")
    publish(
        django_capture_on_commit_callbacks,
        incident_event(page, incident_make(page), components=[component]),
    )
    body = json.loads(_only_request(httpserver).get_data())
    if channel == "teams":
        facts = body["attachments"][0]["content"]["body"][-1]["facts"]
        assert facts == [{"title": "EU: Database", "value": "Operational → Major outage"}]
    elif channel == "discord":
        assert body["embeds"][0]["fields"] == [
            {"name": "EU: Database", "value": "Operational → Major outage", "inline": True}
        ]
        assert body["embeds"][0]["color"] == 0xE74C3C
    else:
        widgets = body["cardsV2"][0]["card"]["sections"][0]["widgets"]
        assert widgets[1] == {
            "decoratedText": {"topLabel": "EU: Database", "text": "Operational → Major outage"}
        }
        assert body["cardsV2"][0]["cardId"] == Delivery.objects.get().id


def test_a_long_sms_is_cut_to_keep_the_links(page, twilio, django_capture_on_commit_callbacks):
    twilio.expect_request(TWILIO_MESSAGES_PATH).respond_with_json({"sid": "SM1"}, status=201)
    SubscriberFactory(page=page, channel="sms", phone_number="+14155550100", endpoint="")
    incident = incident_make(page, name="Database down")
    publish(
        django_capture_on_commit_callbacks,
        incident_event(page, incident, message="word " * 200),
    )
    text = _only_request(twilio).form["Body"]
    first, message, link, stop = text.split("\n")
    assert first == "[Acme] Database down - Investigating"
    assert message.startswith("word word") and message.endswith("…")
    assert len(text) == 480
    assert link == incident.shortlink
    assert re.fullmatch(r"Stop: http://\S+/subscriptions/unsubscribe/\S+", stop)


def test_manual_component_change_is_sent_to_webhooks_as_component_update(
    page, api, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    SubscriberFactory(page=page, channel="email", email="ops@example.com", endpoint="")
    component = ComponentFactory(page=page, name="API")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/v1/status-pages/{page.id}/components/{component.id}",
            {"status": "partial_outage"},
            format="json",
        )
    assert response.status_code == 200
    body = json.loads(_only_request(httpserver).get_data())
    assert set(body) == {"meta", "page", "component_update", "component"}
    update = body["component_update"]
    assert set(update) == {"created_at", "new_status", "old_status", "id", "component_id"}
    assert update["component_id"] == component.id
    assert update["old_status"] == "operational"
    assert update["new_status"] == "partial_outage"
    assert update["created_at"].endswith("Z")
    # Statuspage's component, as the public documents show it.
    shown = body["component"]
    assert {"created_at", "id", "name", "status"} <= set(shown)
    assert (shown["id"], shown["name"], shown["status"]) == (component.id, "API", "partial_outage")
    assert shown["created_at"].endswith("Z") and shown["group"] is False
    assert mail.outbox == []


def test_renaming_a_component_sends_nothing(
    page, api, httpserver, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    component = ComponentFactory(page=page, name="API")
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(
            f"/api/v1/status-pages/{page.id}/components/{component.id}",
            {"name": "Public API", "status": "operational"},
            format="json",
        )
    assert httpserver.log == []
    assert not Delivery.objects.exists()


def test_redirects_are_not_followed(page, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_request("/hook").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/elsewhere")})
    )
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    _publish_incident(page, django_capture_on_commit_callbacks)
    assert [r.path for r, _ in httpserver.log] == ["/hook"]
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.response_code == 302
    assert "redirect" in delivery.last_error


def test_a_number_that_replied_stop_is_unsubscribed(
    page, twilio, django_capture_on_commit_callbacks
):
    twilio.expect_request(TWILIO_MESSAGES_PATH).respond_with_json(
        {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}, status=400
    )
    subscriber = SubscriberFactory(
        page=page, channel="sms", phone_number="+14155550100", endpoint=""
    )
    _publish_incident(page, django_capture_on_commit_callbacks)
    assert not Subscriber.objects.filter(id=subscriber.id).exists()
    assert Delivery.objects.get().status == "failed"


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "smtp+tls://mailer:p%40ss@smtp.example.com:2525",
            "smtp smtp.example.com 2525 mailer p@ss False True",
        ),
        ("smtps://smtp.example.com", "smtp smtp.example.com 465 None None True False"),
        ("console://", "console"),
    ],
)
def test_email_url_configures_the_mail_backend(url, expected):
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "b = s.EMAIL_BACKEND.split('.')[-2]\n"
        "print(b if b != 'smtp' else ' '.join(str(x) for x in [b, s.EMAIL_HOST, s.EMAIL_PORT,"
        " s.EMAIL_HOST_USER or None, s.EMAIL_HOST_PASSWORD or None, s.EMAIL_USE_SSL,"
        " s.EMAIL_USE_TLS]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_BACKEND"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "EMAIL_URL": url,
            "TESTING": "true",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_each_subscriber_of_a_batch_gets_their_own_unsubscribe_link_rendered_as_if_alone(
    page, httpserver, django_capture_on_commit_callbacks
):
    """A batch renders an event's email and webhook body once per language and puts each
    subscriber's link in: what every reader receives is exactly what rendering for them alone,
    in their language, gives."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from notifications.messages import notice_for, webhook_body
    from notifications.models import NotificationEvent
    from subscribers.links import subscriber_for_unsubscribe_token

    def owner(link: str):
        return subscriber_for_unsubscribe_token(link.rsplit("/", 1)[1])

    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    hooks = [SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook")) for _ in range(3)]
    languages = ["", "fr", "ja", "fr", ""]  # empty: the page's default (English here)
    readers = [
        SubscriberFactory(
            page=page, channel="email", email=f"r{n}@example.com", endpoint="", language=language
        )
        for n, language in enumerate(languages)
    ]
    _publish_incident(page, django_capture_on_commit_callbacks, message="Writes & <reads>.")
    event = NotificationEvent.objects.get()
    by_id = {request.headers["webhook-id"]: request.get_data() for request, _ in httpserver.log}
    for subscriber in hooks:
        sent = json.loads(by_id[Delivery.objects.get(subscriber=subscriber).id])
        link = sent["meta"]["unsubscribe"]
        assert owner(link) == subscriber
        assert sent == webhook_body(event, link)  # the signed link is made per second
    for subscriber in readers:
        message = next(m for m in mail.outbox if m.to == [subscriber.email])
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert owner(link) == subscriber
        with translation.override(subscriber.language or "en"):
            notice = notice_for(event)
            context = {"notice": notice, "unsubscribe_url": link}
            text = render_to_string("notifications/email.txt", context)
            html = render_to_string("notifications/email.html", context)
        assert message.subject == notice.subject
        assert message.body == text
        assert message.alternatives[0][0] == html
    french = next(m for m in mail.outbox if m.to == ["r1@example.com"])
    assert "Investigation en cours" in french.body and "Se désabonner" in french.body
    japanese = next(m for m in mail.outbox if m.to == ["r2@example.com"])
    assert "調査中" in japanese.body


def test_a_maintenance_event_recorded_by_the_previous_release_goes_out_in_statuspage_names(
    page, httpserver, django_capture_on_commit_callbacks
):
    """Events recorded by the previous release (a few fields, a maintenance under our names)
    may still be waiting for a retry: they are sent in Statuspage's names all the same."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    component = ComponentFactory(page=page, name="Database")
    event = PublishedEvent.from_payload(
        kind=EventKind.MAINTENANCE_STARTED,
        publish_key="mntu_recorded",
        maintenance_id="mnt_recorded",
        maintenance_update_id="mntu_recorded",
        component_ids=[component.id],
        payload={
            "page": {"id": page.id, "name": page.name, "slug": page.slug, "url": page.public_url},
            "page_status": {"indicator": "maintenance", "description": "Under Maintenance"},
            "maintenance": {
                "id": "mnt_recorded",
                "name": "Database upgrade",
                "status": "in_progress",
                "start_at": "2026-12-01T10:00:00Z",
                "end_at": "2026-12-01T11:00:00Z",
                "shortlink": "https://status.example.com/incidents/mnt_recorded",
                "created_at": "2026-11-30T09:00:00Z",
                "updated_at": "2026-12-01T10:00:00Z",
                "started_at": "2026-12-01T10:00:00Z",
                "completed_at": None,
            },
            "update": {
                "id": "mntu_recorded",
                "status": "in_progress",
                "message": "Started.",
                "created_at": "2026-12-01T10:00:00Z",
            },
            "components": [
                {
                    "id": component.id,
                    "name": "Database",
                    "old_status": "operational",
                    "new_status": "under_maintenance",
                }
            ],
        },
    )
    publish(django_capture_on_commit_callbacks, event)
    sent = json.loads(_only_request(httpserver).get_data())["incident"]
    assert not {"start_at", "end_at", "completed_at"} & set(sent)
    assert (sent["scheduled_for"], sent["scheduled_until"]) == (
        "2026-12-01T10:00:00Z",
        "2026-12-01T11:00:00Z",
    )
    assert (sent["impact"], sent["resolved_at"], sent["page_id"]) == ("maintenance", None, page.id)
    (update,) = sent["incident_updates"]
    assert set(update) == UPDATE_KEYS
    assert (update["incident_id"], update["body"]) == ("mnt_recorded", "Started.")
    assert update["created_at"] == "2026-12-01T10:00:00.000Z"
    assert update["affected_components"][0]["new_status"] == "under_maintenance"
