"""The status page in French, in a real browser: the reader picks French with the selector
(plain links, no script), and the page, its dates and the next pages stay French."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, translation

from incidents.services import incident_create
from tests.factories import ComponentFactory, ComponentGroupFactory
from tests.test_public_browser import ARTIFACTS, browser  # noqa: F401 - the fixture

FRENCH_DATE = re.compile(
    r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre"
    r"|décembre) \d{4} \d\d:\d\d CES?T"
)


@pytest.fixture
def paris_page(page):
    page.time_zone = "Europe/Paris"
    page.save()
    group = ComponentGroupFactory(page=page, name="Plateforme")
    api = ComponentFactory(page=page, group=group, name="API publique")
    ComponentFactory(page=page, group=group, name="Tableau de bord")
    incident = incident_create(
        page=page,
        name="Erreurs sur l'API",
        message="Nous enquêtons sur une hausse des erreurs.",
        component_statuses=[{"component_id": api.id, "status": "partial_outage"}],
    )
    with translation.override("fr"):
        page.expected_date = dateformat.format(
            incident.updates.get().created_at.astimezone(ZoneInfo("Europe/Paris")), "j F Y H:i T"
        )
    return page


@pytest.mark.django_db(transaction=True)
def test_a_reader_switches_the_page_to_french_with_the_selector(live_server, paris_page, browser):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    tab = browser.new_page()
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    assert tab.goto(f"{live_server.url}/pages/acme/").status == 200
    assert tab.locator("html").get_attribute("lang") == "en"
    assert tab.locator(".banner").inner_text().strip() == "Partial System Outage"

    tab.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    tab.wait_for_load_state()
    assert tab.locator("html").get_attribute("lang") == "fr"
    assert tab.locator(".banner").inner_text().strip() == "Panne partielle du système"
    api_row = tab.locator("li", has_text="API publique")
    assert api_row.locator(".status").first.inner_text().strip() == "Panne partielle"
    board_row = tab.locator("li", has_text="Tableau de bord")
    assert board_row.locator(".status").first.inner_text().strip() == "Opérationnel"
    assert tab.get_by_role("heading", name="Incidents en cours").is_visible()
    assert tab.get_by_role("button", name="S’abonner").is_visible()
    update_time = tab.locator("#h-unresolved ~ article .update time").first.inner_text()
    assert update_time == paris_page.expected_date
    assert FRENCH_DATE.fullmatch(update_time)
    current = tab.get_by_role("navigation", name="Langue").locator("[aria-current]")
    assert current.inner_text() == "Français"
    tab.screenshot(path=str(ARTIFACTS / "i18n-status-page-french.png"), full_page=True)

    # The choice holds: the incident page (no ?lang= in its link) is French too.
    tab.get_by_role("link", name="Erreurs sur l'API").first.click()
    tab.wait_for_load_state()
    assert tab.locator("html").get_attribute("lang") == "fr"
    assert "Investigation en cours" in tab.locator("article").inner_text()
    assert tab.get_by_role("link", name="← État actuel").is_visible()
