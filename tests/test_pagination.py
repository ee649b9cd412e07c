import pytest

from tests.factories import ComponentFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


def _walk(api, url, page_size):
    seen, after = [], None
    while True:
        params = {"page_size": page_size} | ({"after": after} if after else {})
        body = api.get(url, params).json()
        assert body["pagination"]["page_size"] == page_size
        seen.extend(item["id"] for item in body["data"])
        after = body["pagination"]["next_cursor"]
        if after is None:
            return seen


def test_pages_list_walks_every_item_once(api, organization):
    pages = [StatusPageFactory(organization=organization) for _ in range(7)]
    assert _walk(api, "/api/v1/status-pages", 3) == [page.id for page in pages]


def test_pagination_is_stable_under_inserts_between_pages(api, page):
    components = [ComponentFactory(page=page, position=i * 10) for i in range(6)]
    url = f"/api/v1/status-pages/{page.id}/components"
    first = api.get(url, {"page_size": 3}).json()
    assert [c["id"] for c in first["data"]] == [c.id for c in components[:3]]
    # Inserted before and after the cursor while the client is paging.
    ComponentFactory(page=page, position=5)
    late = ComponentFactory(page=page, position=45)
    rest = api.get(url, {"page_size": 3, "after": first["pagination"]["next_cursor"]}).json()
    rest_ids = [c["id"] for c in rest["data"]]
    assert rest_ids == [components[3].id, components[4].id, late.id]
    assert not set(rest_ids) & {c["id"] for c in first["data"]}


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 0},
        {"page_size": 251},
        {"page_size": "x"},
        {"after": "garbage!"},
        {"after": "WzEsMiwzXQ"},
    ],
)
def test_bad_pagination_parameters_are_400(api, page, params):
    response = api.get(f"/api/v1/status-pages/{page.id}/components", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_default_page_size_is_25(api, page):
    for _ in range(30):
        ComponentFactory(page=page)
    body = api.get(f"/api/v1/status-pages/{page.id}/components").json()
    assert len(body["data"]) == 25
    assert body["pagination"]["next_cursor"]
