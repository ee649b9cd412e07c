"""One module per channel, each with ``send(envelope) -> response code | None``.

Adding a channel: one module here and one entry in ``TRANSPORTS``.
"""

from notifications.transports import chat, email, sms, webhook
from notifications.transports.base import Envelope, TransportError

TRANSPORTS = {
    "email": email.send,
    "sms": sms.send,
    "webhook": webhook.send,
    "slack": chat.send_slack,
    "teams": chat.send_teams,
    "discord": chat.send_discord,
    "google_chat": chat.send_google_chat,
}

__all__ = ["TRANSPORTS", "Envelope", "TransportError"]
