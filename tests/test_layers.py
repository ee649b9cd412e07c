"""Who may import whom, read from the source: the channel layer knows no domain app, and
subscribers sit below notifications."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from channels.transports import CHANNELS, transport_for
from subscribers.models import Channel

ROOT = Path(__file__).resolve().parent.parent
# The project's own apps, less the domain-free bottom layer.
DOMAIN_APPS = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()} - {
    "core"
}
# The deliveries endpoint still lives in subscribers (reads of notifications' Delivery rows);
# it belongs in notifications, with its URL, once api.py may move.
SUBSCRIBERS_READING_DELIVERIES = {"subscribers/api.py", "subscribers/selectors.py"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("channels"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_channel_layer_imports_no_domain_app(path):
    assert _imported_roots(path) & DOMAIN_APPS == set()


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in _modules("subscribers")
        if str(p.relative_to(ROOT)) not in SUBSCRIBERS_READING_DELIVERIES
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_subscribers_import_nothing_from_notifications(path):
    assert "notifications" not in _imported_roots(path)


def test_every_subscriber_channel_has_a_transport_for_its_messages():
    assert set(CHANNELS) == set(Channel.values)
    assert all(transport_for(channel).channel == channel for channel in Channel.values)
    with pytest.raises(LookupError):
        transport_for("pigeon")
