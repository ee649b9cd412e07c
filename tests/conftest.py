import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from accounts.services import api_key_create, parse_scopes
from tests.factories import MembershipFactory, OrganizationFactory, StatusPageFactory

# Their fixtures (eager_celery, allow_private, deny_private, twilio; the probes' loopback
# servers) serve every test module.
pytest_plugins = ["tests.notifications_support", "tests.probes_support"]

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
ON_REDIS = bool(os.environ.get("REDIS_URL"))


def pytest_report_header(config):
    return [
        f"database: {'PostgreSQL' if ON_POSTGRES else 'SQLite'}; "
        f"redis: {'yes' if ON_REDIS else 'no (local memory cache, eager Celery)'}"
    ]


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL or Redis are deselected (not skipped) without them; the CI
    run with services runs them, and fails if the service is not there."""
    keep, drop = [], []
    for item in items:
        if (item.get_closest_marker("postgres") and not ON_POSTGRES) or (
            item.get_closest_marker("redis") and not ON_REDIS
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def organization(db):
    return OrganizationFactory(slug="acme", name="Acme Inc")


@pytest.fixture
def page(organization):
    return StatusPageFactory(organization=organization, name="Acme", slug="acme")


@dataclass
class KeyedClient:
    client: APIClient
    token: str
    key: object

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture
def make_client(db):
    def make(organization=None, scopes="all", page_ids=None, expires_at=None, name="test key"):
        organization = organization or OrganizationFactory(slug="acme", name="Acme Inc")
        key, token = api_key_create(
            organization=organization,
            name=name,
            scopes=parse_scopes(scopes),
            page_ids=page_ids,
            expires_at=expires_at,
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return KeyedClient(client=client, token=token, key=key)

    return make


@pytest.fixture
def api(make_client, organization):
    """A client with every scope on the ``acme`` organization."""
    return make_client(organization=organization)


@pytest.fixture
def on_postgres():
    assert connection.vendor == "postgresql", "this test needs PostgreSQL (DATABASE_URL)"


@pytest.fixture
def operator(client, organization):
    """A staff member of the ``acme`` organization, logged in to the admin site."""
    user = get_user_model().objects.create_user("olivia", password="pw", is_staff=True)
    MembershipFactory(organization=organization, user=user)
    client.force_login(user)
    return client
