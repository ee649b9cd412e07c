"""Visibility, readers, reader groups and share links through the management API, and what a
change of visibility does to the page's cached public documents."""

import pytest
from django.test import Client

from statuspages.models import Visibility
from statuspages.readers import reader_invite, share_link_create
from statuspages.services import status_page_update
from tests.factories import (
    ComponentFactory,
    MembershipFactory,
    OrganizationFactory,
    StatusPageFactory,
)

pytestmark = pytest.mark.django_db


def _base(page) -> str:
    return f"/api/v1/status-pages/{page.id}"


def test_a_page_is_public_unless_created_otherwise(api):
    created = api.post("/api/v1/status-pages", {"name": "Ops", "slug": "ops"}, format="json")
    assert created.status_code == 201
    assert created.json()["visibility"] == "public"
    assert created.json()["reader_domains"] == []
    private = api.post(
        "/api/v1/status-pages",
        {
            "name": "Inside",
            "slug": "inside",
            "visibility": "private",
            "reader_domains": ["Acme.com"],
        },
        format="json",
    )
    assert private.json()["visibility"] == "private"
    assert private.json()["reader_domains"] == ["acme.com"]
    assert Client().get("/pages/inside/").status_code == 404
    assert Client().get("/pages/ops/").status_code == 200


def test_patching_visibility_changes_who_may_read_the_page(
    api, page, django_capture_on_commit_callbacks
):
    assert Client().get("/pages/acme/api/v2/status.json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(_base(page), {"visibility": "audience"}, format="json")
    assert response.status_code == 200
    assert response.json()["visibility"] == "audience"
    assert Client().get("/pages/acme/api/v2/status.json").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(_base(page), {"visibility": "public"}, format="json")
    assert Client().get("/pages/acme/api/v2/status.json").status_code == 200


def test_an_unknown_visibility_or_domain_is_a_400(api, page):
    bad = api.patch(_base(page), {"visibility": "secret"}, format="json")
    assert bad.status_code == 400
    assert "visibility" in bad.json()["error"]["details"]
    bad = api.patch(_base(page), {"reader_domains": ["not a domain"]}, format="json")
    assert bad.status_code == 400


def test_a_cached_public_document_is_not_served_once_the_page_turns_private(
    api, page, django_capture_on_commit_callbacks
):
    ComponentFactory(page=page, name="API")
    paths = [
        ("/pages/acme/", {}),
        ("/pages/acme/api/v2/summary.json", {}),
        ("/", {"HTTP_HOST": "acme.localhost"}),
        ("/api/v2/summary.json", {"HTTP_HOST": "acme.localhost"}),
        ("/pages/acme/badge.svg", {}),
        ("/pages/acme/history.rss", {}),
    ]
    for path, headers in paths:
        assert Client().get(path, **headers).status_code == 200
        assert Client().get(path, **headers).status_code == 200  # now from the cache
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch(_base(page), {"visibility": "private"}, format="json").status_code == 200
    for path, headers in paths:
        assert Client().get(path, **headers).status_code == 404, path


def test_an_admitted_readers_document_is_never_served_to_anyone_else(
    page, organization, django_user_model
):
    status_page_update(page=page, visibility=Visibility.PRIVATE)
    member = django_user_model.objects.create_user("mia", password="pw")
    MembershipFactory(organization=organization, user=member)
    reader = Client()
    reader.force_login(member)
    for _ in range(2):
        assert reader.get("/pages/acme/api/v2/summary.json").status_code == 200
        assert reader.get("/pages/acme/").status_code == 200
    assert Client().get("/pages/acme/api/v2/summary.json").status_code == 404
    assert Client().get("/pages/acme/").status_code == 404


# ---- readers ----------------------------------------------------------------------------------


def test_readers_are_invited_listed_and_removed(api, page):
    group = api.post(f"{_base(page)}/reader-groups", {"name": "Alpha"}, format="json").json()
    created = api.post(
        f"{_base(page)}/readers",
        {"email": "Dana@Example.com", "group_ids": [group["id"]]},
        format="json",
    )
    assert created.status_code == 201
    reader = created.json()
    assert reader["id"].startswith("rdr_")
    assert reader["email"] == "dana@example.com"
    assert reader["group_ids"] == [group["id"]]
    again = api.post(f"{_base(page)}/readers", {"email": "dana@example.com"}, format="json")
    assert again.status_code == 409
    listed = api.get(f"{_base(page)}/readers").json()
    assert [r["id"] for r in listed["data"]] == [reader["id"]]
    patched = api.patch(f"{_base(page)}/readers/{reader['id']}", {"group_ids": []}, format="json")
    assert patched.json()["group_ids"] == []
    assert api.delete(f"{_base(page)}/readers/{reader['id']}").status_code == 204
    assert api.get(f"{_base(page)}/readers/{reader['id']}").status_code == 404


def test_a_reader_in_a_group_of_another_page_is_a_400(api, page, organization):
    other = StatusPageFactory(organization=organization, slug="other")
    foreign = api.post(f"{_base(other)}/reader-groups", {"name": "X"}, format="json").json()
    response = api.post(
        f"{_base(page)}/readers", {"email": "a@b.co", "group_ids": [foreign["id"]]}, format="json"
    )
    assert response.status_code == 400
    assert "group_ids" in response.json()["error"]["details"]


def test_reader_groups_are_created_changed_and_deleted(api, page):
    created = api.post(
        f"{_base(page)}/reader-groups",
        {"name": "Alpha", "domains": ["Alpha.com"]},
        format="json",
    )
    assert created.status_code == 201
    group = created.json()
    assert group["id"].startswith("rgrp_")
    assert group["domains"] == ["alpha.com"]
    patched = api.patch(
        f"{_base(page)}/reader-groups/{group['id']}", {"name": "Alpha Corp"}, format="json"
    )
    assert patched.json()["name"] == "Alpha Corp"
    assert patched.json()["domains"] == ["alpha.com"]
    assert api.delete(f"{_base(page)}/reader-groups/{group['id']}").status_code == 204
    assert api.get(f"{_base(page)}/reader-groups").json()["data"] == []


def test_share_links_show_their_url_once_and_are_revoked_by_deleting_them(api, page):
    status_page_update(page=page, visibility=Visibility.PRIVATE)
    created = api.post(
        f"{_base(page)}/share-links",
        {"name": "Auditors", "expires_at": "2099-01-01T00:00:00Z"},
        format="json",
    )
    assert created.status_code == 201
    link = created.json()
    assert link["id"].startswith("shr_")
    assert "/pages/acme/share/" in link["url"]
    assert "url" not in api.get(f"{_base(page)}/share-links/{link['id']}").json()
    holder = Client()
    holder.get(link["url"].split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert holder.get("/pages/acme/").status_code == 200
    assert api.delete(f"{_base(page)}/share-links/{link['id']}").status_code == 204
    assert holder.get("/pages/acme/").status_code == 404


def test_a_share_link_that_has_already_expired_is_a_400(api, page):
    response = api.post(
        f"{_base(page)}/share-links", {"expires_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "expires_at" in response.json()["error"]["details"]


def test_reader_writes_need_the_pages_write_scope(make_client, page):
    keyed = make_client(organization=page.organization, scopes="incidents:write")
    for path, body in (
        ("readers", {"email": "a@b.co"}),
        ("reader-groups", {"name": "A"}),
        ("share-links", {"expires_at": "2099-01-01T00:00:00Z"}),
    ):
        response = keyed.post(f"{_base(page)}/{path}", body, format="json")
        assert response.status_code == 403
        assert response.json()["error"]["details"]["required_scope"] == "pages:write"


def test_another_organizations_readers_are_404(make_client, page):
    reader = reader_invite(page=page, email="dana@example.com")
    link, _ = share_link_create(page=page, expires_at=reader.created_at.replace(year=2099))
    stranger = make_client(organization=OrganizationFactory(slug="other"))
    for path in (
        "readers",
        f"readers/{reader.id}",
        "reader-groups",
        "share-links",
        f"share-links/{link.id}",
    ):
        assert stranger.get(f"{_base(page)}/{path}").status_code == 404


def test_components_incidents_and_maintenances_are_limited_to_groups(api, page):
    group = api.post(f"{_base(page)}/reader-groups", {"name": "Alpha"}, format="json").json()
    component = api.post(
        f"{_base(page)}/components",
        {"name": "Alpha DB", "audience_group_ids": [group["id"]]},
        format="json",
    ).json()
    assert component["audience_group_ids"] == [group["id"]]
    cleared = api.patch(
        f"{_base(page)}/components/{component['id']}", {"audience_group_ids": []}, format="json"
    )
    assert cleared.json()["audience_group_ids"] == []
    incident = api.post(
        f"{_base(page)}/incidents",
        {"name": "Alpha only", "audience_group_ids": [group["id"]]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="alpha-only",
    )
    assert incident.status_code == 201
    assert incident.json()["audience_group_ids"] == [group["id"]]
    maintenance = api.post(
        f"{_base(page)}/maintenances",
        {
            "name": "Alpha upgrade",
            "start_at": "2099-01-01T00:00:00Z",
            "end_at": "2099-01-01T01:00:00Z",
            "audience_group_ids": [group["id"]],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="alpha-upgrade",
    )
    assert maintenance.status_code == 201, maintenance.json()
    assert maintenance.json()["audience_group_ids"] == [group["id"]]
    unknown = api.post(
        f"{_base(page)}/components",
        {"name": "X", "audience_group_ids": ["rgrp_nope"]},
        format="json",
    )
    assert unknown.status_code == 400


def test_the_statuspage_v1_page_says_a_private_page_is_for_its_viewers_only(make_client, page):
    keyed = make_client(organization=page.organization)
    client = Client(HTTP_AUTHORIZATION=f"OAuth {keyed.token}")
    before = client.get(f"/v1/pages/{page.id}").json()
    assert before["viewers_must_be_team_members"] is False
    status_page_update(page=page, visibility=Visibility.PRIVATE)
    after = client.get(f"/v1/pages/{page.id}").json()
    assert after["viewers_must_be_team_members"] is True
    assert after["hidden_from_search"] is True


def test_a_reader_group_that_limits_items_cannot_be_deleted(api, page):
    group = api.post(f"{_base(page)}/reader-groups", {"name": "Alpha"}, format="json").json()
    component = api.post(
        f"{_base(page)}/components",
        {"name": "Alpha DB", "audience_group_ids": [group["id"]]},
        format="json",
    ).json()
    refused = api.delete(f"{_base(page)}/reader-groups/{group['id']}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"
    api.patch(
        f"{_base(page)}/components/{component['id']}", {"audience_group_ids": []}, format="json"
    )
    assert api.delete(f"{_base(page)}/reader-groups/{group['id']}").status_code == 204
