"""What a transport is given: one frozen message per kind of destination, built by the caller
(notifications for publishes, subscribers for confirmation links), never by the transport."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str = ""
    # A stable id for this message (e.g. the delivery's): the Message-ID header is made from it.
    message_id: str = ""
    # When given: List-Unsubscribe and one-click List-Unsubscribe-Post (RFC 8058) headers.
    unsubscribe_url: str = ""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str


@dataclass(frozen=True)
class WebhookMessage:
    """A JSON body signed per Standard Webhooks with the subscriber's ``whsec_`` secret."""

    url: str
    signing_secret: str
    webhook_id: str  # the same on every attempt: receivers deduplicate on it
    timestamp: int  # Unix seconds of this attempt
    body: dict[str, Any] = field(default_factory=dict)
    # The body already serialized (``webhook_content``), when the sender made it: sent as is.
    content: bytes = b""


@dataclass(frozen=True)
class ChatFact:
    """One component line: its name, its change in words, and the raw new status."""

    name: str
    change: str  # "Operational → Major outage"
    new_status: str


@dataclass(frozen=True)
class ChatMessage:
    """The parts of a notice that chat platforms lay out, each in its own card format."""

    url: str  # the platform's incoming-webhook URL
    message_id: str
    page_name: str
    title: str
    subject: str
    status: str
    message: str
    link: str  # where "View status page" goes
    text: str  # the whole notice as plain text
    unsubscribe_url: str
    facts: tuple[ChatFact, ...] = ()


Message = EmailMessage | SmsMessage | WebhookMessage | ChatMessage
