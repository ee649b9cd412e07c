"""What a notification says, from the event payload, and the typed message each channel's
transport is given for one delivery (``delivery_message``)."""

from dataclasses import dataclass, field

from django.template.loader import render_to_string

from channels.messages import (
    ChatFact,
    ChatMessage,
    EmailMessage,
    Message,
    SmsMessage,
    WebhookMessage,
)
from channels.transports.sms import MAX_LENGTH as SMS_MAX_LENGTH
from notifications.models import Delivery, NotificationEvent
from statuspages.models import EventKind
from subscribers.links import unsubscribe_url
from subscribers.models import Subscriber

WEBHOOK_DOCUMENTATION = "https://www.standardwebhooks.com/"

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


def status_change(component: dict) -> str:
    """``Operational → Major outage`` for one component of an event payload."""
    old, new = component.get("old_status"), component.get("new_status")
    return f"{status_word(old)} → {status_word(new)}"


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
        return [f"{c.get('name', '')}: {status_change(c)}" for c in self.components]

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


# ---- one message per delivery, in the shape its channel's transport takes ------------------


def delivery_message(
    *, delivery: Delivery, subscriber: Subscriber, message_type: type, timestamp: int
) -> Message:
    """The message for ``delivery`` to ``subscriber``; ``timestamp`` (Unix seconds) is this
    attempt's, for the webhook signature."""
    event = delivery.event
    notice = notice_for(event)
    unsubscribe = unsubscribe_url(subscriber.id)
    if message_type is EmailMessage:
        context = {"notice": notice, "unsubscribe_url": unsubscribe}
        return EmailMessage(
            to=subscriber.email,
            subject=notice.subject,
            text=render_to_string("notifications/email.txt", context),
            html=render_to_string("notifications/email.html", context),
            message_id=delivery.id,
            unsubscribe_url=unsubscribe,
        )
    if message_type is SmsMessage:
        links = f"\n{notice.url}\nStop: {unsubscribe}"
        text = f"{notice.subject}\n{notice.message}".strip()
        room = SMS_MAX_LENGTH - len(links)  # cut the words, never the links
        if len(text) > room:
            text = text[: room - 1] + "…"
        return SmsMessage(to=subscriber.phone_number, body=text + links)
    if message_type is WebhookMessage:
        return WebhookMessage(
            url=subscriber.endpoint,
            signing_secret=subscriber.signing_secret,
            webhook_id=delivery.id,
            timestamp=timestamp,
            body=webhook_body(event, unsubscribe=unsubscribe),
        )
    if message_type is ChatMessage:
        return ChatMessage(
            url=subscriber.endpoint,
            message_id=delivery.id,
            page_name=notice.page_name,
            title=notice.title,
            subject=notice.subject,
            status=notice.status,
            message=notice.message,
            link=notice.url,
            text=notice.text,
            unsubscribe_url=unsubscribe,
            facts=tuple(
                ChatFact(
                    name=c.get("name", ""),
                    change=status_change(c),
                    new_status=c.get("new_status") or "",
                )
                for c in notice.components
            ),
        )
    raise LookupError(f"No message is built for {message_type.__name__}.")


def webhook_body(event: NotificationEvent, *, unsubscribe: str) -> dict:
    """The Statuspage-style JSON body of a webhook (CONTRACT section 4)."""
    payload = event.payload
    page = payload.get("page", {})
    page_status = payload.get("page_status") or {}
    components = payload.get("components") or []
    body = {
        "meta": {
            "unsubscribe": unsubscribe,
            "documentation": WEBHOOK_DOCUMENTATION,
            "event": event.kind,
            "event_id": event.id,
        },
        "page": {
            "id": page.get("id"),
            "name": page.get("name"),
            "url": page.get("url"),
            "status_indicator": page_status.get("indicator"),
            "status_description": page_status.get("description"),
        },
    }
    if event.kind == EventKind.COMPONENT_UPDATED:
        component = components[0] if components else {}
        body["component_update"] = {
            "id": event.id,
            "component_id": component.get("id"),
            "old_status": component.get("old_status"),
            "new_status": component.get("new_status"),
            "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        }
        body["component"] = {
            "id": component.get("id"),
            "name": component.get("name"),
            "status": component.get("new_status"),
        }
        return body
    subject = payload.get("incident") or payload.get("maintenance") or {}
    update = payload.get("update")
    incident = {
        **subject,
        "page_id": page.get("id"),
        "incident_updates": [_webhook_update(update, subject.get("id"), components)]
        if update
        else [],
        "components": [
            {"id": c.get("id"), "name": c.get("name"), "status": c.get("new_status")}
            for c in components
        ],
    }
    if "maintenance" in payload:
        incident["impact"] = "maintenance"
        incident["scheduled_for"] = subject.get("start_at")
        incident["scheduled_until"] = subject.get("end_at")
    body["incident"] = incident
    return body


def _webhook_update(update: dict, subject_id: str, components: list[dict]) -> dict:
    return {
        "id": update.get("id"),
        "incident_id": subject_id,
        "status": update.get("status"),
        "body": update.get("message", ""),
        "created_at": update.get("created_at"),
        "updated_at": update.get("created_at"),
        "display_at": update.get("created_at"),
        "affected_components": [
            {
                "code": c.get("id"),
                "name": c.get("name"),
                "old_status": c.get("old_status"),
                "new_status": c.get("new_status"),
            }
            for c in components
        ],
    }
