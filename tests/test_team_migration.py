"""Upgrading keeps every organization's members: each becomes an active owner."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_memberships_with_roles")]


@pytest.mark.django_db(transaction=True)
def test_members_of_the_plain_list_become_active_owners_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="olivia")
    organization = old.get_model("accounts", "Organization").objects.create(
        id="org_1", slug="acme", name="Acme"
    )
    organization.members.add(user)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    (membership,) = new.get_model("accounts", "Membership").objects.all()
    assert (membership.organization_id, membership.user_id) == ("org_1", user.id)
    assert (membership.role, membership.status) == ("owner", "active")
    assert membership.id.startswith("mem_")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps
    restored = back.get_model("accounts", "Organization").objects.get(id="org_1")
    assert list(restored.members.values_list("username", flat=True)) == ["olivia"]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
