"""With a real Redis broker and a real worker: a confirmation SMS that the provider refuses for
now (503) is sent again after a backoff delay, by the task's own retry."""

import threading
import time

import pytest
from django.db import transaction
from werkzeug import Response

from subscribers.services import subscriber_create
from tests.test_notifications_worker import (  # noqa: F401 - fixtures
    _wait_for,
    worker_env,
    workers,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_a_confirmation_the_provider_refused_for_now_is_sent_after_a_backoff(
    page,
    workers,  # noqa: F811 - the fixture imported above
    httpserver,
):
    arrivals = []
    lock = threading.Lock()

    def twilio(request):
        with lock:
            arrivals.append((time.monotonic(), request.form["To"]))
            first = len(arrivals) == 1
        return Response("busy", status=503) if first else Response('{"sid": "SM1"}', status=201)

    httpserver.expect_request(
        "/2010-04-01/Accounts/AC123/Messages.json", method="POST"
    ).respond_with_handler(twilio)
    workers.start(
        env={
            "SMS_BACKEND": "channels.transports.sms.TwilioSmsBackend",
            "TWILIO_API_BASE": httpserver.url_for("/"),
            "TWILIO_ACCOUNT_SID": "AC123",
            "TWILIO_AUTH_TOKEN": "token",
            "TWILIO_FROM_NUMBER": "+15005550006",
        }
    )
    with transaction.atomic():
        subscriber = subscriber_create(page=page, channel="sms", phone_number="+14155550100")
    _wait_for(lambda: len(arrivals) >= 2, "the retried confirmation", workers)
    (first_at, first_to), (second_at, second_to) = arrivals[:2]
    assert first_to == second_to == "+14155550100"
    assert second_at - first_at >= 5  # the first backoff is 5 to 10 seconds
    time.sleep(1)
    assert len(arrivals) == 2
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
