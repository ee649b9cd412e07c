"""A Prometheus scraper reads the notification pipeline at /metrics, with its token."""

import re

import pytest

from tests.factories import SubscriberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]

TOKEN = "scrape-me-0123456789"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def _scrape(client, token=TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_metrics_do_not_exist_until_a_token_is_set(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_scraper_without_the_token(client, metrics_on):
    assert client.get("/metrics").status_code == 401
    response = _scrape(client, token="guess")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_metrics_count_deliveries_by_channel_and_status_and_their_latency(
    client, api, page, httpserver, metrics_on, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    httpserver.expect_request("/refuses", method="POST").respond_with_data("no", status=400)
    SubscriberFactory.create_batch(2, page=page, endpoint=httpserver.url_for("/hook"))
    SubscriberFactory(page=page, endpoint=httpserver.url_for("/refuses"))
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            f"/api/v1/status-pages/{page.id}/incidents",
            {"name": "Checkout down"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="metrics-1",
        )
    assert created.status_code == 201

    response = _scrape(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert 'statuspage_deliveries{channel="webhook",status="sent"} 2' in lines
    assert 'statuspage_deliveries{channel="webhook",status="failed"} 1' in lines
    assert "statuspage_deliveries_waiting 0" in lines
    assert 'statuspage_delivery_latency_seconds_bucket{le="+Inf"} 2' in lines
    assert "statuspage_delivery_latency_seconds_count 2" in lines
    buckets = [
        int(line.rsplit(" ", 1)[1])
        for line in lines
        if re.match(r'statuspage_delivery_latency_seconds_bucket\{le="\d+"\}', line)
    ]
    assert len(buckets) == 9 and buckets == sorted(buckets) and buckets[-1] == 2
