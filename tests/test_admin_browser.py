"""An operator in a real browser: log in, make an API key, publish an incident update, and
see it on the public page (Debian's chromium driven by Playwright)."""

import re

import httpx
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from incidents.services import incident_create
from tests.factories import ComponentFactory, MembershipFactory
from tests.test_public_browser import ARTIFACTS, browser  # noqa: F401 - the fixture


@pytest.fixture
def operator_world(page):
    user = get_user_model().objects.create_user("olivia", password="correct horse", is_staff=True)
    MembershipFactory(organization=page.organization, user=user)
    checkout = ComponentFactory(page=page, name="Checkout")
    incident = incident_create(
        page=page,
        name="Payments failing",
        message="Investigating.",
        component_statuses=[{"component_id": checkout.id, "status": "degraded_performance"}],
    )
    return {"page": page, "component": checkout, "incident": incident}


def _logged_in_tab(context, live_server, path):
    """A tab of the browser ``context`` where olivia has logged in and landed on ``path``."""
    ARTIFACTS.mkdir(exist_ok=True)
    tab = context.new_page()
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(f"{live_server.url}/admin/login/?next={path}")
    tab.fill("#id_username", "olivia")
    tab.fill("#id_password", "correct horse")
    tab.click("input[type=submit]")
    return tab


@pytest.mark.django_db(transaction=True)
def test_an_operator_makes_a_key_and_publishes_an_update_in_the_browser(
    live_server,
    operator_world,
    browser,  # noqa: F811
):
    tab = _logged_in_tab(browser, live_server, "/admin/")
    expect(tab.locator("#site-name")).to_contain_text("operator console")

    tab.goto(f"{live_server.url}/admin/accounts/apikey/add/")
    tab.select_option("#id_organization", label="Acme Inc")
    tab.fill("#id_name", "pager bot")
    tab.check("input[name=scopes][value='incidents:write']")
    tab.click("input[name=_save]")
    token = tab.locator("#api-token").inner_text(timeout=10_000).strip()
    assert re.fullmatch(r"spk_[0-9A-Z]+_[\w-]+", token)
    tab.screenshot(path=str(ARTIFACTS / "admin-api-key-token.png"), full_page=True)
    me = httpx.get(
        f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert me["name"] == "pager bot" and me["scopes"] == ["incidents:write"]
    tab.goto(f"{live_server.url}/admin/accounts/apikey/")
    expect(tab.locator("#result_list")).to_contain_text("pager bot")
    assert token not in tab.content(), "the token is shown once only"

    incident, component = operator_world["incident"], operator_world["component"]
    tab.goto(f"{live_server.url}/admin/incidents/incident/{incident.id}/change/")
    tab.click("text=Publish update")
    tab.select_option("#id_status", "identified")
    tab.fill("#id_message", "A card processor is timing out; we are failing over.")
    tab.select_option(f"#id_component_{component.id}", "major_outage")
    tab.screenshot(path=str(ARTIFACTS / "admin-publish-update.png"), full_page=True)
    tab.click("input[name=_publish]")
    expect(tab.locator(".messagelist")).to_contain_text("Update published")

    tab.goto(f"{live_server.url}/pages/acme/")
    expect(tab.locator(".banner")).to_have_text("Major Service Outage")
    expect(tab.locator("body")).to_contain_text("A card processor is timing out")
    row = tab.locator("li", has_text="Checkout")
    assert row.locator(".status").first.inner_text().strip() == "Major Outage"
    tab.screenshot(path=str(ARTIFACTS / "public-page-after-admin-update.png"), full_page=True)


@pytest.fixture
def search(operator_world):
    """Made before the browser starts: Django refuses queries while Playwright's loop runs."""
    return ComponentFactory(page=operator_world["page"], name="Search")


@pytest.mark.django_db(transaction=True)
def test_an_operator_marks_components_down_from_the_components_list_in_the_browser(
    live_server,
    search,
    browser,  # noqa: F811
):
    tab = _logged_in_tab(browser, live_server, "/admin/statuspages/component/")
    expect(tab.locator("#result_list")).to_contain_text("Checkout")

    tab.check(f"input[name=_selected_action][value='{search.id}']")
    tab.select_option("select[name=action]", "change_status")
    tab.click("button[name=index]")
    expect(tab.locator("#selected-components")).to_have_text("Search (Acme): Operational")
    tab.select_option("#id_manual_status", "partial_outage")
    tab.screenshot(path=str(ARTIFACTS / "admin-change-component-status.png"), full_page=True)
    tab.click("input[name=apply]")
    expect(tab.locator(".messagelist")).to_contain_text("1 component(s) are now “Partial Outage”.")

    tab.goto(f"{live_server.url}/pages/acme/")
    row = tab.locator("li", has_text="Search")
    assert row.locator(".status").first.inner_text().strip() == "Partial Outage"
