"""Who hears about a publish: matching, confirmation, quarantine, one delivery each."""

import pytest

from notifications.models import Delivery, EventKind, NotificationEvent
from notifications.tasks import event_fan_out
from tests.factories import ComponentFactory, StatusPageFactory, SubscriberFactory
from tests.notifications_support import (  # noqa: F401 - fixtures
    allow_private,
    eager_celery,
    incident_event,
    incident_make,
    publish,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


@pytest.fixture
def sink(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def _subscriber(page, sink, **kwargs):
    return SubscriberFactory(page=page, endpoint=sink.url_for("/hook"), **kwargs)


def _received(sink) -> list[str]:
    return [request.headers["webhook-id"] for request, _ in sink.log]


def test_page_wide_subscriber_hears_about_every_incident(
    page, sink, django_capture_on_commit_callbacks
):
    subscriber = _subscriber(page, sink)
    incident = incident_make(page)
    publish(django_capture_on_commit_callbacks, incident_event(page, incident))
    delivery = Delivery.objects.get(subscriber=subscriber)
    assert delivery.status == "sent"
    assert _received(sink) == [delivery.id]


def test_component_subscriber_hears_only_about_its_components(
    page, sink, django_capture_on_commit_callbacks
):
    api, db = ComponentFactory(page=page, name="API"), ComponentFactory(page=page, name="DB")
    api_fan = _subscriber(page, sink, component_ids=[api.id])
    db_fan = _subscriber(page, sink, component_ids=[db.id])
    incident = incident_make(page)
    publish(django_capture_on_commit_callbacks, incident_event(page, incident, components=[api]))
    assert Delivery.objects.filter(subscriber=api_fan, status="sent").count() == 1
    assert not Delivery.objects.filter(subscriber=db_fan).exists()
    assert len(sink.log) == 1


def test_incident_subscriber_hears_only_about_that_incident_until_resolved(
    page, sink, django_capture_on_commit_callbacks
):
    watched, other = incident_make(page, name="Watched"), incident_make(page, name="Other")
    fan = _subscriber(page, sink, incident=watched)
    publish(django_capture_on_commit_callbacks, incident_event(page, other))
    assert not Delivery.objects.filter(subscriber=fan).exists()
    publish(
        django_capture_on_commit_callbacks,
        incident_event(page, watched, kind=EventKind.INCIDENT_UPDATED, status="identified"),
    )
    publish(
        django_capture_on_commit_callbacks,
        incident_event(page, watched, kind=EventKind.INCIDENT_RESOLVED, status="resolved"),
    )
    kinds = sorted(
        Delivery.objects.filter(subscriber=fan, status="sent").values_list("kind", flat=True)
    )
    assert kinds == ["incident_resolved", "incident_updated"]
    # Reopened after it resolved: the page's subscribers hear it, the incident's do not.
    page_fan = _subscriber(page, sink)
    publish(
        django_capture_on_commit_callbacks,
        incident_event(page, watched, kind=EventKind.INCIDENT_UPDATED, status="identified"),
    )
    assert Delivery.objects.filter(subscriber=fan).count() == 2
    assert Delivery.objects.filter(subscriber=page_fan).count() == 1


def test_unconfirmed_and_quarantined_subscribers_get_nothing(
    page, sink, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    _subscriber(page, sink, confirmed_at=None)
    _subscriber(page, sink, quarantined_at=timezone.now())
    publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    assert Delivery.objects.count() == 0
    assert sink.log == []


def test_subscribers_of_another_page_get_nothing(page, sink, django_capture_on_commit_callbacks):
    _subscriber(StatusPageFactory(organization=page.organization), sink)
    publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    assert sink.log == []


def test_fanning_out_twice_never_creates_a_second_delivery(
    page, sink, django_capture_on_commit_callbacks
):
    _subscriber(page, sink)
    event = publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    NotificationEvent.objects.filter(id=event.id).update(state="pending")
    event_fan_out(event.id)
    assert Delivery.objects.count() == 1
    assert len(sink.log) == 1


def test_rolled_back_publish_sends_nothing(page, sink, django_capture_on_commit_callbacks):
    from django.db import transaction

    from notifications.tasks import event_record

    _subscriber(page, sink)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        event_record(incident_event(page, incident_make(page)))
        raise RuntimeError("publishing failed")
    assert NotificationEvent.objects.count() == 0
    assert sink.log == []


def test_fan_out_reaches_every_subscriber_across_chunks(
    page, sink, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import fanout

    monkeypatch.setattr(fanout, "FANOUT_CHUNK", 7)
    for _ in range(30):
        _subscriber(page, sink)
    publish(django_capture_on_commit_callbacks, incident_event(page, incident_make(page)))
    assert Delivery.objects.filter(status="sent").count() == 30
    assert len(set(_received(sink))) == 30 == len(sink.log)


def test_a_large_fan_out_is_split_into_tasks_and_reaches_everyone_once(
    page, sink, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from celery.signals import task_prerun

    from notifications import fanout

    monkeypatch.setattr(fanout, "FANOUT_CHUNK", 2)
    settings.NOTIFICATIONS_FANOUT_TASK_SUBSCRIBERS = 4
    subscribers = [_subscriber(page, sink) for _ in range(9)]
    parts = []

    def count(sender=None, args=None, kwargs=None, **_):
        if getattr(sender, "name", None) == event_fan_out.name:
            parts.append((kwargs or {}).get("after", ""))

    task_prerun.connect(count, weak=False)
    try:
        event = publish(
            django_capture_on_commit_callbacks, incident_event(page, incident_make(page))
        )
    finally:
        task_prerun.disconnect(count)
    # 9 subscribers, 4 per task: three tasks, each going on from where the last one stopped.
    assert len(parts) == 3
    assert parts[0] == "" and parts[1] == subscribers[3].id and parts[2] == subscribers[7].id
    assert sorted(_received(sink)) == sorted(Delivery.objects.values_list("id", flat=True))
    assert Delivery.objects.filter(event=event, status="sent").count() == 9
    assert NotificationEvent.objects.get(id=event.id).state == "fanned_out"
