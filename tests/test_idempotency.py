import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.models import IdempotencyRecord
from statuspages.models import StatusPage

pytestmark = pytest.mark.django_db


def _create_page(api, key, body=None):
    return api.post(
        "/api/v1/status-pages",
        body or {"name": "Status", "slug": "status"},
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_retry_with_the_same_key_replays_the_first_response(api):
    first = _create_page(api, "retry-1")
    second = _create_page(api, "retry-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert StatusPage.objects.count() == 1


def test_same_key_with_a_different_body_is_422(api):
    _create_page(api, "retry-2")
    response = _create_page(api, "retry-2", {"name": "Other", "slug": "other"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert StatusPage.objects.count() == 1


def test_body_key_order_does_not_change_the_request(api):
    _create_page(api, "order", {"name": "A", "slug": "a"})
    response = _create_page(api, "order", {"slug": "a", "name": "A"})
    assert response["Idempotent-Replayed"] == "true"


def test_same_key_on_another_path_is_422(api, page):
    _create_page(api, "shared")
    response = api.post(
        f"/api/v1/status-pages/{page.id}/components", {"name": "x"}, HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert response.status_code == 422


def test_keys_are_scoped_to_the_organization(api, make_client):
    from tests.factories import OrganizationFactory

    other = make_client(organization=OrganizationFactory(slug="globex"))
    assert _create_page(api, "k").status_code == 201
    response = _create_page(other, "k", {"name": "G", "slug": "globex-status"})
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_deleting_an_organization_forgets_its_keys_and_their_responses(
    api, make_client, organization
):
    from tests.factories import OrganizationFactory

    globex = OrganizationFactory(slug="globex")
    other = make_client(organization=globex)
    assert _create_page(api, "k").status_code == 201
    assert _create_page(other, "k", {"name": "G", "slug": "globex-status"}).status_code == 201
    globex.delete()
    kept = IdempotencyRecord.objects.values_list("organization_id", flat=True)
    assert list(kept) == [organization.id]


def test_a_validation_error_is_replayed_too(api):
    first = _create_page(api, "bad", {"name": "x", "slug": "NOT OK"})
    second = _create_page(api, "bad", {"name": "x", "slug": "NOT OK"})
    assert first.status_code == second.status_code == 400
    assert second["Idempotent-Replayed"] == "true"


def test_a_request_still_running_is_409(api, organization):
    IdempotencyRecord.objects.create(
        organization_id=organization.id,
        key="busy",
        method="POST",
        path="/api/v1/status-pages",
        fingerprint="whatever",
    )
    response = _create_page(api, "busy")
    assert response.status_code in (409, 422)
    IdempotencyRecord.objects.filter(key="busy").update(
        fingerprint=__import__("core.idempotency").idempotency.request_fingerprint(
            "POST", "/api/v1/status-pages", b'{"name":"Status","slug":"status"}'
        )
    )
    response = _create_page(api, "busy")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_use"


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "ünïcode"])
def test_invalid_keys_are_400(api, key):
    response = _create_page(api, key)
    assert response.status_code == 400
    assert StatusPage.objects.count() == 0


def test_keys_expire_after_24_hours(api, time_machine):
    import datetime as dt

    time_machine.move_to(dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC), tick=True)
    _create_page(api, "old", {"name": "A", "slug": "a"})
    time_machine.move_to(dt.datetime(2026, 1, 2, 12, 1, tzinfo=dt.UTC), tick=True)
    response = _create_page(api, "old", {"name": "B", "slug": "b"})
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_requests_create_one_page(on_postgres, make_client):
    keyed = make_client()
    barrier = threading.Barrier(10)
    statuses = []

    def post():
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {keyed.token}")
            barrier.wait()
            statuses.append(_create_page(client, "race").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert StatusPage.objects.filter(slug="status").count() == 1
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
