"""Roles in the admin site, members and invitations pages, and two-factor sign-in."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiKey, Membership
from incidents.models import Incident
from incidents.services import incident_create
from tests.factories import MembershipFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(organization):
    """``member(role)``: a staff user with ``role`` in acme, signed in to the admin."""

    def make(role, username=None, organization=organization):
        user = get_user_model().objects.create_user(
            username or role, email=f"{username or role}@example.com", is_staff=True
        )
        MembershipFactory(organization=organization, user=user, role=role)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def incident(page):
    return incident_create(page=page, name="Checkout slow", message="Investigating.")


def _publish(client, incident):
    return client.post(
        f"/admin/incidents/incident/{incident.id}/publish/",
        {"status": "identified", "message": "Found it."},
    )


def test_a_viewer_reads_incidents_but_cannot_publish_or_edit(member, incident, page):
    viewer = member("viewer")
    change = viewer.get(f"/admin/incidents/incident/{incident.id}/change/")
    assert change.status_code == 200
    assert "Checkout slow" in change.content.decode()
    assert "Publish update" not in change.content.decode()
    assert 'name="_save"' not in change.content.decode()
    assert "Publish update" not in viewer.get("/admin/incidents/incident/").content.decode()
    assert viewer.get(f"/admin/incidents/incident/{incident.id}/publish/").status_code == 403
    assert _publish(viewer, incident).status_code == 403
    assert viewer.get("/admin/incidents/incident/add/").status_code == 403
    assert viewer.post(f"/admin/statuspages/statuspage/{page.id}/change/", {}).status_code == 403
    resolve = viewer.post(
        "/admin/incidents/incident/",
        {"action": "resolve", "_selected_action": [incident.id]},
    )
    assert resolve.status_code == 200  # the action is not offered: nothing happens
    incident.refresh_from_db()
    assert incident.status == "investigating" and incident.updates.count() == 1


def test_an_editor_publishes_but_manages_neither_keys_nor_members(member, incident, page):
    editor = member("editor")
    assert _publish(editor, incident).status_code == 302
    incident.refresh_from_db()
    assert incident.status == "identified"
    assert editor.get("/admin/accounts/apikey/add/").status_code == 403
    assert editor.get("/admin/accounts/invitation/add/").status_code == 403
    owner = Membership.objects.get(user__username="editor")
    assert editor.post(f"/admin/accounts/membership/{owner.id}/change/", {}).status_code == 403
    assert editor.post(f"/admin/statuspages/statuspage/{page.id}/change/", {}).status_code == 403


def test_an_admin_makes_keys_that_record_them_but_cannot_grant_the_members_scope(
    member, organization
):
    admin_client = member("admin")
    made = admin_client.post(
        "/admin/accounts/apikey/add/",
        {"organization": organization.id, "name": "pager", "scopes": ["incidents:write"]},
    )
    assert made.status_code == 200 and "api-token" in made.content.decode()
    key = ApiKey.objects.get(name="pager")
    assert key.created_by == Membership.objects.get(user__username="admin")
    refused = admin_client.post(
        "/admin/accounts/apikey/add/",
        {"organization": organization.id, "name": "root", "scopes": ["members:write"]},
    )
    assert refused.status_code == 200
    assert "you do not hold it" in refused.content.decode()
    assert not ApiKey.objects.filter(name="root").exists()
    assert admin_client.get("/admin/accounts/invitation/add/").status_code == 403


def test_an_owner_invites_from_the_admin_and_the_link_lets_them_in(
    member, organization, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "https://status.example.com"
    owner = member("owner")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            "/admin/accounts/invitation/add/",
            {"organization": organization.id, "email": "new@example.com", "role": "viewer"},
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https://status\.example\.com(/invitations/\S+)", message.body).group(1)
    listed = owner.get("/admin/accounts/invitation/").content.decode()
    assert "new@example.com" in listed
    joined = Client().post(
        link, {"new_password1": "tall trees 77", "new_password2": "tall trees 77"}
    )
    assert joined.status_code == 200
    assert Membership.objects.get(user__email="new@example.com").status == "active"
    assert "new@example.com" not in owner.get("/admin/accounts/invitation/").content.decode()


def test_the_owner_changes_roles_but_never_drops_the_last_owner(member, organization):
    owner = member("owner")
    member("editor")
    editor_membership = Membership.objects.get(user__username="editor")
    changed = owner.post(
        f"/admin/accounts/membership/{editor_membership.id}/change/", {"role": "admin"}
    )
    assert changed.status_code == 302
    editor_membership.refresh_from_db()
    assert editor_membership.role == "admin"

    own = Membership.objects.get(user__username="owner")
    demoted = owner.post(f"/admin/accounts/membership/{own.id}/change/", {"role": "viewer"})
    assert demoted.status_code == 200
    assert "keeps at least one owner" in demoted.content.decode()
    removed = owner.post(
        f"/admin/accounts/membership/{own.id}/delete/", {"post": "yes"}, follow=True
    )
    assert "keeps at least one owner" in removed.content.decode()
    own.refresh_from_db()
    assert own.role == "owner"


def test_roles_apply_per_organization(member, organization, page):
    other = OrganizationFactory(slug="globex", name="Globex")
    other_page = StatusPageFactory(organization=other, slug="globex")
    theirs = incident_create(page=other_page, name="Globex down", message="")
    ours = incident_create(page=page, name="Acme down", message="")
    client = member("editor")
    MembershipFactory(
        organization=other, user=get_user_model().objects.get(username="editor"), role="viewer"
    )
    assert _publish(client, theirs).status_code == 403
    client.post(
        "/admin/incidents/incident/",
        {"action": "resolve", "_selected_action": [theirs.id, ours.id]},
    )
    assert Incident.objects.get(id=ours.id).status == "resolved"
    assert Incident.objects.get(id=theirs.id).status == "investigating"


def test_a_superuser_without_a_membership_operates_everything(incident):
    root = get_user_model().objects.create_superuser("root", "root@example.com", None)
    client = Client()
    client.force_login(root)
    assert _publish(client, incident).status_code == 302


def test_an_invited_member_sees_nothing_until_they_join(organization, page):
    user = get_user_model().objects.create_user("pending", is_staff=True)
    MembershipFactory(organization=organization, user=user, role="owner", status="invited")
    client = Client()
    client.force_login(user)
    assert "Acme" not in client.get("/admin/statuspages/statuspage/").content.decode()


# ---- two-factor sign-in ---------------------------------------------------------------------


def _code(device) -> str:
    """What an authenticator app shows now (RFC 6238), computed from the device's secret."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def _sign_in(username="tess", password="a quiet lake 42"):
    client = Client()
    client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
    return client


def test_an_organization_requiring_two_factor_makes_members_enrol_then_enter_codes(
    organization, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    organization.require_two_factor = True
    organization.save()
    user = get_user_model().objects.create_user("tess", password="a quiet lake 42", is_staff=True)
    MembershipFactory(organization=organization, user=user)

    client = _sign_in()
    blocked = client.get("/admin/incidents/incident/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/account/two-factor/?next=")
    enrol = client.get(blocked["Location"])
    assert "otpauth://totp/" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=user)
    secret = re.search(r'id="totp-secret">(\w+)<', enrol.content.decode()).group(1)
    assert secret in device.config_url

    wrong = client.post("/account/two-factor/", {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    time_machine.shift(timedelta(seconds=31))
    confirmed = client.post(
        "/account/two-factor/", {"code": _code(device), "next": "/admin/incidents/incident/"}
    )
    assert confirmed.status_code == 302 and confirmed["Location"] == "/admin/incidents/incident/"
    assert client.get("/admin/incidents/incident/").status_code == 200

    # The next sign-in asks for a code, and no longer shows the secret.
    time_machine.shift(timedelta(seconds=31))
    again = _sign_in()
    assert again.get("/admin/").status_code == 302
    ask = again.get("/account/two-factor/")
    assert "totp-secret" not in ask.content.decode()
    assert again.post("/account/two-factor/", {"code": _code(device)}).status_code == 302
    assert again.get("/admin/").status_code == 200


def test_without_the_requirement_a_password_is_enough(organization):
    user = get_user_model().objects.create_user("tess", password="a quiet lake 42", is_staff=True)
    MembershipFactory(organization=organization, user=user)
    assert _sign_in().get("/admin/").status_code == 200


def test_an_owner_turns_the_requirement_on_in_the_admin(member, organization):
    owner = member("owner")
    response = owner.post(
        f"/admin/tenancy/organization/{organization.id}/change/",
        {
            "name": "Acme Inc",
            "slug": "acme",
            "require_two_factor": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.require_two_factor
    assert owner.get("/admin/").status_code == 302, "their own session now needs a code"


def test_resending_an_invitation_replaces_its_link(
    member, organization, django_capture_on_commit_callbacks
):
    owner = member("owner")
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            "/admin/accounts/invitation/add/",
            {"organization": organization.id, "email": "late@example.com", "role": "editor"},
        )
    invitation = Membership.objects.get(user__email="late@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            "/admin/accounts/invitation/",
            {"action": "resend", "_selected_action": [invitation.id]},
        )
    first, second = (re.search(r"/invitations/\S+", m.body).group(0) for m in mail.outbox)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_a_viewer_sees_the_members_but_changes_none(member):
    viewer = member("viewer")
    member("owner", username="olga")
    olga = Membership.objects.get(user__username="olga")
    listed = viewer.get("/admin/accounts/membership/").content.decode()
    assert "olga@example.com" in listed
    page = viewer.get(f"/admin/accounts/membership/{olga.id}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (
        viewer.post(f"/admin/accounts/membership/{olga.id}/delete/", {"post": "yes"}).status_code
        == 403
    )
