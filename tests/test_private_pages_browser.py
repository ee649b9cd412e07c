"""A private page in a real browser: refused to an anonymous reader, shown once they have
signed in with the link emailed to them."""

import re

import pytest
from django.core import mail

from statuspages.models import Visibility
from statuspages.readers import reader_invite
from statuspages.services import status_page_update
from tests.factories import ComponentFactory
from tests.test_public_browser import browser  # noqa: F401 - the Playwright fixture

_LINK = re.compile(r"https?://[^/\s]+(/\S+/sign-in/\S+)")


@pytest.fixture
def private_page(page):
    ComponentFactory(page=page, name="Payroll API")
    status_page_update(page=page, visibility=Visibility.PRIVATE)
    reader_invite(page=page, email="dana@example.com")
    return page


@pytest.mark.django_db(transaction=True)
def test_a_private_page_refuses_an_anonymous_reader_and_admits_one_signed_in_by_email(
    live_server,
    private_page,
    browser,  # noqa: F811
):
    tab = browser.new_page()
    refused = tab.goto(f"{live_server.url}/pages/acme/")
    assert refused.status == 404
    assert "Payroll API" not in tab.content()

    mail.outbox.clear()
    tab.goto(f"{live_server.url}/pages/acme/sign-in")
    tab.get_by_label("Your email address").fill("dana@example.com")
    tab.get_by_role("button", name="Email me a sign-in link").click()
    tab.wait_for_selector("text=Check your inbox")
    assert len(mail.outbox) == 1
    link_path = _LINK.search(mail.outbox[0].body).group(1)

    tab.goto(f"{live_server.url}{link_path}")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Continue to the page").click()
    assert tab.url == f"{live_server.url}/pages/acme/"
    assert tab.locator("li", has_text="Payroll API").count() == 1

    # Another browser, without the reader's cookie, is still refused.
    stranger = browser.browser.new_context().new_page()
    assert stranger.goto(f"{live_server.url}/pages/acme/").status == 404
