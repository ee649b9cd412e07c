"""An on-call engineer publishes from a prepared template in one call: through the API and
the admin, with placeholders filled in and explicit fields winning."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from incidents.services import incident_create
from maintenances.models import Maintenance
from maintenances.services import maintenance_create
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


def _base(page):
    return f"/api/v1/status-pages/{page.id}"


@pytest.fixture
def checkout(page):
    return ComponentFactory(page=page, name="Checkout")


@pytest.fixture
def outage_template(api, page, checkout):
    response = api.post(
        f"{_base(page)}/incident-templates",
        {
            "name": "Payment provider down",
            "title": "{{ provider }} payments failing",
            "message": "{{ component_names }} affected since {{ started_at }}; {{ provider }} "
            "is investigating.",
            "status": "identified",
            "component_statuses": [{"component_id": checkout.id, "status": "major_outage"}],
            "notify_subscribers": False,
        },
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_incident_template_round_trips_through_the_api(api, page, outage_template, checkout):
    assert outage_template["id"].startswith("tpl_")
    assert set(outage_template) == {
        "id",
        "name",
        "title",
        "message",
        "status",
        "component_statuses",
        "notify_subscribers",
        "created_at",
        "updated_at",
    }
    url = f"{_base(page)}/incident-templates/{outage_template['id']}"
    assert api.patch(url, {"name": "Provider outage"}).json()["name"] == "Provider outage"
    listed = api.get(f"{_base(page)}/incident-templates").json()
    assert [t["name"] for t in listed["data"]] == ["Provider outage"]
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_publishing_from_a_template_renders_its_placeholders(api, page, outage_template):
    started = "2026-11-30T03:04:00Z"
    response = api.post(
        f"{_base(page)}/incidents",
        {
            "template_id": outage_template["id"],
            "template_values": {"provider": "Stripe"},
            "started_at": started,
        },
        HTTP_IDEMPOTENCY_KEY="tpl-1",
    )
    assert response.status_code == 201, response.json()
    incident = response.json()
    assert incident["name"] == "Stripe payments failing"
    assert incident["status"] == "identified"
    assert incident["impact"] == "critical"
    assert incident["updates"][0]["message"] == (
        "Checkout affected since 2026-11-30 03:04 UTC; Stripe is investigating."
    )
    assert incident["updates"][0]["notify_subscribers"] is False


def test_fields_given_explicitly_win_over_the_template(api, page, outage_template):
    response = api.post(
        f"{_base(page)}/incidents",
        {
            "template_id": outage_template["id"],
            "template_values": {"provider": "Adyen"},
            "name": "Card payments degraded",
            "status": "investigating",
            "notify_subscribers": True,
        },
        HTTP_IDEMPOTENCY_KEY="tpl-2",
    )
    incident = response.json()
    assert incident["name"] == "Card payments degraded"
    assert incident["status"] == "investigating"
    assert incident["updates"][0]["notify_subscribers"] is True
    assert "Adyen is investigating" in incident["updates"][0]["message"]


def test_a_placeholder_without_a_value_is_a_400_and_opens_nothing(api, page, outage_template):
    response = api.post(
        f"{_base(page)}/incidents",
        {"template_id": outage_template["id"]},
        HTTP_IDEMPOTENCY_KEY="tpl-3",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == {"template_values": ["No value for placeholder(s): provider."]}
    assert not Incident.objects.exists()


def test_a_template_cannot_reach_anything_but_the_values_given(api, page):
    response = api.post(
        f"{_base(page)}/incident-templates",
        {"name": "Sneaky", "title": "{{ settings.SECRET_KEY }}", "message": "{{ x|upper }}"},
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"title", "message"}
    plain = api.post(
        f"{_base(page)}/incident-templates", {"name": "Plain", "title": "{{ __class__ }}"}
    ).json()
    response = api.post(
        f"{_base(page)}/incidents",
        {"template_id": plain["id"], "template_values": {"__class__": "{{ provider }}"}},
        HTTP_IDEMPOTENCY_KEY="tpl-4",
    )
    # Values are text: a value that looks like a placeholder is not rendered again.
    assert response.json()["name"] == "{{ provider }}"


def test_another_pages_or_organizations_template_is_refused(api, make_client, page):
    other_page = StatusPageFactory(organization=page.organization, slug="other")
    foreign = make_client(organization=OrganizationFactory(slug="globex"))
    foreign_page = StatusPageFactory(organization=foreign.key.organization, slug="globex")
    elsewhere = [
        IncidentTemplate.objects.create(page=other_page, name="Other", title="Other"),
        IncidentTemplate.objects.create(page=foreign_page, name="Foreign", title="Foreign"),
    ]
    for number, template in enumerate(elsewhere):
        response = api.post(
            f"{_base(page)}/incidents",
            {"template_id": template.id},
            HTTP_IDEMPOTENCY_KEY=f"tpl-x{number}",
        )
        assert response.status_code == 400
        assert "template_id" in response.json()["error"]["details"]
    # Another organization's template is not found through its page either.
    url = f"{_base(foreign_page)}/incident-templates/{elsewhere[1].id}"
    assert api.get(url).status_code == 404


def test_a_template_needs_the_incidents_write_scope_and_components_of_its_page(
    make_client, organization, page
):
    reader = make_client(organization=organization, scopes="")
    response = reader.post(f"{_base(page)}/incident-templates", {"name": "T"})
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required_scope": "incidents:write"}
    writer = make_client(organization=organization, scopes="incidents:write")
    foreign = ComponentFactory(page=StatusPageFactory(organization=organization, slug="b"))
    response = writer.post(
        f"{_base(page)}/incident-templates",
        {
            "name": "T",
            "component_statuses": [{"component_id": foreign.id, "status": "major_outage"}],
        },
    )
    assert response.status_code == 400
    assert "component_statuses" in response.json()["error"]["details"]


def test_creating_a_template_honours_the_idempotency_key(api, page):
    url = f"{_base(page)}/incident-templates"
    first = api.post(url, {"name": "Same"}, HTTP_IDEMPOTENCY_KEY="tpl-idem")
    again = api.post(url, {"name": "Same"}, HTTP_IDEMPOTENCY_KEY="tpl-idem")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert IncidentTemplate.objects.count() == 1
    assert api.post(url, {"name": "Other"}, HTTP_IDEMPOTENCY_KEY="tpl-idem").status_code == 422


def test_an_update_from_a_template_resolves_with_its_message(api, page, outage_template, checkout):
    incident = api.post(
        f"{_base(page)}/incidents",
        {"template_id": outage_template["id"], "template_values": {"provider": "Stripe"}},
        HTTP_IDEMPOTENCY_KEY="tpl-5",
    ).json()
    resolved = api.post(
        f"{_base(page)}/incident-templates",
        {"name": "All clear", "message": "{{ component_names }} recovered.", "status": "resolved"},
    ).json()
    response = api.post(
        f"{_base(page)}/incidents/{incident['id']}/updates", {"template_id": resolved["id"]}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "resolved"
    assert response.json()["message"] == "Checkout recovered."
    assert api.get(f"{_base(page)}/components/{checkout.id}").json()["status"] == "operational"


def test_an_update_needs_a_status_from_the_body_or_the_template(api, page, outage_template):
    incident = api.post(
        f"{_base(page)}/incidents", {"name": "X"}, HTTP_IDEMPOTENCY_KEY="tpl-6"
    ).json()
    note = api.post(f"{_base(page)}/incident-templates", {"name": "Note", "message": "Hi"}).json()
    url = f"{_base(page)}/incidents/{incident['id']}/updates"
    assert api.post(url, {"message": "no status"}).status_code == 400
    response = api.post(url, {"template_id": note["id"]})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["details"]
    assert api.post(url, {"template_id": note["id"], "status": "monitoring"}).status_code == 201


def test_maintenances_are_scheduled_and_updated_from_templates(api, page, checkout):
    template = api.post(
        f"{_base(page)}/maintenance-templates",
        {
            "name": "Database upgrade",
            "title": "{{ version }} upgrade",
            "message": "{{ component_names }} read-only from {{ started_at }}.",
            "component_ids": [checkout.id],
            "notify_subscribers": False,
        },
    ).json()
    assert template["id"].startswith("tpl_") and template["component_ids"] == [checkout.id]
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    response = api.post(
        f"{_base(page)}/maintenances",
        {
            "template_id": template["id"],
            "template_values": {"version": "PostgreSQL 17"},
            "start_at": start.isoformat().replace("+00:00", "Z"),
            "end_at": (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        },
        HTTP_IDEMPOTENCY_KEY="tpl-m1",
    )
    assert response.status_code == 201, response.json()
    maintenance = response.json()
    assert maintenance["name"] == "PostgreSQL 17 upgrade"
    assert [c["component_id"] for c in maintenance["components"]] == [checkout.id]
    assert maintenance["updates"][0]["message"] == (
        f"Checkout read-only from {start:%Y-%m-%d %H:%M} UTC."
    )
    started = api.post(
        f"{_base(page)}/maintenance-templates",
        {
            "name": "Started",
            "message": "{{ component_names }}: work begins.",
            "status": "in_progress",
        },
    ).json()
    response = api.post(
        f"{_base(page)}/maintenances/{maintenance['id']}/updates", {"template_id": started["id"]}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["message"] == "Checkout: work begins."
    assert Maintenance.objects.get().status == "in_progress"


def test_template_lists_cost_the_same_queries_at_any_size(api, page, django_assert_max_num_queries):
    for size in (2, 30):
        IncidentTemplate.objects.all().delete()
        for number in range(size):
            IncidentTemplate.objects.create(page=page, name=f"T{number:02}")
        with django_assert_max_num_queries(6):
            body = api.get(f"{_base(page)}/incident-templates", {"page_size": 250}).json()
        assert len(body["data"]) == size


# ---- admin ----------------------------------------------------------------------------------


def test_an_operator_opens_an_incident_from_a_template_in_the_admin(operator, page, checkout):
    template = IncidentTemplate.objects.create(
        page=page,
        name="Provider down",
        title="{{ provider }} down",
        message="{{ component_names }} failing.",
        status="identified",
        component_statuses=[{"component_id": checkout.id, "status": "partial_outage"}],
    )
    form = operator.get(f"/admin/incidents/incident/add/?page={page.id}")
    assert "Provider down" in form.content.decode()
    response = operator.post(
        "/admin/incidents/incident/add/",
        {
            "page": page.id,
            "template": template.id,
            "template_values": "provider=Stripe",
            "name": "",
            "status": "",
            "message": "",
            "notify_subscribers": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    incident = Incident.objects.get()
    assert (incident.name, incident.status, incident.impact) == (
        "Stripe down",
        "identified",
        "major",
    )
    assert incident.updates.get().message == "Checkout failing."


def test_the_admin_publish_form_takes_an_update_from_a_template(operator, page, checkout):
    incident = incident_create(page=page, name="Outage")
    template = IncidentTemplate.objects.create(
        page=page, name="Monitoring", message="Fix deployed.", status="monitoring"
    )
    response = operator.post(
        f"/admin/incidents/incident/{incident.id}/publish/",
        {"template": template.id, "status": "", "message": "", "notify_subscribers": "on"},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "monitoring"
    assert incident.updates.first().message == "Fix deployed."
    # Without a template the status is needed.
    response = operator.post(
        f"/admin/incidents/incident/{incident.id}/publish/", {"status": "", "message": "x"}
    )
    assert response.status_code == 200 and "status" in response.context["form"].errors


def _page_form(page, **templates):
    data = {
        "name": page.name,
        "slug": page.slug,
        "time_zone": "UTC",
        "default_language": "en",
        "custom_domain": "",
        "url_override": "",
    }
    for prefix in ("groups", "components", "incident_templates", "maintenance_templates"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(templates)
    return data


def test_templates_are_edited_inline_on_the_page_in_the_admin(operator, page):
    url = f"/admin/statuspages/statuspage/{page.id}/change/"
    assert "Incident templates" in operator.get(url).content.decode()
    response = operator.post(
        url,
        _page_form(
            page,
            **{
                "incident_templates-TOTAL_FORMS": "1",
                "incident_templates-0-name": "Degraded",
                "incident_templates-0-title": "{{ component_names }} slow",
                "incident_templates-0-message": "",
                "incident_templates-0-status": "investigating",
                "incident_templates-0-component_statuses": "[]",
                "incident_templates-0-notify_subscribers": "on",
            },
        ),
    )
    assert response.status_code == 302, response.context
    assert IncidentTemplate.objects.get(page=page).title == "{{ component_names }} slow"
    # A malformed placeholder is refused by the service, and nothing is saved.
    response = operator.post(
        url,
        _page_form(
            page,
            **{
                "incident_templates-TOTAL_FORMS": "1",
                "incident_templates-0-name": "Broken",
                "incident_templates-0-title": "{{ a.b }}",
                "incident_templates-0-message": "",
                "incident_templates-0-status": "",
                "incident_templates-0-component_statuses": "[]",
            },
        ),
    )
    assert response.status_code == 200
    assert "Placeholders are written" in response.content.decode()
    assert IncidentTemplate.objects.count() == 1


def test_the_admin_publishes_a_maintenance_update_from_a_template(operator, page, checkout):
    start = timezone.now() + timedelta(days=1)
    maintenance = maintenance_create(
        page=page,
        name="Upgrade",
        start_at=start,
        end_at=start + timedelta(hours=1),
        component_ids=[checkout.id],
    )
    template = MaintenanceTemplate.objects.create(
        page=page, name="Begins", message="{{ component_names }}: {{ step }}.", status="in_progress"
    )
    response = operator.post(
        f"/admin/maintenances/maintenance/{maintenance.id}/publish/",
        {"template": template.id, "template_values": "step=draining", "status": "", "message": ""},
    )
    assert response.status_code == 302, response.context["form"].errors
    maintenance.refresh_from_db()
    assert maintenance.status == "in_progress"
    assert maintenance.updates.first().message == "Checkout: draining."
