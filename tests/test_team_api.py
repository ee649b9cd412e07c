"""Members, invitations and API keys through the management API."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import ApiKey, Membership
from accounts.services import api_key_create, member_invite, parse_scopes
from tests.factories import MembershipFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver/invitations/(mem_\w+)/([\w-]+)")


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture
def owner(organization):
    user = get_user_model().objects.create_user("owen", email="owen@example.com", is_staff=True)
    MembershipFactory(organization=organization, user=user)  # without a role: an owner
    return Membership.objects.get(user=user)


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """POST /members, then what the request left for after its commit (the email)."""

    def post(api, email="ivy@example.com", role="editor", **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post("/api/v1/members", {"email": email, "role": role}, **headers)

    return post


def _invitation_link() -> str:
    (message,) = mail.outbox
    return LINK.search(message.body).group(0)


def test_the_members_list_shows_existing_members_as_active_owners(api, owner):
    response = api.get("/api/v1/members")
    assert response.status_code == 200
    assert response.json()["data"] == [
        {
            "id": owner.id,
            "email": "owen@example.com",
            "role": "owner",
            "status": "active",
            "created_at": response.json()["data"][0]["created_at"],
        }
    ]
    assert owner.id.startswith("mem_")


def test_an_invited_member_gets_a_one_time_link_and_joins_with_a_password(api, owner, invite):
    response = invite(api)
    assert response.status_code == 201
    member = response.json()
    assert member["email"] == "ivy@example.com"
    assert (member["role"], member["status"]) == ("editor", "invited")
    (message,) = mail.outbox
    assert message.to == ["ivy@example.com"]
    assert "Acme Inc" in message.subject
    link = _invitation_link()

    browser = Client()
    page = browser.get(link)
    assert page.status_code == 200
    assert b"Join Acme Inc" in page.content and b"<script" not in page.content
    assert page["Referrer-Policy"] == "no-referrer"
    joined = browser.post(
        link, {"new_password1": "a long passphrase 42", "new_password2": "a long passphrase 42"}
    )
    assert joined.status_code == 200 and b"You are now a member" in joined.content
    assert api.get(f"/api/v1/members/{member['id']}").json()["status"] == "active"
    assert browser.login(username="ivy@example.com", password="a long passphrase 42")
    assert browser.get("/admin/incidents/incident/").status_code == 200

    again = Client().get(link)
    assert again.status_code == 404, "the link works once"


def test_an_invitation_link_expires_after_seven_days(api, owner, time_machine, invite):
    invite(api)
    link = _invitation_link()
    time_machine.move_to(timezone.now() + timedelta(days=7) - timedelta(minutes=1))
    assert Client().get(link).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert Client().get(link).status_code == 404


def test_a_tampered_invitation_link_is_refused(api, owner, invite):
    invite(api)
    link = _invitation_link()
    assert Client().get(link[:-2] + "xx").status_code == 404


def test_a_weak_password_keeps_the_invitation_open(api, owner, invite):
    invite(api)
    link = _invitation_link()
    page = Client().post(link, {"new_password1": "123", "new_password2": "123"})
    assert page.status_code == 200 and b"errorlist" in page.content
    assert Membership.objects.get(user__email="ivy@example.com").status == "invited"


def test_inviting_someone_already_a_member_is_409(api, owner, invite):
    response = invite(api, email="OWEN@example.com")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_an_invitation_with_the_same_idempotency_key_is_sent_once(api, owner, invite):
    first = invite(api, HTTP_IDEMPOTENCY_KEY="invite-ivy")
    second = invite(api, HTTP_IDEMPOTENCY_KEY="invite-ivy")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert len(mail.outbox) == 1


def test_bad_invitations_are_400_in_the_envelope(api, owner, invite):
    too_long = f"{'a' * 140}@example.com"
    for body in (
        {"email": "not-an-address", "role": "editor"},
        {"email": "a@b.co"},
        {"email": too_long, "role": "viewer"},
    ):
        response = api.post("/api/v1/members", body)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "validation_error"
    response = invite(api, role="superuser")
    assert response.json()["error"]["details"] == {"role": ['"superuser" is not a valid choice.']}


def test_changing_a_role_and_removing_a_member(api, owner, invite):
    member = invite(api).json()
    changed = api.patch(f"/api/v1/members/{member['id']}", {"role": "viewer"})
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    assert api.delete(f"/api/v1/members/{member['id']}").status_code == 204
    assert api.get(f"/api/v1/members/{member['id']}").status_code == 404


def test_the_last_owner_can_be_neither_demoted_nor_removed(api, owner):
    demoted = api.patch(f"/api/v1/members/{owner.id}", {"role": "admin"})
    assert demoted.status_code == 409
    assert demoted.json()["error"]["code"] == "conflict"
    removed = api.delete(f"/api/v1/members/{owner.id}")
    assert removed.status_code == 409
    assert api.get(f"/api/v1/members/{owner.id}").json()["role"] == "owner"


def test_an_invited_owner_counts_as_an_owner(api, owner, invite):
    invited = invite(api, email="olga@example.com", role="owner").json()
    assert api.patch(f"/api/v1/members/{owner.id}", {"role": "admin"}).status_code == 200
    # Now the invited owner is the only one left.
    assert api.delete(f"/api/v1/members/{invited['id']}").status_code == 409


def test_removing_a_member_revokes_the_keys_they_made(api, owner, organization, invite):
    member = Membership.objects.get(id=invite(api, role="admin").json()["id"])
    key, _ = api_key_create(
        organization=organization, name="theirs", scopes=["incidents:write"], created_by=member
    )
    assert api.delete(f"/api/v1/members/{member.id}").status_code == 204
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_member_writes_need_the_members_scope(make_client, organization, owner, invite):
    reader = make_client(organization=organization, scopes="incidents:write")
    assert reader.get("/api/v1/members").status_code == 200
    response = invite(reader)
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required_scope": "members:write"}
    assert reader.patch(f"/api/v1/members/{owner.id}", {"role": "viewer"}).status_code == 403


def test_a_key_limited_to_pages_cannot_invite(make_client, organization, page, invite):
    limited = make_client(organization=organization, page_ids=[page.id])
    assert invite(limited).status_code == 403
    assert mail.outbox == []


def test_another_organizations_member_is_404(make_client, owner):
    other = make_client(organization=OrganizationFactory(slug="globex"))
    assert other.get(f"/api/v1/members/{owner.id}").status_code == 404
    assert other.patch(f"/api/v1/members/{owner.id}", {"role": "viewer"}).status_code == 404
    assert other.delete(f"/api/v1/members/{owner.id}").status_code == 404
    assert other.get("/api/v1/members").json()["data"] == []


def test_the_members_list_costs_the_same_at_2_and_40_members(
    api, organization, owner, django_assert_max_num_queries
):
    member_invite(organization=organization, email="a@example.com", role="viewer")
    with django_assert_max_num_queries(4) as small:
        api.get("/api/v1/members?page_size=250")
    for index in range(38):
        member_invite(organization=organization, email=f"m{index}@example.com", role="viewer")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api.get("/api/v1/members?page_size=250")
    assert len(response.json()["data"]) == 40


# ---- API keys -------------------------------------------------------------------------------


def _owner_key(organization, owner, scopes="all", page_ids=None):
    key, token = api_key_create(
        organization=organization,
        name="owner key",
        scopes=parse_scopes(scopes),
        page_ids=page_ids,
        created_by=owner,
    )
    return key, token


def _client(token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_key_made_through_the_api_shows_its_token_once_and_works(organization, owner):
    parent, token = _owner_key(organization, owner)
    client = _client(token)
    response = client.post(
        "/api/v1/api-keys",
        {"name": "deploy bot", "scopes": ["incidents:write"]},
        HTTP_IDEMPOTENCY_KEY="deploy-bot",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["token"].startswith(created["prefix"])
    assert created["created_by"] == {"id": owner.id, "email": "owen@example.com"}
    me = _client(created["token"]).get("/api/v1/me").json()
    assert me["name"] == "deploy bot"
    assert me["created_by"] == {"id": owner.id, "email": "owen@example.com"}
    assert ApiKey.objects.get(id=created["id"]).created_by_key_id == parent.id

    listed = client.get("/api/v1/api-keys").json()["data"]
    assert {key["id"] for key in listed} == {parent.id, created["id"]}
    assert all("token" not in key for key in listed)
    assert set(listed[0]) == {
        "id",
        "name",
        "prefix",
        "scopes",
        "pages",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    }
    assert created["token"] not in str(client.get(f"/api/v1/api-keys/{created['id']}").json())


def test_a_revoked_key_gets_401_and_stays_listed(api):
    made = api.post("/api/v1/api-keys", {"name": "short lived"}).json()
    assert api.delete(f"/api/v1/api-keys/{made['id']}").status_code == 204
    assert _client(made["token"]).get("/api/v1/me").status_code == 401
    assert api.get(f"/api/v1/api-keys/{made['id']}").json()["revoked_at"] is not None


def test_a_key_cannot_grant_a_scope_it_does_not_hold(make_client, organization):
    keys_only = make_client(organization=organization, scopes="keys:write,subscribers:write")
    response = keys_only.post(
        "/api/v1/api-keys", {"name": "escalate", "scopes": ["incidents:write"]}
    )
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required_scope": "incidents:write"}
    implied = keys_only.post("/api/v1/api-keys", {"name": "reader", "scopes": ["subscribers:read"]})
    assert implied.status_code == 201
    assert ApiKey.objects.count() == 2


def test_a_key_limited_to_pages_grants_only_those_pages(make_client, organization, page):
    other_page = StatusPageFactory(organization=organization, slug="other")
    limited = make_client(organization=organization, page_ids=[page.id])
    outside = limited.post("/api/v1/api-keys", {"name": "wider", "pages": [other_page.id]})
    assert outside.status_code == 400
    assert "pages" in outside.json()["error"]["details"]
    inherited = limited.post("/api/v1/api-keys", {"name": "same"})
    assert inherited.status_code == 201 and inherited.json()["pages"] == [page.id]


def test_an_admins_key_cannot_grant_the_members_scope(organization):
    admin_user = get_user_model().objects.create_user("ada", email="ada@example.com")
    MembershipFactory(organization=organization, user=admin_user, role="admin")
    admin_member = Membership.objects.get(user=admin_user)
    key, token = api_key_create(
        organization=organization,
        name="admin key",
        scopes=["keys:write", "incidents:write"],
        created_by=admin_member,
    )
    response = _client(token).post("/api/v1/api-keys", {"name": "x", "scopes": ["members:write"]})
    assert response.status_code == 403


def test_keys_need_the_keys_scope_and_stay_in_their_organization(make_client, organization):
    reader = make_client(organization=organization, scopes="incidents:write")
    assert reader.post("/api/v1/api-keys", {"name": "x"}).status_code == 403
    assert reader.delete(f"/api/v1/api-keys/{reader.key.id}").status_code == 403
    other = make_client(organization=OrganizationFactory(slug="globex"))
    assert other.get(f"/api/v1/api-keys/{reader.key.id}").status_code == 404
    assert other.delete(f"/api/v1/api-keys/{reader.key.id}").status_code == 404
    assert reader.get("/api/v1/me").status_code == 200


def test_the_key_list_costs_the_same_at_2_and_40_keys(
    organization, owner, django_assert_max_num_queries
):
    _, token = _owner_key(organization, owner)
    client = _client(token)
    client.post("/api/v1/api-keys", {"name": "k"})
    with django_assert_max_num_queries(5) as small:
        client.get("/api/v1/api-keys?page_size=250")
    for index in range(38):
        _owner_key(organization, owner)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/api-keys?page_size=250")
    assert len(response.json()["data"]) == 40


def test_someone_with_an_account_joins_another_organization_without_a_new_password(
    make_client, owner, invite
):
    owner.user.set_password("owen's own passphrase")
    owner.user.save()
    globex = make_client(organization=OrganizationFactory(slug="globex", name="Globex"))
    assert invite(globex, email="owen@example.com", role="viewer").status_code == 201
    link = _invitation_link()
    page = Client().get(link)
    assert b"new_password1" not in page.content
    assert Client().post(link).status_code == 200
    joined = Membership.objects.get(user__email="owen@example.com", organization__slug="globex")
    assert (joined.role, joined.status) == ("viewer", "active")


def test_a_replayed_key_creation_makes_one_key_and_never_stores_its_token(api):
    from core.models import IdempotencyRecord

    first = api.post("/api/v1/api-keys", {"name": "ci"}, HTTP_IDEMPOTENCY_KEY="ci-key")
    replay = api.post("/api/v1/api-keys", {"name": "ci"}, HTTP_IDEMPOTENCY_KEY="ci-key")
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"] and "token" not in replay.json()
    assert ApiKey.objects.filter(name="ci").count() == 1
    secret = first.json()["token"].split("_", 2)[2]
    assert secret not in str(IdempotencyRecord.objects.get(key="ci-key").response_body)
