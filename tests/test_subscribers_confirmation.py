"""The double opt-in link goes out through the channel's transport; a failure that may pass
(network, 5xx, 429) is retried with backoff, one that cannot is given up at once."""

import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from config.celery import app as celery_app
from subscribers.models import Subscriber
from subscribers.tasks import CONFIRMATION_MAX_RETRIES
from tests.notifications_support import TWILIO_MESSAGES_PATH as TWILIO_PATH


@pytest.fixture
def eager_retries(eager_celery):
    """Eager Celery runs a task's retries at once (no countdown), but only when it does not
    propagate errors: a propagated Retry would end the chain after the first attempt."""
    before = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = before


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_retries", "allow_private")]


def _subscribe(api, page, capture, **address):
    with capture(execute=True):
        response = api.post(f"/api/v1/status-pages/{page.id}/subscribers", address, format="json")
    assert response.status_code == 201, response.json()
    return Subscriber.objects.get(id=response.json()["id"])


def test_an_sms_subscriber_gets_the_link_by_sms(
    api, page, twilio, django_capture_on_commit_callbacks
):
    twilio.expect_request(TWILIO_PATH, method="POST").respond_with_json({"sid": "SM1"}, 201)
    subscriber = _subscribe(
        api, page, django_capture_on_commit_callbacks, channel="sms", phone_number="+14155550100"
    )
    (request, _), *others = twilio.log
    assert others == []
    assert request.form["To"] == "+14155550100"
    assert request.form["From"] == "+15005550006"
    assert request.form["Body"].startswith("Confirm your Acme status updates: http")
    assert "/subscriptions/confirm/" in request.form["Body"]
    assert subscriber.confirmed_at is None


def test_a_provider_error_that_may_pass_is_retried_with_backoff(
    api, page, twilio, caplog, django_capture_on_commit_callbacks
):
    twilio.expect_ordered_request(TWILIO_PATH).respond_with_data("busy", status=503)
    twilio.expect_ordered_request(TWILIO_PATH).respond_with_data("slow down", status=429)
    twilio.expect_ordered_request(TWILIO_PATH).respond_with_json({"sid": "SM1"}, status=201)
    _subscribe(
        api, page, django_capture_on_commit_callbacks, channel="sms", phone_number="+14155550100"
    )
    assert [response.status_code for _, response in twilio.log] == [503, 429, 201]
    assert {request.form["To"] for request, _ in twilio.log} == {"+14155550100"}
    first, second = (float(s) for s in re.findall(r"Retry in ([0-9.]+)s", caplog.text))
    assert 5 <= first <= 10 and 10 <= second <= 20


def test_retrying_stops_after_the_last_attempt(
    api, page, twilio, caplog, django_capture_on_commit_callbacks
):
    twilio.expect_request(TWILIO_PATH).respond_with_data("busy", status=503)
    subscriber = _subscribe(
        api, page, django_capture_on_commit_callbacks, channel="sms", phone_number="+14155550100"
    )
    assert len(twilio.log) == 1 + CONFIRMATION_MAX_RETRIES
    assert f"Confirmation for {subscriber.id} not sent" in caplog.text
    assert Subscriber.objects.filter(id=subscriber.id, confirmed_at=None).exists()


@pytest.mark.parametrize(
    "status, answer",
    [
        (400, {"code": 21211, "message": "Invalid 'To' Phone Number"}),
        (401, {"code": 20003, "message": "Authenticate"}),
    ],
)
def test_a_provider_error_that_cannot_pass_is_not_retried(
    api, page, twilio, caplog, status, answer, django_capture_on_commit_callbacks
):
    twilio.expect_request(TWILIO_PATH).respond_with_json(answer, status=status)
    subscriber = _subscribe(
        api, page, django_capture_on_commit_callbacks, channel="sms", phone_number="+14155550100"
    )
    assert len(twilio.log) == 1
    assert f"Confirmation for {subscriber.id} not sent (attempt 1, giving up)" in caplog.text


class FlakySmtpBackend(EmailBackend):
    """The locmem box behind an SMTP server that drops the first ``failures`` connections."""

    failures = 0

    def send_messages(self, messages):
        if FlakySmtpBackend.failures:
            FlakySmtpBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class RefusingSmtpBackend(EmailBackend):
    """An SMTP server that has no such mailbox."""

    calls = 0

    def send_messages(self, messages):
        RefusingSmtpBackend.calls += 1
        raise smtplib.SMTPRecipientsRefused({"ann@example.com": (550, b"No such user")})


def test_an_email_link_is_retried_when_the_mail_server_drops_the_connection(
    api, page, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakySmtpBackend"
    FlakySmtpBackend.failures = 2
    subscriber = _subscribe(
        api, page, django_capture_on_commit_callbacks, channel="email", email="ann@example.com"
    )
    assert FlakySmtpBackend.failures == 0
    (message,) = mail.outbox
    assert message.to == ["ann@example.com"]
    assert message.subject == "[Acme] Confirm your subscription"
    assert "/subscriptions/confirm/" in message.body
    assert "/subscriptions/confirm/" in message.alternatives[0][0]
    assert "List-Unsubscribe" not in message.extra_headers
    assert subscriber.confirmed_at is None


def test_a_refused_recipient_is_not_retried(
    api, page, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingSmtpBackend"
    RefusingSmtpBackend.calls = 0
    subscriber = _subscribe(
        api, page, django_capture_on_commit_callbacks, channel="email", email="ann@example.com"
    )
    assert RefusingSmtpBackend.calls == 1 and mail.outbox == []
    assert f"Confirmation for {subscriber.id} not sent (attempt 1, giving up)" in caplog.text
