"""Operators list, search and filter their components in the admin, and change the status of
several at once, which reaches the public documents like a change through the API."""

import pytest
from rest_framework.test import APIClient

from notifications.models import EventKind, NotificationEvent
from statuspages.models import Component
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/statuspages/component/"


@pytest.fixture
def components(page, organization):
    status_page = StatusPageFactory(organization=organization, name="Acme Internal", slug="intern")
    foreign = StatusPageFactory(
        organization=OrganizationFactory(slug="globex"), name="Globex Status", slug="globex"
    )
    return {
        "api": ComponentFactory(page=page, name="Public API"),
        "checkout": ComponentFactory(page=page, name="Checkout", manual_status="partial_outage"),
        "vpn": ComponentFactory(page=status_page, name="VPN"),
        "foreign": ComponentFactory(page=foreign, name="Globex Billing API"),
    }


def _listed(response) -> list[str]:
    """The component names in the changelist's rows, top to bottom."""
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    return [component.name for component in rows]


def _summary(page) -> dict[str, str]:
    body = APIClient().get(f"/pages/{page.slug}/api/v2/summary.json").json()
    return {component["name"]: component["status"] for component in body["components"]}


def test_the_components_list_shows_only_the_operators_organizations(operator, components):
    response = operator.get(CHANGELIST)
    assert sorted(_listed(response)) == ["Checkout", "Public API", "VPN"]
    html = response.content.decode()
    assert "Globex" not in html, "neither the foreign component nor its page in the filters"
    foreign = operator.get(f"{CHANGELIST}{components['foreign'].id}/change/")
    assert foreign.status_code == 302  # the admin's "does not exist" redirect


def test_operators_search_components_by_name(operator, components):
    assert _listed(operator.get(CHANGELIST, {"q": "api"})) == ["Public API"]
    assert _listed(operator.get(CHANGELIST, {"q": "billing"})) == []


def test_operators_filter_components_by_page_and_by_status(operator, components, page):
    by_page = operator.get(CHANGELIST, {"page__id__exact": page.id})
    assert sorted(_listed(by_page)) == ["Checkout", "Public API"]
    by_status = operator.get(CHANGELIST, {"manual_status__exact": "partial_outage"})
    assert _listed(by_status) == ["Checkout"]
    foreign_page = operator.get(CHANGELIST, {"page__id__exact": components["foreign"].page_id})
    assert _listed(foreign_page) == []


def test_changing_the_status_of_selected_components_asks_which_status_first(operator, components):
    selected = [components["api"].id, components["vpn"].id]
    response = operator.post(CHANGELIST, {"action": "change_status", "_selected_action": selected})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="manual_status"' in html
    assert "Public API" in html and "VPN" in html and "Checkout" not in html
    assert set(Component.objects.values_list("manual_status", flat=True)) == {
        "operational",
        "partial_outage",
    }, "nothing changes before the operator picks a status"


def test_the_status_action_changes_the_public_summary_and_tells_webhooks(
    operator, components, page, django_capture_on_commit_callbacks
):
    assert _summary(page) == {"Public API": "operational", "Checkout": "partial_outage"}
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            CHANGELIST,
            {
                "action": "change_status",
                "_selected_action": [components["api"].id, components["checkout"].id],
                "manual_status": "major_outage",
                "apply": "Change status",
            },
            follow=True,
        )
    assert response.status_code == 200
    assert "2 component(s) are now “Major Outage”." in response.content.decode()
    assert _summary(page) == {"Public API": "major_outage", "Checkout": "major_outage"}
    events = NotificationEvent.objects.filter(kind=EventKind.COMPONENT_UPDATED)
    assert sorted(event.component_ids[0] for event in events) == sorted(
        [components["api"].id, components["checkout"].id]
    )


def test_the_status_action_never_reaches_another_organizations_component(operator, components):
    operator.post(
        CHANGELIST,
        {
            "action": "change_status",
            "_selected_action": [components["foreign"].id],
            "manual_status": "major_outage",
            "apply": "Change status",
        },
    )
    components["foreign"].refresh_from_db()
    assert components["foreign"].manual_status == "operational"


def test_an_unknown_status_in_the_action_shows_the_choice_again(operator, components):
    response = operator.post(
        CHANGELIST,
        {
            "action": "change_status",
            "_selected_action": [components["api"].id],
            "manual_status": "on_fire",
            "apply": "Change status",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice. on_fire is not one of the available choices." in (
        response.content.decode()
    )
    components["api"].refresh_from_db()
    assert components["api"].manual_status == "operational"


def test_editing_a_component_in_its_own_form_reaches_the_public_page(operator, components, page):
    component = components["api"]
    response = operator.post(
        f"{CHANGELIST}{component.id}/change/",
        {
            "name": "Public API v2",
            "description": "",
            "group": "",
            "position": "0",
            "manual_status": "degraded_performance",
            "showcase": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _summary(page)["Public API v2"] == "degraded_performance"
