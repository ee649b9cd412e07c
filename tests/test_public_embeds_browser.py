"""The badge, the floating widget and the framed card on a page of ANOTHER origin, in a real
browser (Debian's chromium driven by Playwright)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from incidents.services import incident_create
from tests.factories import ComponentFactory
from tests.test_public_browser import ARTIFACTS, browser  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_site(live_server):
    """A product's own site on another port (another origin) embedding the page's badge,
    widget and card from ``live_server``. Yields its address."""
    status = f"{live_server.url}/pages/acme"
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Shop</title>"
        f"<script src='{status}/widget.js' async></script></head><body><h1>Our shop</h1>"
        f"<img id='badge' alt='status' src='{status}/badge.svg'>"
        f"<iframe id='card' title='status' src='{status}/embed' width='320' height='160'></iframe>"
        "</body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def outage(page):
    api = ComponentFactory(page=page, name="Public API")
    return incident_create(
        page=page,
        name="Checkout <b>errors</b> & timeouts",
        component_statuses=[{"component_id": api.id, "status": "major_outage"}],
    )


@pytest.fixture
def operational(page):
    return ComponentFactory(page=page, name="Public API")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_the_widget_badge_and_card_show_an_outage_on_another_site(
    live_server,
    outage,
    other_site,
    browser,  # noqa: F811
):
    assert _origin(other_site) != _origin(live_server.url)
    browser.add_cookies([{"name": "sessionid", "value": "secret", "url": live_server.url}])
    tab = browser.new_page()
    tab.emulate_media(reduced_motion="reduce")  # no slide-in: a steady screenshot
    requests = []
    tab.on("request", lambda request: requests.append(request))
    tab.goto(other_site)

    notice = tab.get_by_role("status")
    expect(notice).to_contain_text("Major Service Outage")
    expect(notice).to_contain_text("Checkout <b>errors</b> & timeouts")  # as text, not markup
    expect(notice.get_by_role("link", name="View status")).to_have_attribute(
        "href", outage.shortlink
    )
    assert tab.evaluate("document.getElementById('badge').naturalWidth") > 60
    card = tab.frame_locator("#card")
    expect(card.locator(".status")).to_have_text("Major Service Outage")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "public-widget-on-another-site.png"))

    # Nothing but the two origins, and no cookie sent to the status page.
    assert {_origin(request.url) for request in requests} <= {
        _origin(other_site),
        _origin(live_server.url),
    }
    (summary,) = [request for request in requests if request.url.endswith("/summary.json")]
    assert "cookie" not in summary.all_headers()

    notice.get_by_role("button", name="Dismiss status notice").click()
    expect(tab.locator("[data-status-widget]")).to_be_hidden()
    tab.reload()  # dismissed for this status, for the rest of the visit
    tab.wait_for_load_state("networkidle")
    expect(tab.locator("[data-status-widget]")).to_have_count(0)


def test_the_widget_stays_out_of_sight_while_all_is_operational(
    live_server,
    operational,
    other_site,
    browser,  # noqa: F811
):
    tab = browser.new_page()
    with tab.expect_response(lambda response: response.url.endswith("/summary.json")) as read:
        tab.goto(other_site)
    assert read.value.ok
    assert read.value.json()["status"]["indicator"] == "none"
    tab.wait_for_load_state("networkidle")
    expect(tab.locator("[data-status-widget]")).to_have_count(0)
    expect(tab.get_by_role("status")).to_have_count(0)
    expect(tab.frame_locator("#card").locator(".status")).to_have_text("All Systems Operational")
    assert tab.evaluate("document.getElementById('badge').naturalWidth") > 60
