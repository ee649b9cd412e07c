"""A metric chart on the human page in a real browser: drawn as SVG, no script needed."""

import datetime as dt

import pytest
from django.utils import timezone

from metrics.services import metric_create, metric_points_submit
from tests.test_public_browser import ARTIFACTS, browser  # noqa: F401 (the fixture)


@pytest.fixture
def latency(page):
    metric = metric_create(page=page, name="API response time", suffix="ms")
    now = timezone.now()
    metric_points_submit(
        metric=metric,
        points=[(now - dt.timedelta(minutes=10 * i), 120.0 + (i % 5) * 10) for i in range(100)],
    )
    return metric


@pytest.mark.django_db(transaction=True)
def test_the_metric_chart_is_shown_without_javascript(live_server, latency, browser):  # noqa: F811
    no_script = browser.browser.new_context(java_script_enabled=False)
    tab = no_script.new_page()
    tab.set_viewport_size({"width": 1280, "height": 900})
    assert tab.goto(f"{live_server.url}/pages/acme/").status == 200
    card = tab.locator(f'[data-metric="{latency.id}"]')
    assert card.locator("h3").inner_text() == "API response time"
    day = card.locator('svg[data-period="day"]')
    assert day.is_visible()
    box = day.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert day.locator("path").count() == 1
    assert "latest" in day.get_attribute("aria-label")
    # The week chart is one click away, in a <details> that needs no script.
    week = card.locator('svg[data-period="week"]')
    assert not week.is_visible()
    card.locator("summary", has_text="Last 7 days").click()
    assert week.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "public-metric-chart.png"))
    no_script.close()
