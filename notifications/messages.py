"""What a notification says, from the event payload, and the typed message each channel's
transport is given for one delivery (``delivery_message``).

Words are in the subscriber's language, else the page's default language (frozen in the
event); webhook bodies are machine values and stay as they are."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels.messages import (
    ChatFact,
    ChatMessage,
    EmailMessage,
    Message,
    SmsMessage,
    WebhookMessage,
)
from channels.transports.sms import MAX_LENGTH as SMS_MAX_LENGTH
from channels.transports.webhook import webhook_content
from core.serializers import rfc3339
from notifications.models import NotificationEvent
from statuspages.models import EventKind
from statuspages.publishing import ComponentChange
from statuspages.shapes import update_shape
from subscribers.links import unsubscribe_url
from subscribers.models import Subscriber

WEBHOOK_DOCUMENTATION = "https://www.standardwebhooks.com/"

_STATUS_WORDS = {
    "investigating": gettext_lazy("Investigating"),
    "identified": gettext_lazy("Identified"),
    "monitoring": gettext_lazy("Monitoring"),
    "resolved": gettext_lazy("Resolved"),
    "scheduled": gettext_lazy("Scheduled"),
    "in_progress": gettext_lazy("In progress"),
    "verifying": gettext_lazy("Verifying"),
    "completed": gettext_lazy("Completed"),
    "operational": gettext_lazy("Operational"),
    "under_maintenance": gettext_lazy("Under maintenance"),
    "degraded_performance": gettext_lazy("Degraded performance"),
    "partial_outage": gettext_lazy("Partial outage"),
    "major_outage": gettext_lazy("Major outage"),
}


def status_word(value: str | None) -> str:
    """A status in words, in the active language."""
    word = _STATUS_WORDS.get(value or "")
    return str(word) if word is not None else (value or "").replace("_", " ").capitalize()


def message_language(event: NotificationEvent, subscriber: Subscriber) -> str:
    """The subscriber's language, else the page's default when the event was published."""
    return subscriber.language or event.published.page.language


def status_change(change: ComponentChange) -> str:
    """``Operational → Major outage`` for one component an event moved."""
    return f"{status_word(change.old_status)} → {status_word(change.new_status)}"


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
    components: tuple[ComponentChange, ...] = ()

    @property
    def subject(self) -> str:
        return f"[{self.page_name}] {self.title}" + (f" - {self.status}" if self.status else "")

    @property
    def component_lines(self) -> list[str]:
        return [f"{c.name}: {status_change(c)}" for c in self.components]

    @property
    def text(self) -> str:
        lines = [self.subject]
        if self.message:
            lines += ["", self.message]
        if self.component_lines:
            lines += ["", *self.component_lines]
        lines += ["", self.url]
        return "\n".join(lines)


def notice_for(event: NotificationEvent, hidden: frozenset[str] = frozenset()) -> Notice:
    published = event.published
    page, update, subject = published.page, published.update, published.subject
    components = tuple(change for change in published.components if change.id not in hidden)
    if published.kind == EventKind.COMPONENT_UPDATED or not published.subject_type:
        first = components[0] if components else None
        name = first.name if first else _("A component")
        return Notice(
            kind=published.kind,
            page_name=page.name,
            page_url=page.url,
            title=_("%(component)s is %(status)s")
            % {"component": name, "status": status_word(first.new_status if first else None)},
            status="",
            message="",
            url=page.url,
            components=components,
        )
    title = subject.get("name", "")
    if published.subject_type == "maintenance":
        title = _("Maintenance: %(name)s") % {"name": title}
    return Notice(
        kind=published.kind,
        page_name=page.name,
        page_url=page.url,
        title=title,
        status=status_word((update.status if update else None) or subject.get("status")),
        message=update.message if update else "",
        url=subject.get("shortlink") or page.url,
        components=components,
    )


# ---- one message per delivery, in the shape its channel's transport takes ------------------

# Stands for a subscriber's unsubscribe link while what an event's messages share is built
# once; letters and digits only, so escaping in HTML or JSON leaves it as it is.
_LINK = "UNSUBSCRIBELINKd41d8cd98f00b204e9800998ecf8427e"


class MessageBuilder:
    """Builds the messages of one batch. What every subscriber of an event receives alike is
    made once per event and language: its notice, its rendered email, its serialized webhook
    body; each message then only gets the subscriber's own unsubscribe link put in.
    ``timestamp`` (Unix seconds) is this attempt's, for the webhook signature."""

    def __init__(self, *, timestamp: int):
        self.timestamp = timestamp
        self._shared: dict[tuple[str, str, type], Any] = {}

    def _once(
        self, event: NotificationEvent, language: str, message_type: type, make, hidden=frozenset()
    ):
        key = (event.id, language, message_type, hidden)
        if key not in self._shared:
            with translation.override(language):
                self._shared[key] = make()
        return self._shared[key]

    def message(
        self,
        *,
        delivery_id: str,
        event: NotificationEvent,
        subscriber: Subscriber,
        message_type: type,
        hidden_components: frozenset[str] = frozenset(),
    ) -> Message:
        """``hidden_components``: components of an audience page this reader may not see,
        left out of their message (``notifications.audience``)."""
        hidden = hidden_components
        language = message_language(event, subscriber)
        notice = self._once(event, language, Notice, lambda: notice_for(event, hidden), hidden)
        unsubscribe = unsubscribe_url(subscriber.id)
        if message_type is EmailMessage:
            text, html = self._once(
                event, language, EmailMessage, lambda: _email_texts(notice), hidden
            )
            return EmailMessage(
                to=subscriber.email,
                subject=notice.subject,
                text=text.replace(_LINK, unsubscribe),
                html=html.replace(_LINK, escape(unsubscribe)),
                message_id=delivery_id,
                unsubscribe_url=unsubscribe,
            )
        if message_type is SmsMessage:
            stop = self._once(event, language, SmsMessage, lambda: _("Stop:"))
            links = f"\n{notice.url}\n{stop} {unsubscribe}"
            text = f"{notice.subject}\n{notice.message}".strip()
            room = SMS_MAX_LENGTH - len(links)  # cut the words, never the links
            if len(text) > room:
                text = text[: room - 1] + "…"
            return SmsMessage(to=subscriber.phone_number, body=text + links)
        if message_type is WebhookMessage:
            content = self._once(  # machine values: one body whatever the language
                event, "", WebhookMessage, lambda: webhook_content(webhook_body(event, _LINK))
            )
            return WebhookMessage(
                url=subscriber.endpoint,
                signing_secret=subscriber.signing_secret,
                webhook_id=delivery_id,
                timestamp=self.timestamp,
                content=content.replace(_LINK.encode(), webhook_content(unsubscribe)[1:-1]),
            )
        if message_type is ChatMessage:
            return ChatMessage(
                url=subscriber.endpoint,
                message_id=delivery_id,
                page_name=notice.page_name,
                title=notice.title,
                subject=notice.subject,
                status=notice.status,
                message=notice.message,
                link=notice.url,
                text=notice.text,
                unsubscribe_url=unsubscribe,
                facts=self._once(
                    event,
                    language,
                    ChatFact,
                    lambda: tuple(
                        ChatFact(name=c.name, change=status_change(c), new_status=c.new_status)
                        for c in notice.components
                    ),
                ),
            )
        raise LookupError(f"No message is built for {message_type.__name__}.")


def _email_texts(notice: Notice) -> tuple[str, str]:
    context = {"notice": notice, "unsubscribe_url": _LINK}
    return (
        render_to_string("notifications/email.txt", context),
        render_to_string("notifications/email.html", context),
    )


def webhook_body(event: NotificationEvent, unsubscribe: str) -> dict:
    """Statuspage's webhook body (the contract's section 4), as Statuspage sends it: ``meta``,
    ``page``, then ``incident`` (a maintenance is an incident with ``scheduled_*`` fields) or
    ``component_update`` and ``component``. The incident and component are Statuspage's public
    shapes, frozen when the event was published. Beyond Statuspage's fields the body carries
    ``meta.event``/``meta.event_id`` and ``page.name``/``page.url``."""
    published = event.published
    page, page_status = published.page, published.page_status
    body = {
        "meta": {
            "unsubscribe": unsubscribe,
            "documentation": WEBHOOK_DOCUMENTATION,
            "event": event.kind,
            "event_id": event.id,
        },
        "page": {
            "id": page.id,
            "status_indicator": page_status.indicator if page_status else None,
            "status_description": page_status.description if page_status else None,
            "name": page.name,
            "url": page.url,
        },
    }
    if event.kind == EventKind.COMPONENT_UPDATED:
        change = published.components[0] if published.components else None
        body["component_update"] = {
            "created_at": rfc3339(event.created_at, timespec="milliseconds"),
            "new_status": change and change.new_status,
            "old_status": change and change.old_status,
            "id": event.id,
            "component_id": change and change.id,
        }
        body["component"] = published.subject or _recorded_component(change)
        return body
    body["incident"] = (
        published.subject
        if "incident_updates" in published.subject
        else _recorded_incident(published)
    )
    return body


# Events recorded before subjects were frozen in Statuspage's shape hold a few of its fields
# (a maintenance under our names) and their one update: read them in Statuspage's names.
_RECORDED_NAMES = {"start_at": "scheduled_for", "end_at": "scheduled_until"}


class RecordedUpdate(NamedTuple):
    """A recorded ``UpdateSnapshot`` with what ``update_shape`` reads of an update row."""

    id: str
    status: str
    message: str
    created_at: datetime | None
    notify_subscribers: bool
    component_statuses: list[dict]


def _recorded_component(change: ComponentChange | None) -> dict:
    if change is None:
        return {"id": None, "name": None, "status": None}
    return {"id": change.id, "name": change.name, "status": change.new_status}


def _recorded_incident(published) -> dict:
    subject = {_RECORDED_NAMES.get(key, key): value for key, value in published.subject.items()}
    if published.subject_type == "maintenance":
        subject["resolved_at"] = subject.pop("completed_at", None)
        subject["impact"] = "maintenance"
    update = published.update
    records = [change.as_record() for change in published.components]
    subject["page_id"] = published.page.id
    subject["incident_updates"] = (
        [
            update_shape(
                RecordedUpdate(
                    id=update.id,
                    status=update.status,
                    message=update.message,
                    created_at=parse_datetime(update.created_at),
                    notify_subscribers=True,
                    component_statuses=records,
                ),
                incident_id=subject.get("id"),
            )
        ]
        if update
        else []
    )
    subject["components"] = [_recorded_component(change) for change in published.components]
    return subject
