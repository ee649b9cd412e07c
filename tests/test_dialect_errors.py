"""Errors answered outside a dialect's views (a body over the size limit, an unknown path, a
method no view takes, a crash in a view or in a middleware) come in that dialect's own error
shape, for every dialect, through the one registry in ``core.errors``."""

import pytest
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from config.urls import urlpatterns as project_urls
from core.api import ApiView

pytestmark = pytest.mark.django_db

SECRET = "secret detail that must not leak"


class CrashingApiView(ApiView):
    def get(self, request):
        raise RuntimeError(SECRET)


def crashing_django_view(request):
    raise ValueError(SECRET)


class CrashingMiddleware:
    """A middleware that fails on one path, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.endswith("/crash-in-middleware"):
            raise RuntimeError(SECRET)
        return self.get_response(request)


PREFIXES = ("v1", "incident-io", "instatus")
urlpatterns = [
    *(path(f"{prefix}/crash-in-api-view", CrashingApiView.as_view()) for prefix in PREFIXES),
    *(path(f"{prefix}/crash-in-django-view", crashing_django_view) for prefix in PREFIXES),
    *project_urls,
]


def statuspage_shape(response, status: int) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str), body


def incident_io_shape(response, status: int) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"type", "status", "request_id", "errors"}, body
    assert body["status"] == status
    assert body["request_id"] == response["X-Request-Id"]
    assert all({"code", "message"} <= set(error) for error in body["errors"]), body


def instatus_shape(response, status: int) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}, body


DIALECTS = [
    pytest.param("/v1/", statuspage_shape, id="statuspage_v1"),
    pytest.param("/incident-io/", incident_io_shape, id="incident_io"),
    pytest.param("/instatus/", instatus_shape, id="instatus"),
]


@pytest.mark.parametrize(("prefix", "shape"), DIALECTS)
def test_an_oversized_body_is_a_413_in_the_dialects_shape(api, prefix, shape, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.client.post(
        f"{prefix}anything", b'{"x": "' + b"x" * 2000 + b'"}', content_type="application/json"
    )
    shape(response, 413)


@pytest.mark.parametrize(("prefix", "shape"), DIALECTS)
def test_an_unknown_path_is_a_404_in_the_dialects_shape_whatever_the_method(api, prefix, shape):
    shape(api.client.get(f"{prefix}no/such/thing"), 404)
    shape(api.client.post(f"{prefix}no/such/thing", {}, format="json"), 404)
    shape(Client().delete(f"{prefix}no/such/thing"), 404)


@pytest.mark.parametrize(("prefix", "shape"), DIALECTS)
def test_a_method_no_view_takes_is_a_405_in_the_dialects_shape(api, prefix, shape):
    listing = {"/v1/": "pages", "/incident-io/": "v2/status_pages", "/instatus/": "v2/pages"}
    response = api.client.delete(f"{prefix}{listing[prefix]}")
    shape(response, 405)
    assert "GET" in response["Allow"]


@pytest.mark.urls("tests.test_dialect_errors")
@pytest.mark.parametrize(("prefix", "shape"), DIALECTS)
def test_a_crash_in_a_view_is_a_500_in_the_dialects_shape(api, prefix, shape, settings):
    settings.DEBUG = True  # not even in debug mode does the detail leak
    for name in ("crash-in-api-view", "crash-in-django-view"):
        response = api.client.get(f"{prefix}{name}")
        shape(response, 500)
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize(("prefix", "shape"), DIALECTS)
def test_a_crash_in_a_middleware_is_a_500_in_the_dialects_shape(api, prefix, shape, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_dialect_errors.CrashingMiddleware"]
    # A new client loads the middleware as now set; it answers rather than re-raises.
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api.token}")
    response = client.get(f"{prefix}crash-in-middleware")
    shape(response, 500)
    assert SECRET not in response.content.decode()


def test_the_management_api_keeps_its_envelope(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.client.post(
        "/api/v1/status-pages", b'{"x": "' + b"x" * 2000 + b'"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.json()["error"]["request_id"] == response["X-Request-Id"]
