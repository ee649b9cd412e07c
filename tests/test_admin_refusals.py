"""When a service refuses what an operator typed in the admin, the form comes back with the
service's reason next to the field it concerns, and nothing is saved."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey
from incidents.services import incident_create
from maintenances.models import Maintenance
from statuspages.models import Component, ComponentGroup, StatusPage
from tests.factories import (
    ComponentFactory,
    MembershipFactory,
    OrganizationFactory,
    StatusPageFactory,
)

pytestmark = pytest.mark.django_db


def _errors(response) -> dict[str, list[str]]:
    """The admin form's errors by field ("__all__": above the form)."""
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors


def _window(start):
    end = start - timedelta(hours=1)
    return {
        "start_at_0": start.strftime("%Y-%m-%d"),
        "start_at_1": start.strftime("%H:%M:%S"),
        "end_at_0": end.strftime("%Y-%m-%d"),
        "end_at_1": end.strftime("%H:%M:%S"),
    }


def test_a_maintenance_ending_before_it_starts_is_refused(operator, page):
    response = operator.post(
        "/admin/maintenances/maintenance/add/",
        {
            "page": page.id,
            "name": "Upgrade",
            **_window(timezone.now() + timedelta(days=1)),
            "auto_transition": "on",
            "message": "Planned.",
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        },
    )
    # The model's own constraint answers before the service is reached, in the same words.
    assert _errors(response) == {"__all__": ["The window must end after it starts."]}
    assert not Maintenance.objects.exists()


def test_a_maintenance_on_another_pages_component_is_refused_under_components(
    operator, page, organization
):
    elsewhere = ComponentFactory(page=StatusPageFactory(organization=organization, slug="b"))
    start = timezone.now() + timedelta(days=1)
    window = _window(start)
    window["end_at_0"] = (start + timedelta(hours=1)).strftime("%Y-%m-%d")
    window["end_at_1"] = (start + timedelta(hours=1)).strftime("%H:%M:%S")
    response = operator.post(
        "/admin/maintenances/maintenance/add/",
        {
            "page": page.id,
            "name": "Upgrade",
            **window,
            "components": [elsewhere.id],
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        },
    )
    assert _errors(response) == {
        "components": [f"Unknown component(s) on this page: {elsewhere.id}."]
    }
    assert not Maintenance.objects.exists()


def test_an_api_key_for_another_organizations_page_is_refused(operator, organization, page):
    other = OrganizationFactory(slug="side-project")
    operator_user = get_user_model().objects.get(username="olivia")
    MembershipFactory(organization=other, user=operator_user)
    response = operator.post(
        "/admin/accounts/apikey/add/",
        {"organization": other.id, "name": "bot", "pages": [page.id]},
    )
    assert _errors(response) == {"__all__": [f"Unknown page(s) for this organization: {page.id}"]}
    assert not ApiKey.objects.exists()


def test_an_api_key_that_would_expire_in_the_past_is_refused_under_the_field(
    operator, organization
):
    past = timezone.now() - timedelta(hours=1)
    response = operator.post(
        "/admin/accounts/apikey/add/",
        {
            "organization": organization.id,
            "name": "bot",
            "expires_at_0": past.strftime("%Y-%m-%d"),
            "expires_at_1": past.strftime("%H:%M:%S"),
        },
    )
    assert _errors(response) == {"expires_at": ["Choose a time in the future."]}
    assert not ApiKey.objects.exists()


def test_a_custom_domain_under_the_service_is_refused_under_the_field(
    operator, organization, settings
):
    response = operator.post(
        "/admin/statuspages/statuspage/add/",
        {
            "organization": organization.id,
            "name": "Docs",
            "slug": "docs",
            "time_zone": "UTC",
            "default_language": "en",
            "custom_domain": f"  Docs.{settings.PUBLIC_BASE_DOMAIN.upper()} ",
            "url_override": "",
        },
    )
    base = settings.PUBLIC_BASE_DOMAIN.lower()
    assert _errors(response) == {
        "custom_domain": [f"Pages under {base} are served by slug; use your own domain."]
    }
    assert not StatusPage.objects.filter(slug="docs").exists()


def test_a_new_page_made_in_the_admin_is_the_one_the_service_created(operator, organization):
    response = operator.post(
        "/admin/statuspages/statuspage/add/",
        {
            "organization": organization.id,
            "name": "Docs",
            "slug": "docs",
            "time_zone": "Europe/Paris",
            "default_language": "fr",
            "custom_domain": " Status.Docs.Example ",
            "url_override": "",
        },
    )
    page = StatusPage.objects.get(slug="docs")
    assert response.status_code == 302
    assert response["Location"] == "/admin/statuspages/statuspage/"
    assert (page.custom_domain, page.time_zone, page.default_language) == (
        "status.docs.example",
        "Europe/Paris",
        "fr",
    )
    assert StatusPage.objects.filter(slug="docs").count() == 1


def _page_form(page, **extra):
    return {
        "name": page.name,
        "slug": page.slug,
        "time_zone": "UTC",
        "default_language": "en",
        "custom_domain": "",
        "url_override": "",
        "groups-TOTAL_FORMS": "0",
        "groups-INITIAL_FORMS": "0",
        "components-TOTAL_FORMS": "0",
        "components-INITIAL_FORMS": "0",
        "incident_templates-TOTAL_FORMS": "0",
        "incident_templates-INITIAL_FORMS": "0",
        "maintenance_templates-TOTAL_FORMS": "0",
        "maintenance_templates-INITIAL_FORMS": "0",
        **extra,
    }


def test_deleting_a_component_an_open_incident_uses_is_refused_and_nothing_is_saved(operator, page):
    component = ComponentFactory(page=page, name="API", position=0)
    incident_create(
        page=page,
        name="Errors",
        component_statuses=[{"component_id": component.id, "status": "major_outage"}],
    )
    response = operator.post(
        f"/admin/statuspages/statuspage/{page.id}/change/",
        _page_form(
            page,
            name="Renamed",
            **{
                "components-TOTAL_FORMS": "1",
                "components-INITIAL_FORMS": "1",
                "components-0-id": component.id,
                "components-0-page": page.id,
                "components-0-name": "API",
                "components-0-position": "0",
                "components-0-manual_status": "operational",
                "components-0-showcase": "on",
                "components-0-DELETE": "on",
            },
        ),
    )
    (reason,) = _errors(response)["__all__"]
    assert reason.startswith("API was kept: ")
    assert Component.objects.filter(id=component.id).exists()
    page.refresh_from_db()
    assert page.name == "Acme", "the whole save is rolled back"


def test_deleting_a_group_in_the_page_form_keeps_its_components(operator, page):
    group = ComponentGroup.objects.create(page=page, name="Core")
    component = ComponentFactory(page=page, group=group)
    response = operator.post(
        f"/admin/statuspages/statuspage/{page.id}/change/",
        _page_form(
            page,
            **{
                "groups-TOTAL_FORMS": "1",
                "groups-INITIAL_FORMS": "1",
                "groups-0-id": group.id,
                "groups-0-page": page.id,
                "groups-0-name": "Core",
                "groups-0-position": "0",
                "groups-0-DELETE": "on",
            },
        ),
    )
    assert response.status_code == 302
    assert not ComponentGroup.objects.exists()
    component.refresh_from_db()
    assert component.group is None


def test_a_page_cannot_be_moved_to_another_organization_in_the_admin(operator, page):
    other = OrganizationFactory(slug="side-project")
    MembershipFactory(organization=other, user=get_user_model().objects.get(username="olivia"))
    response = operator.post(
        f"/admin/statuspages/statuspage/{page.id}/change/",
        _page_form(page, organization=other.id),
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.organization.slug == "acme"


def test_deleting_pages_from_the_list_takes_their_public_documents_down(
    operator, page, django_capture_on_commit_callbacks
):
    public = APIClient()
    assert public.get(f"/pages/{page.slug}/api/v2/status.json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            "/admin/statuspages/statuspage/",
            {"action": "delete_selected", "_selected_action": [page.id], "post": "yes"},
        )
    assert response.status_code == 302
    assert not StatusPage.objects.filter(id=page.id).exists()
    assert public.get(f"/pages/{page.slug}/api/v2/status.json").status_code == 404
