"""Operators manage a page's visibility, readers and reader groups in the admin site."""

import pytest
from django.test import Client

from statuspages.models import Reader, ReaderGroup, ShareLink

pytestmark = pytest.mark.django_db


def test_an_operator_makes_a_page_private_and_invites_a_reader_in_a_group(
    operator, page, django_capture_on_commit_callbacks
):
    form = {
        "name": page.name,
        "slug": page.slug,
        "time_zone": "UTC",
        "default_language": "en",
        "custom_domain": "",
        "url_override": "",
        "visibility": "audience",
        "reader_domains": "Customer.com, partner.io",
        "groups-TOTAL_FORMS": "0",
        "groups-INITIAL_FORMS": "0",
        "components-TOTAL_FORMS": "0",
        "components-INITIAL_FORMS": "0",
        "incident_templates-TOTAL_FORMS": "0",
        "incident_templates-INITIAL_FORMS": "0",
        "maintenance_templates-TOTAL_FORMS": "0",
        "maintenance_templates-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        changed = operator.post(f"/admin/statuspages/statuspage/{page.id}/change/", form)
    assert changed.status_code == 302, changed.content.decode()[:3000]
    page.refresh_from_db()
    assert page.visibility == "audience"
    assert page.reader_domains == ["customer.com", "partner.io"]
    assert Client().get("/pages/acme/").status_code == 404

    created = operator.post(
        "/admin/statuspages/readergroup/add/",
        {"page": page.id, "name": "Alpha", "domains": "alpha.com"},
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    group = ReaderGroup.objects.get(page=page)
    assert group.domains == ["alpha.com"]

    invited = operator.post(
        "/admin/statuspages/reader/add/",
        {"page": page.id, "email": "Dana@Example.com", "groups": [group.id]},
    )
    assert invited.status_code == 302, invited.content.decode()[:3000]
    reader = Reader.objects.get(page=page)
    assert reader.email == "dana@example.com"
    assert list(reader.groups.all()) == [group]


def test_an_operator_creates_a_share_link_and_sees_its_url_once(operator, page):
    response = operator.post(
        "/admin/statuspages/sharelink/add/",
        {
            "page": page.id,
            "name": "Auditors",
            "expires_at_0": "2099-01-01",
            "expires_at_1": "00:00:00",
        },
        follow=True,
    )
    assert response.status_code == 200
    link = ShareLink.objects.get(page=page)
    assert "/pages/acme/share/" in response.content.decode()
    assert link.name == "Auditors"
