"""With the cache (Redis) down, public reads and writes still answer, from the database: a real
RedisCache pointed at a port where nothing listens, no mock."""

import logging

import pytest
from django.core.cache import cache
from django.test import Client

from incidents.models import Incident
from subscribers.models import Subscriber
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db

NOTHING_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": NOTHING_LISTENS,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    with pytest.raises(Exception, match="Connection refused|Error 111"):
        cache.get("anything")  # truly down


def _cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("cache unavail")]


def test_public_reads_are_built_from_the_database(page, cache_down, caplog):
    ComponentFactory(page=page, name="API")
    caplog.set_level(logging.WARNING)
    summary = Client().get("/pages/acme/api/v2/summary.json")
    assert summary.status_code == 200
    assert [c["name"] for c in summary.json()["components"]] == ["API"]
    assert summary["ETag"] and summary["Last-Modified"]
    assert Client().get("/api/v2/status.json", HTTP_HOST="acme.localhost").status_code == 200
    human = Client().get("/pages/acme/")
    assert human.status_code == 200
    assert b"API" in human.content
    again = Client().get("/pages/acme/api/v2/summary.json", HTTP_IF_NONE_MATCH=summary["ETag"])
    assert again.status_code == 304
    assert Client().get("/pages/nope/api/v2/summary.json").status_code == 404
    # One line per degraded read, no traceback.
    warnings = _cache_warnings(caplog)
    assert len(warnings) == 5
    assert all("built from the database" in line for line in warnings)
    assert not any(r.exc_info for r in caplog.records)


def test_an_incident_post_works_and_shows_on_the_next_read(
    api, page, cache_down, caplog, django_capture_on_commit_callbacks
):
    component = ComponentFactory(page=page, name="API")
    caplog.set_level(logging.WARNING)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            f"/api/v1/status-pages/{page.id}/incidents",
            {
                "name": "API down",
                "message": "Looking",
                "component_statuses": [{"component_id": component.id, "status": "major_outage"}],
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="down-1",
        )
    assert created.status_code == 201, created.content
    assert Incident.objects.get().name == "API down"
    rate_limit_lines = [line for line in _cache_warnings(caplog) if "rate limit" in line]
    assert len(rate_limit_lines) == 1  # fails open, once
    summary = Client().get("/pages/acme/api/v2/summary.json").json()
    assert [i["name"] for i in summary["incidents"]] == ["API down"]
    assert summary["status"]["indicator"] == "critical"


def test_a_subscribe_works(page, cache_down, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.WARNING)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/pages/acme/api/v2/subscribers.json", {"subscriber[email]": "ann@example.com"}
        )
    assert response.status_code == 201, response.content
    assert Subscriber.objects.get().email == "ann@example.com"
    assert len([line for line in _cache_warnings(caplog) if "rate limit" in line]) == 1
