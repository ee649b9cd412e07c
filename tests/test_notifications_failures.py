"""What happens when a receiver fails: retries with backoff, no retry, 410, quarantine, sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from werkzeug import Response

from channels import backoff
from notifications import services, tasks
from notifications.models import Delivery, NotificationEvent
from subscribers.models import Subscriber
from tests.factories import SubscriberFactory
from tests.notifications_support import (
    incident_event,
    incident_make,
    publish,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


def _publish(page, capture):
    return publish(capture, incident_event(page, incident_make(page)))


def _later(seconds):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=True)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_and_rate_limits_are_retried_later(
    status, page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_ordered_request("/hook").respond_with_data("busy", status=status)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    _publish(page, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, status)
    assert delivery.last_error == f"HTTP {status}"
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 4 <= wait <= backoff.BACKOFF_BASE
    with _later(wait + 1):
        assert services.delivery_send(delivery_id=delivery.id) == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 2, 200)
    assert len(httpserver.log) == 2


def test_a_retry_is_not_sent_before_its_time(page, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_request("/hook").respond_with_data("busy", status=503)
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    _publish(page, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert services.delivery_send(delivery_id=delivery.id) is None
    assert len(httpserver.log) == 1


def test_retry_after_is_honoured(page, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_request("/hook").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "120"})
    )
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    _publish(page, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.next_attempt_at - timezone.now()).total_seconds() > 110


def test_backoff_grows_exponentially_with_jitter():
    first = [backoff.backoff_delay(1) for _ in range(50)]
    fourth = [backoff.backoff_delay(4) for _ in range(50)]
    assert all(5 <= d <= 10 for d in first) and len(set(first)) > 1
    assert all(40 <= d <= 80 for d in fourth)
    assert all(d <= backoff.BACKOFF_CAP for d in (backoff.backoff_delay(30) for _ in range(20)))


def test_network_errors_are_retried(page, django_capture_on_commit_callbacks):
    SubscriberFactory(page=page, endpoint="http://127.0.0.1:9/closed-port")
    _publish(page, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.response_code is None
    assert delivery.last_error.startswith("Could not connect")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_client_errors_are_not_retried(
    status, page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("no", status=status)
    subscriber = SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    _publish(page, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, status)
    subscriber.refresh_from_db()
    assert subscriber.consecutive_failures == 1 and subscriber.quarantined_at is None


def test_gone_unsubscribes_but_keeps_the_delivery_record(
    page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    subscriber = SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    _publish(page, django_capture_on_commit_callbacks)
    assert not Subscriber.objects.filter(id=subscriber.id).exists()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.subscriber_id) == (
        "failed",
        410,
        subscriber.id,
    )
    _publish(page, django_capture_on_commit_callbacks)
    assert len(httpserver.log) == 1


def test_ten_failed_deliveries_in_a_row_quarantine_the_subscriber(
    page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("no", status=400)
    subscriber = SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    for _ in range(9):
        _publish(page, django_capture_on_commit_callbacks)
    subscriber.refresh_from_db()
    assert subscriber.quarantined_at is None and subscriber.consecutive_failures == 9
    _publish(page, django_capture_on_commit_callbacks)
    subscriber.refresh_from_db()
    assert subscriber.quarantined_at is not None
    _publish(page, django_capture_on_commit_callbacks)
    assert len(httpserver.log) == 10
    assert Delivery.objects.count() == 10


def test_a_success_resets_the_failure_count(page, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_ordered_request("/hook").respond_with_data("no", status=400)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    subscriber = SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    _publish(page, django_capture_on_commit_callbacks)
    _publish(page, django_capture_on_commit_callbacks)
    subscriber.refresh_from_db()
    assert subscriber.consecutive_failures == 0


def test_giving_up_after_the_last_attempt_counts_one_failure(
    page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("busy", status=503)
    subscriber = SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    _publish(page, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    for _ in range(services.MAX_ATTEMPTS - 1):
        delivery.refresh_from_db()
        with _later((delivery.next_attempt_at - timezone.now()).total_seconds() + 1):
            services.delivery_send(delivery_id=delivery.id)
    delivery.refresh_from_db()
    subscriber.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert subscriber.consecutive_failures == 1
    assert len(httpserver.log) == services.MAX_ATTEMPTS


def test_sweep_requeues_lost_events_and_deliveries(
    page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    # The commit hook never runs here: as if the broker was down when it was published.
    with transaction.atomic():
        event = tasks.event_record(incident_event(page, incident_make(page)))
    assert tasks.notifications_sweep()["events"] == 0  # too fresh: its message may be queued
    with _later(120):
        result = tasks.notifications_sweep()
    assert result["events"] == 1
    assert NotificationEvent.objects.get(id=event.id).state == "fanned_out"
    assert Delivery.objects.get().status == "sent"
    assert len(httpserver.log) == 1


def test_sweep_resends_a_delivery_whose_worker_died_mid_send(
    page, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    httpserver.expect_request("/never").respond_with_data("ok")
    event = _publish(page, django_capture_on_commit_callbacks)
    Delivery.objects.filter(event=event).update(status="sending", claimed_at=timezone.now())
    assert tasks.notifications_sweep()["stale"] == 0
    with _later(10 * 60):
        assert tasks.notifications_sweep()["stale"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 2


def test_a_pending_delivery_of_a_removed_subscriber_is_skipped(page, httpserver):
    subscriber = SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    with transaction.atomic():  # no commit hooks run: nothing is fanned out yet
        event = tasks.event_record(incident_event(page, incident_make(page)))
    delivery = Delivery.objects.create(
        page=page, event=event, subscriber=subscriber, kind=event.kind
    )
    Subscriber.objects.filter(id=subscriber.id).delete()
    assert services.delivery_send(delivery_id=delivery.id) == "skipped"
    delivery.refresh_from_db()
    assert delivery.status == "skipped" and delivery.last_error == "Subscriber removed."
    assert httpserver.log == []


def test_tasks_tolerate_rows_that_are_gone(db):
    assert tasks.event_fan_out.delay("evt_missing").get() == 0
    tasks.deliveries_send.delay(["dlv_missing"]).get()


def test_an_event_whose_fan_out_never_started_is_queued_again_within_seconds(page, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/hook"))
    with transaction.atomic():  # no commit hook runs: the broker was down at publish time
        lost = tasks.event_record(incident_event(page, incident_make(page)))
    with transaction.atomic():
        under_way = tasks.event_record(incident_event(page, incident_make(page)))
    # The second one's fan-out has begun (a delivery exists) and is not finished yet.
    Delivery.objects.create(
        page=page, event=under_way, subscriber=Subscriber.objects.get(), kind=under_way.kind
    )
    with _later(15):
        result = tasks.notifications_sweep()
    assert NotificationEvent.objects.get(id=lost.id).state == "fanned_out"
    assert NotificationEvent.objects.get(id=under_way.id).state == "pending"
    assert result["events"] == 1
