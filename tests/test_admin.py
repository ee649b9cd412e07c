"""Operators run pages, keys and incidents from the admin site, through the API's services."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey
from incidents.models import Incident
from incidents.services import incident_create
from maintenances.models import Maintenance
from notifications.models import Delivery, NotificationEvent
from statuspages.models import Component
from subscribers.models import Subscriber
from tests.factories import (
    ComponentFactory,
    OrganizationFactory,
    StatusPageFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_page():
    return StatusPageFactory(organization=OrganizationFactory(slug="globex"), slug="globex")


def _public_status(page):
    return APIClient().get(f"/pages/{page.slug}/api/v2/status.json").json()["status"]


def test_an_operator_sees_only_their_organizations_pages(operator, page, other_page):
    listing = operator.get("/admin/statuspages/statuspage/").content.decode()
    assert page.name in listing and other_page.name not in listing
    foreign = operator.get(f"/admin/statuspages/statuspage/{other_page.id}/change/")
    assert foreign.status_code == 302  # the admin's "does not exist" redirect


def test_an_operator_cannot_see_another_organizations_incident(operator, other_page):
    incident = incident_create(page=other_page, name="Secret outage")
    assert "Secret outage" not in operator.get("/admin/incidents/incident/").content.decode()
    assert operator.get(f"/admin/incidents/incident/{incident.id}/publish/").status_code == 404


def test_creating_an_api_key_shows_the_token_once_and_it_works(operator, organization, page):
    response = operator.post(
        "/admin/accounts/apikey/add/",
        {
            "organization": organization.id,
            "name": "deploy bot",
            "scopes": ["incidents:write"],
            "pages": [page.id],
        },
    )
    assert response.status_code == 200
    token = re.search(r'id="api-token"[^>]*>(spk_[^<]+)<', response.content.decode()).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = client.get("/api/v1/me").json()
    assert me["name"] == "deploy bot" and me["scopes"] == ["incidents:write"]
    assert me["pages"] == [page.id]
    key = ApiKey.objects.get(id=me["id"])
    change = operator.get(f"/admin/accounts/apikey/{key.id}/change/").content.decode()
    assert token not in change and key.token_hint in change
    assert token not in operator.get("/admin/accounts/apikey/").content.decode()


def test_the_revoke_action_makes_the_key_fail(operator, make_client, organization):
    keyed = make_client(organization=organization)
    operator.post(
        "/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [keyed.key.id]}
    )
    assert keyed.get("/api/v1/me").status_code == 401


def test_publishing_an_update_in_the_admin_acts_like_the_api(
    operator, page, django_capture_on_commit_callbacks
):
    api_component = ComponentFactory(page=page, name="API")
    incident = incident_create(
        page=page,
        name="Errors",
        component_statuses=[{"component_id": api_component.id, "status": "degraded_performance"}],
    )
    assert _public_status(page)["indicator"] == "minor"

    form = operator.get(f"/admin/incidents/incident/{incident.id}/publish/")
    assert form.status_code == 200 and "API" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            f"/admin/incidents/incident/{incident.id}/publish/",
            {
                "status": "identified",
                "message": "Database overloaded.",
                "notify_subscribers": "on",
                f"component_{api_component.id}": "major_outage",
            },
        )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "identified" and incident.impact == "critical"
    assert _public_status(page)["indicator"] == "critical", "the public cache was invalidated"
    assert NotificationEvent.objects.filter(incident_id=incident.id).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            "/admin/incidents/incident/", {"action": "resolve", "_selected_action": [incident.id]}
        )
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert _public_status(page)["indicator"] == "none"


def test_resolving_in_the_admin_refuses_component_changes(operator, page):
    component = ComponentFactory(page=page)
    incident = incident_create(page=page, name="Errors")
    response = operator.post(
        f"/admin/incidents/incident/{incident.id}/publish/",
        {"status": "resolved", f"component_{component.id}": "major_outage"},
    )
    assert response.status_code == 200
    # The service's own reason, shown above the form.
    assert "resets this incident&#x27;s components to operational" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "investigating"


def test_opening_an_incident_in_the_admin(operator, page):
    component = ComponentFactory(page=page, name="Checkout")
    response = operator.post(
        f"/admin/incidents/incident/add/?page={page.id}",
        {
            "page": page.id,
            "name": "Checkout failing",
            "status": "investigating",
            "message": "Payments fail.",
            "notify_subscribers": "on",
            f"component_{component.id}": "partial_outage",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get(name="Checkout failing")
    assert incident.impact == "major"
    assert _public_status(page)["indicator"] == "major"


def test_a_postmortem_waits_for_the_resolution_in_the_admin_too(operator, page):
    incident = incident_create(page=page, name="Errors")
    response = operator.post(
        f"/admin/incidents/incident/{incident.id}/change/",
        {
            "name": "Errors",
            "impact_override": "",
            "postmortem": "# Why",
            "incidentupdate_set-TOTAL_FORMS": "0",
            "incidentupdate_set-INITIAL_FORMS": "0",
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "once the incident is resolved" in response.content.decode()


def test_editing_components_inline_goes_through_the_services(operator, page):
    component = ComponentFactory(page=page, name="API", position=0)
    data = {
        "organization": page.organization.id,
        "name": page.name,
        "slug": page.slug,
        "time_zone": "UTC",
        "default_language": "en",
        "custom_domain": "",
        "url_override": "",
        "groups-TOTAL_FORMS": "1",
        "groups-INITIAL_FORMS": "0",
        "groups-0-name": "Core",
        "groups-0-description": "",
        "groups-0-position": "0",
        "components-TOTAL_FORMS": "2",
        "components-INITIAL_FORMS": "1",
        "components-0-id": component.id,
        "components-0-page": page.id,
        "components-0-name": "API",
        "components-0-position": "0",
        "components-0-manual_status": "partial_outage",
        "components-0-showcase": "on",
        "components-0-description": "",
        "components-1-page": page.id,
        "components-1-name": "Search",
        "components-1-position": "1",
        "components-1-manual_status": "operational",
        "components-1-showcase": "on",
        "components-1-description": "",
        "incident_templates-TOTAL_FORMS": "0",
        "incident_templates-INITIAL_FORMS": "0",
        "maintenance_templates-TOTAL_FORMS": "0",
        "maintenance_templates-INITIAL_FORMS": "0",
    }
    response = operator.post(f"/admin/statuspages/statuspage/{page.id}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Component.objects.filter(page=page).values_list("name", flat=True)) == {
        "API",
        "Search",
    }
    assert _public_status(page)["indicator"] == "major"


def test_scheduling_a_maintenance_in_the_admin(operator, page):
    component = ComponentFactory(page=page)
    start = timezone.now() + timedelta(days=1)
    response = operator.post(
        "/admin/maintenances/maintenance/add/",
        {
            "page": page.id,
            "name": "Upgrade",
            "start_at_0": start.strftime("%Y-%m-%d"),
            "start_at_1": start.strftime("%H:%M:%S"),
            "end_at_0": (start + timedelta(hours=1)).strftime("%Y-%m-%d"),
            "end_at_1": (start + timedelta(hours=1)).strftime("%H:%M:%S"),
            "auto_transition": "on",
            "components": [component.id],
            "message": "Planned.",
            "notify_subscribers": "on",
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    maintenance = Maintenance.objects.get(name="Upgrade")
    assert list(maintenance.components.all()) == [component]
    assert maintenance.updates.count() == 1


def test_operators_search_and_filter_subscribers_and_quarantine_them(operator, page, other_page):
    mine = SubscriberFactory(page=page, channel="email", endpoint="", email="ann@example.com")
    SubscriberFactory(
        page=page, channel="email", endpoint="", email="bob@example.com", confirmed_at=None
    )
    SubscriberFactory(page=other_page, channel="email", endpoint="", email="ann@globex.example")
    found = operator.get("/admin/subscribers/subscriber/?q=ann").content.decode()
    assert "ann@example.com" in found and "ann@globex.example" not in found
    unconfirmed = operator.get("/admin/subscribers/subscriber/?state=unconfirmed").content
    assert b"bob@example.com" in unconfirmed and b"ann@example.com" not in unconfirmed
    operator.post(
        "/admin/subscribers/subscriber/", {"action": "quarantine", "_selected_action": [mine.id]}
    )
    mine.refresh_from_db()
    assert mine.quarantined_at is not None
    quarantined = operator.get("/admin/subscribers/subscriber/?state=quarantined").content
    assert b"ann@example.com" in quarantined
    operator.post(
        "/admin/subscribers/subscriber/",
        {"action": "lift_quarantine", "_selected_action": [mine.id]},
    )
    mine.refresh_from_db()
    assert mine.quarantined_at is None


def test_adding_a_webhook_subscriber_shows_its_secret_once(operator, page, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    response = operator.post(
        "/admin/subscribers/subscriber/add/",
        {
            "page": page.id,
            "channel": "webhook",
            "endpoint": "http://127.0.0.1:9/hook",
            "confirmed": "on",
        },
    )
    assert response.status_code == 200
    secret = re.search(r'id="signing-secret"[^>]*>(whsec_[^<]+)<', response.content.decode())
    assert secret is not None
    subscriber = Subscriber.objects.get(endpoint="http://127.0.0.1:9/hook")
    assert subscriber.signing_secret == secret.group(1)
    assert (
        secret.group(1)
        not in operator.get(
            f"/admin/subscribers/subscriber/{subscriber.id}/change/"
        ).content.decode()
    )


def test_deliveries_are_read_only_and_filter_by_status_and_subscriber(operator, page, other_page):
    subscriber = SubscriberFactory(page=page)
    stranger = SubscriberFactory(page=other_page)
    incident_create(page=page, name="Outage")
    incident_create(page=other_page, name="Elsewhere")
    event = NotificationEvent.objects.get(page=page)
    foreign_event = NotificationEvent.objects.get(page=other_page)
    mine = Delivery.objects.create(
        page=page,
        event=event,
        subscriber=subscriber,
        kind=event.kind,
        status="failed",
        attempts=3,
        last_error="HTTP 500",
        response_code=500,
    )
    theirs = Delivery.objects.create(
        page=other_page,
        event=foreign_event,
        subscriber=stranger,
        kind=foreign_event.kind,
        status="failed",
    )
    listing = operator.get("/admin/notifications/delivery/?status__exact=failed")
    assert mine.id.encode() in listing.content and theirs.id.encode() not in listing.content
    by_subscriber = operator.get(f"/admin/notifications/delivery/?subscriber_id={subscriber.id}")
    assert mine.id.encode() in by_subscriber.content
    detail = operator.get(f"/admin/notifications/delivery/{mine.id}/change/").content.decode()
    assert "HTTP 500" in detail and f"/admin/subscribers/subscriber/{subscriber.id}/" in detail
    assert 'name="_save"' not in detail, "deliveries are read-only"
    assert operator.get("/admin/notifications/delivery/add/").status_code == 403
