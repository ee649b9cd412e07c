"""The human status page in a real browser (Debian's chromium driven by Playwright)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from incidents.services import incident_create
from tests.factories import ComponentFactory, ComponentGroupFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def browser():
    """Request it after every fixture that writes: Playwright's sync API runs an event loop in
    this thread, and the ORM refuses to run inside one."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed on this machine (CI requires it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = launched.new_context(extra_http_headers={"Connection": "close"})
        yield context
        context.close()
        launched.close()


@pytest.fixture
def outage_page(page):
    group = ComponentGroupFactory(page=page, name="Core platform")
    api = ComponentFactory(page=page, group=group, name="Public API", description="REST API.")
    ComponentFactory(page=page, group=group, name="Dashboard")
    ComponentFactory(page=page, name="Email delivery")
    incident_create(
        page=page,
        name="Elevated error rates on the API",
        message="We are investigating elevated error rates.\nNext update in 30 minutes.",
        component_statuses=[{"component_id": api.id, "status": "partial_outage"}],
    )
    return page


@pytest.mark.django_db(transaction=True)
def test_status_page_shows_banner_and_component_status_in_a_browser(
    live_server, outage_page, browser
):
    ARTIFACTS.mkdir(exist_ok=True)
    desktop = browser.new_page()
    desktop.set_viewport_size({"width": 1280, "height": 900})
    response = desktop.goto(f"{live_server.url}/pages/acme/")
    assert response.status == 200
    banner = desktop.locator(".banner")
    assert banner.inner_text().strip() == "Partial System Outage"
    api_row = desktop.locator("li", has_text="Public API")
    assert api_row.locator(".status").inner_text().strip() == "Partial Outage"
    dashboard_row = desktop.locator("li", has_text="Dashboard")
    assert dashboard_row.locator(".status").inner_text().strip() == "Operational"
    desktop.screenshot(path=str(ARTIFACTS / "public-status-page-desktop.png"), full_page=True)

    phone = browser.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/pages/acme/")
    # Nothing wider than the phone's screen: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "public-status-page-phone.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_status_page_by_host_name_in_a_browser(live_server, outage_page, browser):
    port = urlsplit(live_server.url).port
    tab = browser.new_page()
    # Chromium resolves every *.localhost name to the loopback address itself.
    response = tab.goto(f"http://acme.localhost:{port}/")
    assert response.status == 200
    assert tab.locator(".banner").inner_text().strip() == "Partial System Outage"
