"""What a notification says, from the event payload; shared by every channel."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from notifications.models import EventKind

UNSUBSCRIBE_SALT = "subscribers.unsubscribe"

_STATUS_WORDS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
    "operational": "Operational",
    "under_maintenance": "Under maintenance",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}


def status_word(value: str | None) -> str:
    return _STATUS_WORDS.get(value or "", (value or "").replace("_", " ").capitalize())


def unsubscribe_url(subscriber_id: str) -> str:
    token = signing.dumps(subscriber_id, salt=UNSUBSCRIBE_SALT, compress=True)
    return f"{settings.PUBLIC_BASE_URL}/subscriptions/unsubscribe/{token}"


@dataclass
class Notice:
    """The human-readable parts of one event."""

    kind: str
    page_name: str
    page_url: str
    title: str
    status: str
    message: str
    url: str
    components: list[dict] = field(default_factory=list)  # {name, old_status, new_status}

    @property
    def subject(self) -> str:
        return f"[{self.page_name}] {self.title}" + (f" - {self.status}" if self.status else "")

    @property
    def component_lines(self) -> list[str]:
        return [
            f"{c.get('name', '')}: {status_word(c.get('old_status'))} → "
            f"{status_word(c.get('new_status'))}"
            for c in self.components
        ]

    @property
    def text(self) -> str:
        lines = [self.subject]
        if self.message:
            lines += ["", self.message]
        if self.component_lines:
            lines += ["", *self.component_lines]
        lines += ["", self.url]
        return "\n".join(lines)


def notice_for(event) -> Notice:
    payload = event.payload
    page = payload.get("page", {})
    update = payload.get("update") or {}
    subject = payload.get("incident") or payload.get("maintenance")
    components = payload.get("components") or []
    if event.kind == EventKind.COMPONENT_UPDATED or subject is None:
        first = components[0] if components else {}
        return Notice(
            kind=event.kind,
            page_name=page.get("name", ""),
            page_url=page.get("url", ""),
            title=f"{first.get('name', 'A component')} is {status_word(first.get('new_status'))}",
            status="",
            message="",
            url=page.get("url", ""),
            components=components,
        )
    title = subject.get("name", "")
    if "maintenance" in payload:
        title = f"Maintenance: {title}"
    return Notice(
        kind=event.kind,
        page_name=page.get("name", ""),
        page_url=page.get("url", ""),
        title=title,
        status=status_word(update.get("status") or subject.get("status")),
        message=update.get("message", ""),
        url=subject.get("shortlink") or page.get("url", ""),
        components=components,
    )
