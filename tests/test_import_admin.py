"""The import in the admin: a form starts it as a task; the run's page shows its progress,
reloading itself while it runs, and what it said when it ends. The key is not kept."""

import pytest
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from imports.models import ImportRun, ImportStatus
from statuspages.models import StatusPage
from tests.factories import MembershipFactory, OrganizationFactory
from tests.test_import_page import source  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def beta_operator(client):
    beta = OrganizationFactory(slug="beta", name="Beta")
    user = get_user_model().objects.create_user("ivy", password="pw", is_staff=True)
    membership = MembershipFactory(organization=beta, user=user)
    client.force_login(user)
    return client, beta, membership


def test_an_operator_imports_a_page_and_reads_what_it_did(
    source,  # noqa: F811
    beta_operator,
    eager_celery,
):
    _, token, url = source
    client, beta, membership = beta_operator

    response = client.post(
        "/admin/imports/importrun/add/",
        {
            "organization": beta.id,
            "source_kind": "statuspage",
            "url": f"{url}/v1",
            "api_key": token,
            "source_page_id": "",
            "with_subscribers": "on",
        },
    )

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/imports/importrun/{run.id}/change/"
    assert run.status == ImportStatus.SUCCEEDED
    assert (run.created_count, run.updated_count, run.skipped_count) == (19, 0, 0)
    assert (run.done, run.total) == (19, 19)
    assert run.api_key == ""  # taken by the worker, gone from the database
    page = StatusPage.objects.get(organization=beta)
    assert run.page == page and page.incidents.count() == 2
    shown = client.get(response.url).content.decode()
    assert "imported 19 objects (19 created, 0 updated)" in shown
    assert "19 of 19 objects" in shown
    assert 'http-equiv="refresh"' not in shown  # finished: nothing to wait for
    assert token not in shown
    # The activity log names the member who started it.
    created = AuditEvent.objects.get(object_id=page.id, action="status_page.created")
    assert (created.actor_type, created.actor_id) == ("member", membership.id)


def test_a_running_import_reloads_its_page_until_it_ends(beta_operator):
    client, beta, _ = beta_operator
    run = ImportRun.objects.create(
        organization=beta,
        source_kind="instatus",
        url="https://api.instatus.com",
        status=ImportStatus.RUNNING,
        total=1500,
        done=300,
    )

    shown = client.get(f"/admin/imports/importrun/{run.id}/change/").content.decode()

    assert '<meta http-equiv="refresh" content="2">' in shown
    assert "300 of 1500 objects" in shown


def test_a_keyed_source_without_a_key_is_refused_on_the_form(beta_operator, eager_celery):
    client, beta, _ = beta_operator

    response = client.post(
        "/admin/imports/importrun/add/",
        {"organization": beta.id, "source_kind": "incident-io", "url": "https://api.incident.io"},
    )

    assert response.status_code == 200
    assert "incident.io needs an API key." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_source_it_cannot_read_fails_the_run_with_the_reason(
    source,  # noqa: F811
    beta_operator,
    eager_celery,
):
    _, _, url = source
    client, beta, _ = beta_operator

    client.post(
        "/admin/imports/importrun/add/",
        {
            "organization": beta.id,
            "source_kind": "statuspage",
            "url": f"{url}/v1",
            "api_key": "spk_wrong_key",
        },
    )

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert "refused the key (401)" in run.log
    assert run.api_key == ""
    assert not StatusPage.objects.filter(organization=beta).exists()
