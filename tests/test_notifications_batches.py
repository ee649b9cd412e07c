"""Deliveries go out in batches: one claim, one read of subscribers and events and one write
per batch whatever its size, the sends of a batch overlap (bounded per receiving host), and
every outcome of a mixed batch is recorded as a single send would record it."""

import threading
import time

import pytest
from django.db import connection, transaction
from pytest_httpserver import HTTPServer
from werkzeug import Response

from notifications import services
from notifications.events import notification_event_record
from notifications.models import Delivery
from subscribers.models import Subscriber
from tests.factories import SubscriberFactory
from tests.notifications_support import incident_event, incident_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


def _deliveries(page, endpoints: list[str]) -> list[str]:
    """Pending deliveries of one event, one per endpoint (nothing sent yet)."""
    subscribers = [SubscriberFactory(page=page, endpoint=endpoint) for endpoint in endpoints]
    with transaction.atomic():  # recorded without its fan-out: nothing is sent yet
        event = notification_event_record(incident_event(page, incident_make(page)))
    Delivery.objects.bulk_create(
        [Delivery(page=page, event=event, subscriber=s, kind=event.kind) for s in subscribers]
    )
    return list(Delivery.objects.filter(event=event).order_by("id").values_list("id", flat=True))


@pytest.fixture
def threaded_sink():
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.mark.parametrize("size", [3, 40])
def test_a_batch_costs_the_same_few_queries_whatever_its_size(
    size, page, httpserver, django_assert_max_num_queries, settings
):
    settings.NOTIFICATIONS_RECORD_SECONDS = 60  # the outcomes are recorded once, at the end
    httpserver.expect_request("/hook").respond_with_data("ok")
    ids = _deliveries(page, [httpserver.url_for("/hook")] * size)
    # claim, subscribers, events, results
    with django_assert_max_num_queries(4):
        statuses = services.deliveries_send(delivery_ids=ids)
    assert statuses == dict.fromkeys(ids, "sent")
    assert set(Delivery.objects.values_list("status", "attempts", "response_code")) == {
        ("sent", 1, 200)
    }
    assert len(httpserver.log) == size


def test_a_mixed_batch_records_each_outcome(
    page, httpserver, django_assert_max_num_queries, settings
):
    settings.NOTIFICATIONS_RECORD_SECONDS = 60
    for path, status in [("/ok", 200), ("/busy", 503), ("/gone", 410), ("/bad", 400)]:
        httpserver.expect_request(path).respond_with_data("", status=status)
    ids = _deliveries(
        page, [httpserver.url_for(p) for p in ["/ok", "/busy", "/gone", "/bad", "/ok"]]
    )
    removed = Delivery.objects.get(id=ids[4]).subscriber_id
    Subscriber.objects.filter(id=removed).delete()
    by_path = {Delivery.objects.get(id=i).subscriber.endpoint.rsplit("/", 1)[1]: i for i in ids[:4]}
    # The 410 unsubscribe is a delete the activity log records: the row read and the event.
    with django_assert_max_num_queries(12):
        statuses = services.deliveries_send(delivery_ids=ids)
    assert statuses == {
        by_path["ok"]: "sent",
        by_path["busy"]: "pending",
        by_path["gone"]: "failed",
        by_path["bad"]: "failed",
        ids[4]: "skipped",
    }
    rows = {d.id: d for d in Delivery.objects.all()}
    assert rows[by_path["busy"]].next_attempt_at is not None
    assert (rows[by_path["gone"]].response_code, rows[by_path["bad"]].response_code) == (410, 400)
    assert rows[ids[4]].last_error == "Subscriber removed."
    assert not Subscriber.objects.filter(id=rows[by_path["gone"]].subscriber_id).exists()
    bad = Subscriber.objects.get(id=rows[by_path["bad"]].subscriber_id)
    assert bad.consecutive_failures == 1
    assert all(d.attempts == 1 for d in rows.values())


def test_a_claimed_batch_is_not_claimed_again(page, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    ids = _deliveries(page, [httpserver.url_for("/hook")] * 3)
    assert len(services.deliveries_send(delivery_ids=ids)) == 3
    assert services.deliveries_send(delivery_ids=ids) == {}
    assert len(httpserver.log) == 3


def test_the_sends_of_a_batch_overlap_within_the_per_host_limit(page, threaded_sink, settings):
    settings.OUTBOUND_CONNECTIONS_PER_HOST = 3
    # Each request waits until three are in flight at once: sequential sends would time out.
    together = threading.Barrier(3, timeout=4)
    lock = threading.Lock()
    in_flight, most = [0], [0]

    def handler(request):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            together.wait()
            time.sleep(0.05)
        finally:
            with lock:
                in_flight[0] -= 1
        return Response("ok")

    threaded_sink.expect_request("/hook").respond_with_handler(handler)
    ids = _deliveries(page, [threaded_sink.url_for("/hook")] * 9)
    assert services.deliveries_send(delivery_ids=ids) == dict.fromkeys(ids, "sent")
    assert most[0] == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_another_claimer_holds_are_skipped_not_waited_for(page, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    ids = _deliveries(page, [httpserver.url_for("/hook")] * 4)
    holding, release = threading.Event(), threading.Event()

    def other_claimer():  # holds row locks on the first two in an open transaction
        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(id__in=ids[:2]))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_claimer)
    thread.start()
    try:
        assert holding.wait(10)
        assert services.deliveries_send(delivery_ids=ids) == dict.fromkeys(ids[2:], "sent")
    finally:
        release.set()
        thread.join()
    assert services.deliveries_send(delivery_ids=ids) == dict.fromkeys(ids[:2], "sent")
    assert len(httpserver.log) == 4
