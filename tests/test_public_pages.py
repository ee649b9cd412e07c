"""The human status page, incident pages and history feeds."""

import datetime as dt

import feedparser
import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from incidents.models import IncidentUpdate
from incidents.services import incident_create, incident_resolve
from maintenances.services import maintenance_create
from tests.factories import (
    ComponentFactory,
    ComponentGroupFactory,
    IncidentFactory,
    IncidentUpdateFactory,
    StatusPageFactory,
)
from tests.test_public_api import _page_with

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def html(path, **headers):
    response = Client().get(path, **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_status_page_shows_banner_components_incidents_and_maintenances(page, on_commit):
    group = ComponentGroupFactory(page=page, name="Core platform")
    api = ComponentFactory(page=page, group=group, name="Public API")
    ComponentFactory(page=page, name="Website")
    db = ComponentFactory(page=page, name="Database")
    now = timezone.now()
    with on_commit():
        incident_create(
            page=page,
            name="Elevated API errors",
            message="We are investigating.",
            component_statuses=[{"component_id": api.id, "status": "partial_outage"}],
        )
        maintenance_create(
            page=page,
            name="Database upgrade",
            message="Planned.",
            component_ids=[db.id],
            start_at=now + dt.timedelta(days=3),
            end_at=now + dt.timedelta(days=3, hours=2),
        )
        maintenance_create(
            page=page,
            name="Network work",
            message="Now.",
            component_ids=[],
            start_at=now - dt.timedelta(minutes=1),
            end_at=now + dt.timedelta(hours=1),
        )
        old = incident_create(page=page, name="Yesterday's blip", message="Blip.")
        incident_resolve(incident=old, message="All good.")

    body = html("/pages/acme/")
    assert 'data-indicator="major"' in body
    assert "Partial System Outage" in body
    assert "Core platform" in body and "Public API" in body and "Website" in body
    assert 'data-status="partial_outage"' in body
    assert "Elevated API errors" in body and "We are investigating." in body
    assert "Maintenance in progress" in body and "Network work" in body
    assert "Scheduled maintenance" in body and "Database upgrade" in body
    assert "Past incidents" in body and "Yesterday&#x27;s blip" in body
    assert 'action="/pages/acme/subscribe"' in body
    assert 'name="subscriber[email]"' in body
    assert '<meta name="viewport"' in body
    assert "<script" not in body  # works without JavaScript


def test_status_page_is_served_at_the_root_by_host(page):
    ComponentFactory(page=page, name="Website")
    body = html("/", HTTP_HOST="acme.localhost:8000")
    assert "All Systems Operational" in body
    assert 'action="/subscribe"' in body
    assert Client().get("/", HTTP_HOST="nobody.localhost").status_code == 404
    assert Client().get("/pages/nobody/").status_code == 404


def test_history_shows_90_days_only(page):
    recent = IncidentFactory(
        page=page,
        name="Recent trouble",
        status="resolved",
        started_at=timezone.now() - dt.timedelta(days=10),
    )
    IncidentFactory(
        page=page,
        name="Ancient trouble",
        status="resolved",
        started_at=timezone.now() - dt.timedelta(days=120),
    )
    IncidentUpdateFactory(incident=recent, message="Resolved it.")
    body = html("/pages/acme/")
    assert "Recent trouble" in body and "Resolved it." in body
    assert "Ancient trouble" not in body


def test_everything_users_typed_is_escaped(organization, on_commit):
    page = StatusPageFactory(organization=organization, slug="xss", name=XSS)
    group = ComponentGroupFactory(page=page, name=XSS)
    component = ComponentFactory(page=page, group=group, name=XSS, description=XSS)
    with on_commit():
        incident = incident_create(
            page=page,
            name=XSS,
            message=XSS,
            component_statuses=[{"component_id": component.id, "status": "major_outage"}],
        )
    for path in ["/pages/xss/", f"/pages/xss/incidents/{incident.id}"]:
        body = html(path)
        assert XSS not in body
        assert ESCAPED in body
    for feed in ["history.rss", "history.atom"]:
        raw = Client().get(f"/pages/xss/{feed}").content.decode()
        assert XSS not in raw
        parsed = feedparser.parse(raw)
        assert parsed.entries[0].title == XSS  # the reader gets the text back, as text


def test_times_are_shown_in_the_page_time_zone(organization):
    page = StatusPageFactory(organization=organization, slug="ny", time_zone="America/New_York")
    incident = IncidentFactory(page=page, name="Winter outage")
    update = IncidentUpdateFactory(incident=incident, message="Looking")
    IncidentUpdate.objects.filter(pk=update.pk).update(
        created_at=dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
    )
    body = html("/pages/ny/")
    assert "Jan 15, 2026 07:00 EST" in body
    assert "America/New_York" in body


def test_incident_page_lives_at_the_shortlink(page, on_commit):
    with on_commit():
        incident = incident_create(page=page, name="Login failures", message="Investigating.")
        incident_resolve(incident=incident, message="Fixed the login.")
    assert incident.shortlink.endswith(f"/pages/acme/incidents/{incident.id}")
    body = html(f"/pages/acme/incidents/{incident.id}")
    assert "Login failures" in body and "Fixed the login." in body and "Investigating." in body
    assert body.index("Fixed the login.") < body.index("Investigating.")  # newest first
    by_host = html(f"/incidents/{incident.id}", HTTP_HOST="acme.localhost")
    assert "Login failures" in by_host


def test_maintenance_page_shares_the_incident_route(page, on_commit):
    now = timezone.now()
    with on_commit():
        maintenance = maintenance_create(
            page=page,
            name="Router swap",
            message="Swapping routers.",
            start_at=now + dt.timedelta(days=1),
            end_at=now + dt.timedelta(days=1, hours=1),
        )
    body = html(f"/pages/acme/incidents/{maintenance.id}")
    assert "Router swap" in body and "Swapping routers." in body


def test_incident_page_of_another_page_is_not_found(page, organization):
    other = StatusPageFactory(organization=organization, slug="other")
    incident = IncidentFactory(page=other)
    assert Client().get(f"/pages/acme/incidents/{incident.id}").status_code == 404
    assert Client().get("/pages/acme/incidents/inc_nope").status_code == 404
    assert Client().get("/pages/acme/incidents/mnt_nope").status_code == 404


def test_feeds_are_valid_rss_and_atom_with_incident_items(page, on_commit):
    with on_commit():
        incident = incident_create(page=page, name="Queue backlog", message="Delays.")
        incident_resolve(incident=incident, message="Drained.")
    rss = Client().get("/pages/acme/history.rss")
    assert rss["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(rss.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Acme Status - Incident History"
    (entry,) = parsed.entries
    assert entry.title == "Queue backlog"
    assert entry.link == incident.shortlink
    assert "Drained." in entry.description

    atom = Client().get("/history.atom", HTTP_HOST="acme.localhost")
    assert atom["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(atom.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    (entry,) = parsed.entries
    assert entry.title == "Queue backlog"
    assert entry.link == incident.shortlink
    assert entry.id == incident.shortlink


def test_status_page_reflects_a_write_on_the_next_read(page, on_commit):
    component = ComponentFactory(page=page, name="Website")
    assert "All Systems Operational" in html("/pages/acme/")
    with on_commit():
        incident_create(
            page=page,
            name="Site down",
            message="Down.",
            component_statuses=[{"component_id": component.id, "status": "major_outage"}],
        )
    body = html("/pages/acme/")
    assert "Major Service Outage" in body and "Site down" in body


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("path", ["/pages/acme/", "/pages/acme/history.rss"])
def test_page_and_feed_take_a_fixed_number_of_queries(
    path, size, page, django_assert_max_num_queries
):
    _page_with(page, size)
    cache.clear()
    # The human page also reads the uptime history (intervals, incident links) and the metric
    # charts (metrics, roll-ups): four queries.
    with django_assert_max_num_queries(18):
        assert Client().get(path).status_code == 200


def test_human_page_shows_the_same_state_as_summary_json(page, on_commit):
    group = ComponentGroupFactory(page=page, name="Core")
    api = ComponentFactory(page=page, group=group, name="API")
    ComponentFactory(page=page, name="Website")
    ComponentFactory(page=page, name="Hidden", only_show_if_degraded=True)
    with on_commit():
        incident_create(
            page=page,
            name="API slow",
            message="Slow.",
            component_statuses=[{"component_id": api.id, "status": "degraded_performance"}],
        )
    summary = Client().get("/pages/acme/api/v2/summary.json").json()
    body = html("/pages/acme/")
    assert f'data-indicator="{summary["status"]["indicator"]}"' in body
    for component in summary["components"]:
        if not component["group"]:
            assert f'<li data-component="{component["id"]}">' in body, component["name"]
            row = body.split(f'data-component="{component["id"]}"', 1)[1].split("</li>", 1)[0]
            assert f'data-status="{component["status"]}"' in row
    assert "Hidden" not in body


def test_human_page_answers_if_none_match_with_304(page):
    first = Client().get("/pages/acme/")
    again = Client().get("/pages/acme/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_an_unknown_time_zone_falls_back_to_utc(organization):
    StatusPageFactory(organization=organization, slug="tz", time_zone="Mars/Olympus_Mons")
    assert "Times shown in UTC." in html("/pages/tz/")
