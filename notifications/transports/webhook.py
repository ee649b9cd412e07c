"""Statuspage-style JSON body, signed per Standard Webhooks (https://www.standardwebhooks.com)."""

import base64
import hashlib
import hmac
import json

from notifications.models import EventKind
from notifications.transports.base import Envelope, post_json

DOCUMENTATION = "https://www.standardwebhooks.com/"


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _update(update: dict, subject_id: str, components: list[dict]) -> dict:
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


def body_for(envelope: Envelope) -> dict:
    event = envelope.event
    payload = event.payload
    page = payload.get("page", {})
    page_status = payload.get("page_status") or {}
    components = payload.get("components") or []
    body = {
        "meta": {
            "unsubscribe": envelope.unsubscribe_url,
            "documentation": DOCUMENTATION,
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
            "created_at": _iso(event),
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
        "incident_updates": [_update(update, subject.get("id"), components)] if update else [],
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


def _iso(event) -> str:
    return event.created_at.isoformat().replace("+00:00", "Z")


def send(envelope: Envelope) -> int:
    body = json.dumps(body_for(envelope), separators=(",", ":")).encode()
    headers = {
        "webhook-id": envelope.delivery_id,
        "webhook-timestamp": str(envelope.timestamp),
        "webhook-signature": sign(
            secret=envelope.subscriber.signing_secret,
            message_id=envelope.delivery_id,
            timestamp=envelope.timestamp,
            body=body,
        ),
    }
    return post_json(envelope.subscriber.endpoint, body, headers)
