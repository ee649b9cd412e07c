"""An on-call operator publishes an incident from a template in a real browser (Debian's
chromium driven by Playwright) and readers see it on the public page."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from pagetemplates.models import IncidentTemplate
from tests.factories import ComponentFactory, MembershipFactory
from tests.test_admin_browser import _logged_in_tab
from tests.test_public_browser import ARTIFACTS, browser  # noqa: F401 - the fixture


@pytest.fixture
def template_world(page):
    """Made before the browser starts: Django refuses queries while Playwright's loop runs."""
    user = get_user_model().objects.create_user("olivia", password="correct horse", is_staff=True)
    MembershipFactory(organization=page.organization, user=user)
    checkout = ComponentFactory(page=page, name="Checkout")
    template = IncidentTemplate.objects.create(
        page=page,
        name="Payment provider down",
        title="{{ provider }} payments failing",
        message="Payments through {{ provider }} fail on {{ component_names }}.",
        status="identified",
        component_statuses=[{"component_id": checkout.id, "status": "major_outage"}],
    )
    return {"page": page, "template": template}


@pytest.mark.django_db(transaction=True)
def test_an_operator_publishes_an_incident_from_a_template_in_the_browser(
    live_server,
    template_world,
    browser,  # noqa: F811
):
    page = template_world["page"]
    tab = _logged_in_tab(browser, live_server, "/admin/")
    expect(tab.locator("#site-name")).to_contain_text("operator console")
    tab.goto(f"{live_server.url}/admin/incidents/incident/add/?page={page.id}")
    tab.select_option("#id_template", label="Payment provider down")
    tab.fill("#id_template_values", "provider=Stripe")
    tab.select_option("#id_status", "")
    tab.screenshot(path=str(ARTIFACTS / "admin-incident-from-template.png"), full_page=True)
    tab.click("input[name=_publish]")
    expect(tab.locator(".messagelist")).to_contain_text("Stripe payments failing")

    tab.goto(f"{live_server.url}/pages/acme/")
    expect(tab.locator(".banner")).to_have_text("Major Service Outage")
    expect(tab.locator("body")).to_contain_text("Stripe payments failing")
    expect(tab.locator("body")).to_contain_text("Payments through Stripe fail on Checkout.")
