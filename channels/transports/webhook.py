"""A JSON POST signed per Standard Webhooks (https://www.standardwebhooks.com)."""

import base64
import hashlib
import hmac
import json

from channels import outbound
from channels.messages import WebhookMessage
from channels.transports.base import HttpTransport, apost_json


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class WebhookTransport(HttpTransport):
    channel = "webhook"
    message_type = WebhookMessage

    async def asend(self, message: WebhookMessage, http: outbound.HttpSession) -> int:
        body = json.dumps(message.body, separators=(",", ":")).encode()
        headers = {
            "webhook-id": message.webhook_id,
            "webhook-timestamp": str(message.timestamp),
            "webhook-signature": sign(
                secret=message.signing_secret,
                message_id=message.webhook_id,
                timestamp=message.timestamp,
                body=body,
            ),
        }
        return await apost_json(http, message.url, body, headers)
