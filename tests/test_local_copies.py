"""core.localcache: each process's copies of shared-cache values (the public documents' are
exercised through HTTP in test_public_cache.py). These need Redis: only its subscription lets a
process keep copies at all."""

import time

import pytest

from core.localcache import LocalMirror

pytestmark = pytest.mark.redis


@pytest.fixture
def mirrors():
    made: list[LocalMirror] = []
    yield made
    for mirror in made:
        mirror.close()


def _live_mirror(mirrors, **options) -> LocalMirror:
    mirror = LocalMirror("test-copies", **options)
    mirrors.append(mirror)
    deadline = time.monotonic() + 5
    while True:  # the first get starts the subscription; copies are kept once it is live
        mirror.get("g", "probe")
        mirror.put("g", "probe", "v", mirror.token(), expires_at=time.time() + 60)
        if mirror.get("g", "probe") == "v":
            mirror.invalidate(["g"])
            return mirror
        assert time.monotonic() < deadline, "the subscription never came up"
        time.sleep(0.02)


def test_a_value_read_before_an_invalidation_is_not_kept(mirrors):
    mirror = _live_mirror(mirrors)
    token = mirror.token()  # a reader takes this, then reads the shared cache...
    mirror.invalidate(["page-1"])  # ...meanwhile a writer changes the page
    mirror.put("page-1", "summary", "old", token, expires_at=time.time() + 60)
    assert mirror.get("page-1", "summary") is None

    mirror.put("page-1", "summary", "new", mirror.token(), expires_at=time.time() + 60)
    assert mirror.get("page-1", "summary") == "new"


def test_an_invalidation_drops_only_the_groups_it_names(mirrors):
    mirror = _live_mirror(mirrors)
    for group in ("page-1", "page-2"):
        mirror.put(group, "summary", group, mirror.token(), expires_at=time.time() + 60)
    mirror.invalidate(["page-1"])
    assert mirror.get("page-1", "summary") is None
    assert mirror.get("page-2", "summary") == "page-2"


def test_copies_stay_within_their_byte_budget_the_oldest_going_first(mirrors):
    mirror = _live_mirror(mirrors, max_bytes=8000)
    for n in range(5):
        mirror.put("page", f"doc-{n}", n, mirror.token(), expires_at=time.time() + 60, size=900)
    assert [mirror.get("page", f"doc-{n}") for n in range(5)] == [0, 1, 2, 3, 4]
    for n in range(5, 10):
        mirror.put("page", f"doc-{n}", n, mirror.token(), expires_at=time.time() + 60, size=900)
    kept = [n for n in range(10) if mirror.get("page", f"doc-{n}") is not None]
    assert kept == [2, 3, 4, 5, 6, 7, 8, 9]  # 8 x 900 bytes fit in 8000
    mirror.put("page", "huge", "x", mirror.token(), expires_at=time.time() + 60, size=1001)
    assert mirror.get("page", "huge") is None  # over an eighth of the budget: never kept


def test_a_copy_is_not_served_after_its_expiry(mirrors):
    mirror = _live_mirror(mirrors)
    mirror.put("page", "doc", "v", mirror.token(), expires_at=time.time() + 0.05)
    assert mirror.get("page", "doc") == "v"
    time.sleep(0.06)
    assert mirror.get("page", "doc") is None
