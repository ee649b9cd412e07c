"""The write services check and normalise what they are given, whoever calls them, and refuse
with one error type (``ValidationError``) naming the field at fault."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.models import Incident, IncidentStatus
from incidents.services import incident_change, incident_create, incident_update_publish
from maintenances.models import Maintenance, MaintenanceStatus
from maintenances.services import maintenance_create, maintenance_update_publish
from metrics.models import Metric
from metrics.services import metric_create
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from pagetemplates.services import template_create
from statuspages.models import MESSAGE_MAX_LENGTH, Component, StatusPage
from statuspages.publishing import published_update_edit
from statuspages.services import (
    component_create,
    component_group_create,
    component_update,
    status_page_create,
    status_page_update,
)
from subscribers.models import Subscriber, SubscriberState
from subscribers.services import subscriber_create
from tests.factories import ComponentFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * (MESSAGE_MAX_LENGTH + 1)


def refusal_fields(call) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return set(caught.value.message_dict)


@pytest.fixture
def component(page):
    return ComponentFactory(page=page, name="API", position=0)


@pytest.fixture
def foreign_component(organization):
    return ComponentFactory(page=StatusPageFactory(organization=organization, slug="docs"))


def _window():
    start = timezone.now() + timedelta(days=1)
    return {"start_at": start, "end_at": start + timedelta(hours=1)}


# ---- pages ------------------------------------------------------------------------------------


def test_a_page_is_stored_with_its_domain_lower_case_and_trimmed(organization):
    page = status_page_create(
        organization=organization,
        name="  Docs ",
        slug="docs",
        time_zone="Europe/Paris",
        custom_domain="  Status.Docs.EXAMPLE ",
        reader_domains=["@Customer.COM", "customer.com"],
    )
    page.refresh_from_db()
    assert (page.name, page.custom_domain, page.reader_domains) == (
        "Docs",
        "status.docs.example",
        ["customer.com"],
    )


def test_a_page_service_refuses_every_bad_value_at_once_under_its_field(organization):
    fields = refusal_fields(
        lambda: status_page_create(
            organization=organization,
            name="Docs",
            slug="Not A Slug",
            time_zone="Mars/Olympus_Mons",
            custom_domain="not a domain!",
            url_override="ftp://example.com",
            default_language="tlh",
            visibility="secret",
        )
    )
    assert fields == {
        "slug",
        "time_zone",
        "custom_domain",
        "url_override",
        "default_language",
        "visibility",
    }
    assert not StatusPage.objects.filter(name="Docs").exists()


def test_a_page_update_refuses_a_bad_time_zone_and_keeps_the_old_one(page):
    assert refusal_fields(lambda: status_page_update(page=page, time_zone="UTC+25")) == {
        "time_zone"
    }
    page.refresh_from_db()
    assert page.time_zone == "UTC"


def test_a_component_status_that_does_not_exist_is_refused(page, component):
    assert refusal_fields(
        lambda: component_create(page=page, name="DB", manual_status="on_fire")
    ) == {"manual_status"}
    assert refusal_fields(
        lambda: component_update(component=component, manual_status="on_fire")
    ) == {"manual_status"}
    assert not Component.objects.filter(name="DB").exists()


# ---- statuses ---------------------------------------------------------------------------------


def test_an_incident_update_with_a_status_incidents_do_not_have_is_refused(page):
    incident = incident_create(page=page, name="Errors")
    for status in ("scheduled", "exploded", "", None):
        assert refusal_fields(
            lambda status=status: incident_update_publish(incident=incident, status=status)
        ) == {"status"}
    assert incident.updates.count() == 1


def test_an_incident_is_not_opened_with_a_maintenance_status_or_an_unknown_impact(page):
    assert refusal_fields(lambda: incident_create(page=page, name="E", status="scheduled")) == {
        "status"
    }
    assert refusal_fields(
        lambda: incident_create(page=page, name="E", impact_override="apocalyptic")
    ) == {"impact_override"}
    assert not Incident.objects.exists()


def test_a_maintenance_refuses_incident_statuses(page):
    assert refusal_fields(
        lambda: maintenance_create(page=page, name="Upgrade", status="investigating", **_window())
    ) == {"status"}
    maintenance = maintenance_create(page=page, name="Upgrade", **_window())
    assert refusal_fields(
        lambda: maintenance_update_publish(maintenance=maintenance, status="resolved")
    ) == {"status"}
    assert maintenance.updates.count() == 1


def test_an_incident_component_status_that_does_not_exist_is_refused(page, component):
    statuses = [{"component_id": component.id, "status": "on_fire"}]
    assert refusal_fields(
        lambda: incident_create(page=page, name="E", component_statuses=statuses)
    ) == {"component_statuses"}
    assert refusal_fields(
        lambda: incident_create(page=page, name="E", component_statuses="not a list")
    ) == {"component_statuses"}


# ---- message length ---------------------------------------------------------------------------


def test_every_publisher_refuses_a_message_over_the_limit(page):
    incident = incident_create(page=page, name="Errors", message="x" * MESSAGE_MAX_LENGTH)
    maintenance = maintenance_create(page=page, name="Upgrade", **_window())
    calls = {
        "incident_create": lambda: incident_create(page=page, name="E", message=TOO_LONG),
        "incident_update_publish": lambda: incident_update_publish(
            incident=incident, status="identified", message=TOO_LONG
        ),
        "maintenance_create": lambda: maintenance_create(
            page=page, name="U", message=TOO_LONG, **_window()
        ),
        "maintenance_update_publish": lambda: maintenance_update_publish(
            maintenance=maintenance, status="in_progress", message=TOO_LONG
        ),
        "published_update_edit": lambda: published_update_edit(
            update=incident.updates.get(), page_id=page.id, message=TOO_LONG
        ),
        "template_create": lambda: template_create(
            model=IncidentTemplate, page=page, name="T", message=TOO_LONG
        ),
    }
    for name, call in calls.items():
        assert refusal_fields(call) == {"message"}, name
    assert (Incident.objects.count(), Maintenance.objects.count()) == (1, 1)
    assert incident.updates.get().message == "x" * MESSAGE_MAX_LENGTH


# ---- components of the page -------------------------------------------------------------------


def test_components_of_another_page_are_refused_by_every_service(page, foreign_component):
    other = foreign_component.id
    calls = {
        "component_statuses": lambda: incident_create(
            page=page,
            name="E",
            component_statuses=[{"component_id": other, "status": "major_outage"}],
        ),
        "component_ids": lambda: maintenance_create(
            page=page, name="U", component_ids=[other], **_window()
        ),
    }
    for field, call in calls.items():
        assert refusal_fields(call) == {field}
    assert refusal_fields(
        lambda: subscriber_create(
            page=page, channel="email", email="ann@example.com", component_ids=[other]
        )
    ) == {"component_ids"}
    assert refusal_fields(
        lambda: template_create(
            model=MaintenanceTemplate, page=page, name="T", component_ids=[other]
        )
    ) == {"component_ids"}
    assert not Subscriber.objects.exists()


# ---- name or template -------------------------------------------------------------------------


@pytest.fixture
def template(page, component):
    return IncidentTemplate.objects.create(
        page=page,
        name="API down",
        title="{{ component_names }} unavailable",
        message="Sorry, {{ customer }}.",
        status=IncidentStatus.IDENTIFIED,
        component_statuses=[{"component_id": component.id, "status": "major_outage"}],
        notify_subscribers=False,
    )


def test_an_incident_needs_a_name_or_a_template(page):
    assert refusal_fields(lambda: incident_create(page=page)) == {"name"}
    assert refusal_fields(lambda: incident_create(page=page, name="   ")) == {"name"}
    assert refusal_fields(lambda: maintenance_create(page=page, **_window())) == {"name"}
    assert not Incident.objects.exists()


def test_an_update_needs_a_status_or_a_template(page):
    incident = incident_create(page=page, name="Errors")
    assert refusal_fields(lambda: incident_update_publish(incident=incident)) == {"status"}


def test_an_incident_from_a_template_takes_its_fields_under_the_explicit_ones(page, template):
    incident = incident_create(
        page=page,
        template_id=template.id,
        template_values={"customer": "Globex"},
        status=IncidentStatus.INVESTIGATING,
    )
    update = incident.updates.get()
    assert (incident.name, incident.status) == ("API unavailable", IncidentStatus.INVESTIGATING)
    assert (update.message, update.notify_subscribers) == ("Sorry, Globex.", False)
    assert [link.status for link in incident.component_links.all()] == ["major_outage"]


def test_a_template_placeholder_without_a_value_or_an_unknown_template_is_refused(page, template):
    assert refusal_fields(lambda: incident_create(page=page, template_id=template.id)) == {
        "template_values"
    }
    assert refusal_fields(lambda: incident_create(page=page, template_id="tpl_nope")) == {
        "template_id"
    }
    incident = incident_create(page=page, name="Errors")
    assert refusal_fields(
        lambda: incident_update_publish(
            incident=incident, template_id=template.id, template_values={"customer": ["x"]}
        )
    ) == {"template_values"}
    assert not Incident.objects.exclude(id=incident.id).exists()


def test_a_maintenance_from_a_template_keeps_its_window_and_explicit_name(page, component):
    template = MaintenanceTemplate.objects.create(
        page=page,
        name="DB upgrade",
        title="Upgrade of {{ component_names }}",
        message="Starting at {{ started_at }}.",
        status=MaintenanceStatus.SCHEDULED,
        component_ids=[component.id],
    )
    window = _window()
    maintenance = maintenance_create(page=page, template_id=template.id, **window)
    assert maintenance.name == "Upgrade of API"
    assert [c.id for c in maintenance.components.all()] == [component.id]
    expected = f"Starting at {window['start_at']:%Y-%m-%d %H:%M} UTC."
    assert maintenance.updates.get().message == expected
    named = maintenance_create(page=page, template_id=template.id, name="Mine", **window)
    assert named.name == "Mine"


def test_incident_change_checks_its_name_and_impact(page):
    incident = incident_create(page=page, name="Errors")
    assert refusal_fields(lambda: incident_change(incident=incident, name="")) == {"name"}
    assert refusal_fields(lambda: incident_change(incident=incident, impact_override="x")) == {
        "impact_override"
    }


# ---- subscriber states ------------------------------------------------------------------------


def test_each_subscriber_is_in_exactly_one_state_and_the_filters_agree(page):
    now = timezone.now()
    made = {
        "active": dict(confirmed_at=now),
        "unconfirmed": dict(confirmed_at=None),
        "quarantined": dict(confirmed_at=now, quarantined_at=now),
        "quarantined_unconfirmed": dict(confirmed_at=None, quarantined_at=now),
    }
    subscribers = {
        name: Subscriber.objects.create(page=page, channel="email", email=f"{name}@x.example", **f)
        for name, f in made.items()
    }
    for state in SubscriberState.values:
        listed = set(Subscriber.objects.in_state(state).values_list("id", flat=True))
        assert listed == {s.id for s in subscribers.values() if s.state == state}, state
    assert subscribers["quarantined_unconfirmed"].state == SubscriberState.QUARANTINED
    assert list(Subscriber.objects.active()) == [subscribers["active"]]


def test_groups_and_components_need_a_name_and_a_short_description(page):
    assert refusal_fields(lambda: component_group_create(page=page, name=" ")) == {"name"}
    assert refusal_fields(
        lambda: component_create(page=page, name="DB", description="x" * 1001)
    ) == {"description"}
    assert not Component.objects.filter(name="DB").exists()


# ---- subscriber addresses and metrics --------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "address", "field"),
    [
        ("email", {"email": "a" * 250 + "@x.io"}, "email"),
        ("sms", {"phone_number": "1" * 65}, "phone_number"),
        ("webhook", {"endpoint": "https://example.com/" + "x" * 2030}, "endpoint"),
    ],
)
def test_a_subscriber_address_longer_than_its_column_is_refused_by_the_service(
    page, channel, address, field
):
    assert refusal_fields(lambda: subscriber_create(page=page, channel=channel, **address)) == {
        field
    }
    assert not Subscriber.objects.exists()


def test_a_metric_needs_a_name_of_at_most_255_characters_and_a_short_suffix(page):
    assert refusal_fields(lambda: metric_create(page=page, name="x" * 256)) == {"name"}
    assert refusal_fields(lambda: metric_create(page=page, name="  ")) == {"name"}
    assert refusal_fields(lambda: metric_create(page=page, name="p95", suffix="s" * 33)) == {
        "suffix"
    }
    assert not Metric.objects.exists()
    assert metric_create(page=page, name=" p95 latency ", suffix="ms").name == "p95 latency"
