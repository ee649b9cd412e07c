"""Any Statuspage-powered page's public v2 JSON (``{page}/api/v2/...``), no key: the page,
its components and groups (as readers see them), the last 50 incidents and the last 50
scheduled maintenances with their updates."""

from urllib.parse import urlsplit

from django.utils.text import slugify

from imports.http import SourceUnreadable
from imports.snapshot import Snapshot, SourcePage, text_read
from imports.sources.base import Source
from imports.sources.statuspage_shapes import (
    incident_read,
    is_maintenance,
    maintenance_read,
    structure_read,
)

NOTE = (
    "The public JSON lists the last 50 incidents and maintenances, the components readers see, "
    "and no templates or subscribers."
)
# A page's address may move (http to https, a custom domain): the public JSON is keyless.
REDIRECTS = 3


class StatuspagePublicSource(Source):
    kind = "statuspage-public"
    label = "The public Statuspage page"
    needs_key = False

    def __init__(self, url: str, api_key: str = ""):
        super().__init__(url, api_key)
        self.client.redirects = REDIRECTS

    def document(self, name: str) -> dict:
        document = self.client.get(f"/api/v2/{name}")
        if not isinstance(document, dict):
            raise SourceUnreadable(f"{self.client.url(f'/api/v2/{name}')}: not a v2 document.")
        return document

    def read(self, *, page_id, with_subscribers) -> Snapshot:
        summary = self.document("summary.json")
        raw_page = summary.get("page")
        if not isinstance(raw_page, dict) or "id" not in raw_page:
            raise SourceUnreadable(f"{self.url}: summary.json has no page.")
        snapshot = Snapshot(
            source_key=self.source_key(str(raw_page["id"])),
            page=SourcePage(
                source_id=str(raw_page["id"]),
                name=text_read(raw_page.get("name")),
                slug=_slug(self.url, text_read(raw_page.get("name"))),
                time_zone=raw_page.get("time_zone") or "UTC",
            ),
            notes=[NOTE],
        )
        listed = self.document("components.json").get("components") or []
        groups = [raw for raw in listed if isinstance(raw, dict) and raw.get("group")]
        components = [raw for raw in listed if not (isinstance(raw, dict) and raw.get("group"))]
        structure_read(snapshot, groups, components)
        seen = set()
        maintenances = (
            self.document("scheduled-maintenances.json").get("scheduled_maintenances") or []
        )
        # incidents.json of some pages lists maintenances too: each is read once.
        for raw in [*maintenances, *(self.document("incidents.json").get("incidents") or [])]:
            key = raw.get("id") if isinstance(raw, dict) else None
            if key is not None and key in seen:
                continue
            seen.add(key)
            if is_maintenance(raw):
                item = snapshot.read(
                    "maintenance", raw, lambda r: maintenance_read(r, auto_transition=True)
                )
                if item is not None:
                    snapshot.maintenances.append(item)
            else:
                item = snapshot.read("incident", raw, incident_read)
                if item is not None:
                    snapshot.incidents.append(item)
        return snapshot


def _slug(url: str, name: str) -> str:
    """``…/pages/{slug}``'s slug, else the host's first name (``acme`` of acme.statuspage.io),
    else the page's name."""
    parts = urlsplit(url)
    path = [segment for segment in parts.path.split("/") if segment]
    if len(path) >= 2 and path[-2] == "pages":
        return path[-1]
    host = (parts.hostname or "").split(".")
    if host and host[0] not in ("www", "status") and not host[0].isdigit():
        return host[0]
    return slugify(name)
