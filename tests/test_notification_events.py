"""An operator sees how far each publish's notifications have got: per event, how many
deliveries are pending, sent or failed, and how long the last one took to go out."""

from datetime import datetime

import pytest

from tests.factories import OrganizationFactory, SubscriberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


@pytest.fixture
def receivers(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    httpserver.expect_request("/refuses", method="POST").respond_with_data("no", status=400)
    return httpserver


def _events_url(page) -> str:
    return f"/api/v1/status-pages/{page.id}/notification-events"


def _open_incident(api, page, key: str) -> dict:
    response = api.post(
        f"/api/v1/status-pages/{page.id}/incidents",
        {"name": "Checkout down", "message": "Investigating."},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_an_event_counts_its_sent_and_failed_deliveries_and_how_long_the_last_took(
    api, page, receivers, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(2, page=page, endpoint=receivers.url_for("/hook"))
    SubscriberFactory(page=page, endpoint=receivers.url_for("/refuses"))
    with django_capture_on_commit_callbacks(execute=True):
        incident = _open_incident(api, page, "events-1")

    response = api.get(_events_url(page), {"incident_id": incident["id"]})

    assert response.status_code == 200, response.json()
    [event] = response.json()["data"]
    assert event["event"] == "incident_created"
    assert event["incident_id"] == incident["id"] and event["maintenance_id"] is None
    assert event["fan_out"] == "fanned_out"
    assert event["deliveries"] == {
        "pending": 0,
        "sending": 0,
        "sent": 2,
        "failed": 1,
        "skipped": 0,
        "total": 3,
    }
    took = (_time(event["last_sent_at"]) - _time(event["created_at"])).total_seconds()
    assert event["delivered_in_seconds"] == round(took, 3)
    assert api.get(f"{_events_url(page)}/{event['id']}").json() == event


def test_an_event_whose_fan_out_has_not_run_shows_nothing_delivered_yet(
    api, page, receivers, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, endpoint=receivers.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=False):  # the broker has not delivered it
        _open_incident(api, page, "events-2")

    [event] = api.get(_events_url(page)).json()["data"]

    assert event["fan_out"] == "pending"
    assert event["deliveries"]["total"] == 0
    assert event["last_sent_at"] is None and event["delivered_in_seconds"] is None


def test_listing_events_costs_the_same_queries_for_one_event_and_for_twenty(
    api, page, receivers, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, endpoint=receivers.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        _open_incident(api, page, "events-q-0")
    with django_assert_max_num_queries(4):
        assert len(api.get(_events_url(page)).json()["data"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(1, 20):
            _open_incident(api, page, f"events-q-{number}")
    with django_assert_max_num_queries(4):
        assert len(api.get(_events_url(page)).json()["data"]) == 20


def test_another_organizations_events_are_not_found_and_reading_them_needs_the_scope(
    api, make_client, organization, page, receivers, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, endpoint=receivers.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        _open_incident(api, page, "events-3")
    [event] = api.get(_events_url(page)).json()["data"]

    outsider = make_client(organization=OrganizationFactory(slug="globex"))
    read_only = make_client(organization=organization, scopes="")

    from_outside = outsider.client.get(f"{_events_url(page)}/{event['id']}")
    assert from_outside.status_code == 404
    assert from_outside.json()["error"]["code"] == "not_found"
    without_scope = read_only.client.get(_events_url(page))
    assert without_scope.status_code == 403
    assert without_scope.json()["error"]["details"] == {"required_scope": "subscribers:read"}


def test_the_admin_lists_each_events_pending_sent_and_failed_deliveries(
    admin_client, api, page, receivers, django_capture_on_commit_callbacks
):
    SubscriberFactory(page=page, endpoint=receivers.url_for("/hook"))
    SubscriberFactory(page=page, endpoint=receivers.url_for("/refuses"))
    with django_capture_on_commit_callbacks(execute=True):
        _open_incident(api, page, "events-4")

    response = admin_client.get("/admin/notifications/notificationevent/")

    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.pending_count, row.sent_count, row.failed_count) == (0, 1, 1)
