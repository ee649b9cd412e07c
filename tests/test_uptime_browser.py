"""The 90-day uptime bars in a real browser: a day's details show on hover and on focus."""

import pytest

from incidents.services import incident_create
from tests.factories import ComponentFactory
from tests.test_public_browser import ARTIFACTS, browser  # noqa: F401 (the fixture)


@pytest.fixture
def incident_today(page):
    api = ComponentFactory(page=page, name="Public API")
    ComponentFactory(page=page, name="Dashboard")
    incident_create(
        page=page,
        name="Checkout errors",
        message="Investigating.",
        component_statuses=[{"component_id": api.id, "status": "major_outage"}],
    )
    return api


@pytest.mark.django_db(transaction=True)
def test_hovering_or_focusing_a_day_shows_its_uptime_and_incidents(
    live_server,
    incident_today,
    browser,  # noqa: F811
):
    tab = browser.new_page()
    tab.set_viewport_size({"width": 1280, "height": 900})
    assert tab.goto(f"{live_server.url}/pages/acme/").status == 200
    bars = tab.locator(f'[data-uptime="{incident_today.id}"] li.bar')
    assert bars.count() == 90
    today = bars.nth(89)
    assert "bar-major_outage" in today.get_attribute("class")
    tip = today.locator(".tip")
    assert not tip.is_visible()

    today.hover()
    assert tip.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "public-uptime-hover.png"))
    assert "Checkout errors" in tip.inner_text()
    assert "Major Outage" in tip.inner_text()

    tab.mouse.move(0, 0)
    assert not tip.is_visible()
    yesterday = bars.nth(88)
    yesterday.focus()
    assert yesterday.locator(".tip").is_visible()
    assert "100.00% uptime" in yesterday.locator(".tip").inner_text()
    # Keyboard: Tab moves on to the next day, whose details show in turn.
    tab.keyboard.press("Tab")
    assert tip.is_visible() and not yesterday.locator(".tip").is_visible()
    assert "Checkout errors" in today.get_attribute("aria-label")

    phone = browser.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/pages/acme/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
