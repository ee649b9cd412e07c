"""A viewer signed into the admin in a real browser cannot publish an incident update."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from incidents.services import incident_create
from tests.factories import MembershipFactory
from tests.test_public_browser import ARTIFACTS, browser  # noqa: F401 - the fixture


@pytest.fixture
def viewer_world(page):
    user = get_user_model().objects.create_user("vera", password="correct horse", is_staff=True)
    MembershipFactory(organization=page.organization, user=user, role="viewer")
    return incident_create(page=page, name="Payments failing", message="Investigating.")


@pytest.mark.django_db(transaction=True)
def test_a_viewer_sees_an_incident_but_cannot_publish_an_update_in_the_browser(
    live_server,
    viewer_world,
    browser,  # noqa: F811
):
    incident = viewer_world
    ARTIFACTS.mkdir(exist_ok=True)
    tab = browser.new_page()
    tab.goto(f"{live_server.url}/admin/login/?next=/admin/incidents/incident/{incident.id}/change/")
    tab.fill("#id_username", "vera")
    tab.fill("#id_password", "correct horse")
    tab.click("input[type=submit]")

    expect(tab.locator("#content")).to_contain_text("Payments failing")
    expect(tab.locator("text=Publish update")).to_have_count(0)
    expect(tab.locator("input[name=_save]")).to_have_count(0)
    tab.screenshot(path=str(ARTIFACTS / "admin-viewer-incident.png"), full_page=True)

    refused = tab.goto(f"{live_server.url}/admin/incidents/incident/{incident.id}/publish/")
    assert refused.status == 403
    tab.goto(f"{live_server.url}/admin/incidents/incident/")
    expect(tab.locator("#result_list")).to_contain_text("Payments failing")
    expect(tab.locator("select[name=action]")).to_have_count(0)
