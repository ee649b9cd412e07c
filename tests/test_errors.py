import pytest
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as project_urls
from core.api import ApiView

pytestmark = pytest.mark.django_db


class CrashingView(ApiView):
    def get(self, request):
        raise RuntimeError("secret detail that must not leak")


def crashing_django_view(request):
    raise ValueError("another secret detail")


urlpatterns = [
    path("api/v1/test-crash", CrashingView.as_view()),
    path("api/v1/test-django-crash", crashing_django_view),
    *project_urls,
]


def _assert_envelope(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["request_id"] == response["X-Request-Id"]
    return error


def test_malformed_json_is_400_parse_error(api):
    response = api.client.generic(
        "POST", "/api/v1/status-pages", '{"name": ', content_type="application/json"
    )
    _assert_envelope(response, 400, "parse_error")


def test_wrong_content_type_is_415(api):
    response = api.client.generic(
        "POST", "/api/v1/status-pages", "name=x", content_type="application/x-www-form-urlencoded"
    )
    _assert_envelope(response, 415, "unsupported_media_type")


def test_validation_errors_name_each_field(api):
    response = api.post("/api/v1/status-pages", {"name": "", "slug": "Not A Slug", "extra": 1})
    error = _assert_envelope(response, 400, "validation_error")
    assert set(error["details"]) == {"name", "slug", "extra"}
    assert all(isinstance(messages, list) for messages in error["details"].values())


def test_unknown_route_under_api_is_404_envelope(api):
    _assert_envelope(api.get("/api/v1/no-such-thing"), 404, "not_found")
    _assert_envelope(Client().get("/api/nothing/here"), 404, "not_found")


def test_wrong_method_is_405_envelope(api):
    error = _assert_envelope(api.put("/api/v1/me", {}), 405, "method_not_allowed")
    assert "PUT" in error["message"]


@pytest.mark.urls("tests.test_errors")
def test_crash_is_500_without_traceback(api, settings):
    settings.DEBUG = True  # not even in debug mode
    for url in ("/api/v1/test-crash", "/api/v1/test-django-crash"):
        response = api.get(url)
        error = _assert_envelope(response, 500, "internal_error")
        body = response.content.decode()
        assert "secret detail" not in body and "Traceback" not in body
        assert error["message"] == "An internal error occurred."


def test_request_id_is_echoed_when_valid_and_made_up_otherwise(api):
    assert api.get("/api/v1/me", HTTP_X_REQUEST_ID="abc-123")["X-Request-Id"] == "abc-123"
    generated = api.get("/api/v1/me", HTTP_X_REQUEST_ID="bad id\n")["X-Request-Id"]
    assert generated != "bad id\n" and len(generated) == 32
    assert Client().get("/healthz")["X-Request-Id"]


def test_not_json_object_body_is_400(api):
    response = api.post("/api/v1/status-pages", [1, 2])
    _assert_envelope(response, 400, "validation_error")
