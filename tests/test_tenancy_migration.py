"""Upgrading a database from before the move: Organization goes from accounts to tenancy and
every row stays where it was, still owned by the same organization, with its foreign keys
enforced and its admin content type kept."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

# The leaves the move starts from: everything before it, nothing of it.
BEFORE_NODES = [
    ("accounts", "0002_memberships_with_roles"),
    ("audit", "0001_initial"),
    ("core", "0001_initial"),
    ("statuspages", "0003_merge_language_visibility"),
    ("contenttypes", "0002_remove_content_type_name"),
]
BEFORE = [("tenancy", None), ("core", "0001_initial")]
AFTER = [
    ("accounts", "0003_organization_moves_to_tenancy"),
    ("audit", "0002_organization_in_tenancy"),
    ("core", "0002_idempotency_organization_id"),
    ("statuspages", "0004_organization_in_tenancy"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader


def _old_organization_with_everything_it_owns(old):
    user = old.get_model("auth", "User").objects.create(username="olivia")
    organization = old.get_model("accounts", "Organization").objects.create(
        id="org_1", slug="acme", name="Acme", require_two_factor=True
    )
    old.get_model("accounts", "Membership").objects.create(
        id="mem_1", organization=organization, user=user, role="admin", status="active"
    )
    old.get_model("accounts", "ApiKey").objects.create(
        id="key_1", organization=organization, name="CI", secret_hash="x" * 64
    )
    old.get_model("statuspages", "StatusPage").objects.create(
        id="page_1", organization=organization, name="Acme", slug="acme"
    )
    old.get_model("audit", "AuditEvent").objects.create(
        id="aud_1",
        organization=organization,
        actor_type="member",
        actor_id="mem_1",
        action="create",
        object_type="status_page",
        object_id="page_1",
    )
    old.get_model("core", "IdempotencyRecord").objects.create(
        organization=organization, key="k-1", method="POST", path="/api/v1/x", fingerprint="f"
    )
    return user


@pytest.mark.django_db(transaction=True)
def test_an_organization_and_everything_it_owns_survive_the_move_to_tenancy():
    loader = _migrate(BEFORE)
    old = loader.project_state(BEFORE_NODES).apps
    user = _old_organization_with_everything_it_owns(old)
    content_type = old.get_model("contenttypes", "ContentType").objects.get(
        app_label="accounts", model="organization"
    )

    new = _migrate(AFTER).project_state(AFTER).apps
    organization = new.get_model("tenancy", "Organization").objects.get()
    assert (organization.id, organization.slug, organization.name) == ("org_1", "acme", "Acme")
    assert organization.require_two_factor is True
    membership = new.get_model("accounts", "Membership").objects.get()
    assert (membership.organization.slug, membership.user_id, membership.role) == (
        "acme",
        user.id,
        "admin",
    )
    assert new.get_model("accounts", "ApiKey").objects.get().organization.slug == "acme"
    assert new.get_model("statuspages", "StatusPage").objects.get().organization.slug == "acme"
    assert new.get_model("audit", "AuditEvent").objects.get().organization.slug == "acme"
    record = new.get_model("core", "IdempotencyRecord").objects.get()
    assert (record.organization_id, record.key) == ("org_1", "k-1")
    moved = new.get_model("contenttypes", "ContentType").objects.get(pk=content_type.pk)
    assert (moved.app_label, moved.model) == ("tenancy", "organization")

    # The database still refuses a membership of an organization that does not exist.
    with pytest.raises(IntegrityError), transaction.atomic():
        new.get_model("accounts", "Membership").objects.create(
            id="mem_2", organization_id="org_missing", user_id=user.id
        )

    # And back: the previous release finds its organization, members and content type again.
    old = _migrate(BEFORE).project_state(BEFORE_NODES).apps
    restored = old.get_model("accounts", "Organization").objects.get(id="org_1")
    assert list(restored.members.values_list("username", flat=True)) == ["olivia"]
    assert old.get_model("contenttypes", "ContentType").objects.get(
        pk=content_type.pk
    ).app_label == ("accounts")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
