"""The README's snippets work as printed."""

import re
from pathlib import Path

import pytest

from tests.factories import ComponentFactory
from tests.notifications_support import allow_private, eager_celery  # noqa: F401 - fixtures

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]


def _python_block(starting_with: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    return next(block for block in blocks if starting_with in block)


def test_the_readme_signature_check_accepts_our_webhooks_and_rejects_forgeries(
    api, page, httpserver, django_capture_on_commit_callbacks
):
    namespace: dict = {}
    exec(_python_block("def verify("), namespace)  # noqa: S102 - our own README
    verify = namespace["verify"]

    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    base = f"/api/v1/status-pages/{page.id}"
    subscriber = api.post(
        f"{base}/subscribers", {"channel": "webhook", "endpoint": httpserver.url_for("/hook")}
    ).json()
    component = ComponentFactory(page=page)
    with django_capture_on_commit_callbacks(execute=True):
        opened = api.post(
            f"{base}/incidents",
            {
                "name": "Outage",
                "component_statuses": [{"component_id": component.id, "status": "major_outage"}],
            },
            HTTP_IDEMPOTENCY_KEY="readme",
        )
    assert opened.status_code == 201
    ((request, _),) = httpserver.log
    body = request.get_data()
    assert verify(subscriber["signing_secret"], request.headers, body)
    assert not verify(subscriber["signing_secret"], request.headers, body + b" ")
    forged = {
        **{k.lower(): v for k, v in request.headers.items()},
        "webhook-timestamp": "1000000000",
    }
    assert not verify(subscriber["signing_secret"], forged, body)


@pytest.mark.django_db(transaction=True)
def test_the_readme_automation_script_opens_updates_and_resolves(live_server, make_client, page):
    from incidents.models import Incident

    ComponentFactory(page=page, name="API")
    keyed = make_client(organization=page.organization, scopes="incidents:write")
    script = (
        _python_block("import httpx")
        .replace("http://127.0.0.1:8000", live_server.url)
        .replace("spk_...", keyed.token)
    )
    exec(script, {})  # noqa: S102 - our own README
    incident = Incident.objects.get()
    assert incident.status == "resolved"
    assert list(incident.updates.order_by("created_at").values_list("status", flat=True)) == [
        "investigating",
        "identified",
        "resolved",
    ]
    exec(script.split('api.post(f"/status-pages/{page_id}/incidents/')[0], {})  # noqa: S102
    assert Incident.objects.count() == 1, "the retried create replayed instead of opening another"
