from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.services import api_key_revoke
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db
BEARER = 'Bearer realm="api"'


def _assert_unauthenticated(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == BEARER
    assert response.json()["error"]["code"] == "unauthenticated"


def test_request_without_a_key_is_401_with_www_authenticate():
    _assert_unauthenticated(APIClient().get("/api/v1/status-pages"))


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "Token spk_x_y", "spk_abc_def"],
)
def test_malformed_authorization_header_is_401(header):
    _assert_unauthenticated(APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=header))


@pytest.mark.parametrize(
    "token", ["spk_nothing", "spk_01ABCDEFGHJKMNPQRSTVWXYZ01_secret", "xyz_01ABC_secret"]
)
def test_unknown_token_is_401(token):
    _assert_unauthenticated(APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}"))


def test_right_key_id_with_wrong_secret_is_401(make_client):
    keyed = make_client()
    forged = keyed.token.rsplit("_", 1)[0] + "_" + "A" * 43
    _assert_unauthenticated(APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {forged}"))


def test_revoked_key_is_401(make_client):
    keyed = make_client()
    api_key_revoke(api_key=keyed.key)
    response = keyed.get("/api/v1/me")
    _assert_unauthenticated(response)
    assert "revoked" in response.json()["error"]["message"]


def test_expired_key_is_401(make_client, time_machine):
    keyed = make_client(expires_at=timezone.now() + timedelta(hours=1))
    time_machine.move_to(timezone.now() + timedelta(hours=1, seconds=1))
    response = keyed.get("/api/v1/me")
    _assert_unauthenticated(response)
    assert "expired" in response.json()["error"]["message"]


def test_a_key_cannot_be_made_already_expired(make_client):
    with pytest.raises(ValidationError) as refused:
        make_client(expires_at=timezone.now() - timedelta(seconds=1))
    assert refused.value.message_dict == {"expires_at": ["Choose a time in the future."]}


def test_me_describes_the_calling_key(make_client, page):
    keyed = make_client(scopes="pages:write", page_ids=[page.id], name="deploy bot")
    response = keyed.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": keyed.key.id,
        "name": "deploy bot",
        "organization": "acme",
        "scopes": ["pages:write"],
        "pages": [page.id],
        "expires_at": None,
        "created_by": None,
    }


def test_only_a_hash_of_the_secret_is_stored(make_client):
    keyed = make_client()
    secret = keyed.token.split("_", 2)[2]
    stored = ApiKey.objects.get(id=keyed.key.id)
    assert secret not in stored.secret_hash
    assert len(stored.secret_hash) == 64


def test_read_only_key_may_read_but_not_write(make_client, page):
    keyed = make_client(scopes="")
    assert keyed.get(f"/api/v1/status-pages/{page.id}").status_code == 200
    response = keyed.patch(f"/api/v1/status-pages/{page.id}", {"name": "New"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert response.json()["error"]["details"] == {"required_scope": "pages:write"}


def test_key_with_another_scope_cannot_create_components(make_client, page):
    keyed = make_client(scopes="incidents:write")
    response = keyed.post(f"/api/v1/status-pages/{page.id}/components", {"name": "API"})
    assert response.status_code == 403
    assert response.json()["error"]["details"]["required_scope"] == "pages:write"


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_organizations_page_is_404_like_a_missing_one(make_client, method):
    other_page = StatusPageFactory(organization=OrganizationFactory(slug="globex"))
    keyed = make_client()
    body = {"name": "x"} if method == "patch" else None  # on GET it would be a query parameter
    response = getattr(keyed, method)(f"/api/v1/status-pages/{other_page.id}", body)
    missing = getattr(keyed, method)("/api/v1/status-pages/page_doesnotexist", body)
    assert response.status_code == missing.status_code == 404
    assert response.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    other_page.refresh_from_db()
    assert other_page.name != "x"


def test_another_organizations_component_is_404(make_client, page):
    foreign = ComponentFactory(page=StatusPageFactory(organization=OrganizationFactory(slug="g")))
    keyed = make_client()
    assert keyed.get(f"/api/v1/status-pages/{page.id}/components/{foreign.id}").status_code == 404
    response = keyed.delete(f"/api/v1/status-pages/{foreign.page_id}/components/{foreign.id}")
    assert response.status_code == 404


def test_page_limited_key_sees_only_its_pages(make_client, organization, page):
    other = StatusPageFactory(organization=organization, slug="internal")
    keyed = make_client(page_ids=[page.id])
    listed = keyed.get("/api/v1/status-pages").json()["data"]
    assert [item["id"] for item in listed] == [page.id]
    assert keyed.get(f"/api/v1/status-pages/{other.id}").status_code == 404
    assert keyed.patch(f"/api/v1/status-pages/{other.id}", {"name": "x"}).status_code == 404
    assert keyed.get(f"/api/v1/status-pages/{page.id}").status_code == 200


def test_page_limited_key_cannot_create_pages(make_client, page):
    keyed = make_client(page_ids=[page.id])
    response = keyed.post("/api/v1/status-pages", {"name": "New", "slug": "new"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_last_used_at_is_written_at_most_once_a_minute(make_client, django_assert_num_queries):
    keyed = make_client()
    keyed.get("/api/v1/me")
    first = ApiKey.objects.get(id=keyed.key.id).last_used_at
    assert first is not None
    keyed.get("/api/v1/me")
    assert ApiKey.objects.get(id=keyed.key.id).last_used_at == first


def test_rate_limit_headers_on_every_response_and_429_when_exceeded(make_client, settings):
    settings.API_RATE_LIMIT = "3/min"
    keyed = make_client()
    remaining = []
    for _ in range(3):
        response = keyed.get("/api/v1/me")
        assert response.status_code == 200
        assert response["X-RateLimit-Limit"] == "3"
        assert int(response["X-RateLimit-Reset"]) > 0
        remaining.append(int(response["X-RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]
    response = keyed.get("/api/v1/me")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Remaining"] == "0"


def test_rate_limit_is_per_key(make_client, settings):
    settings.API_RATE_LIMIT = "1/min"
    first, second = make_client(name="a"), make_client(name="b")
    assert first.get("/api/v1/me").status_code == 200
    assert first.get("/api/v1/me").status_code == 429
    assert second.get("/api/v1/me").status_code == 200
