"""The registry: one transport per channel. Adding a channel means one module in this package
and one entry in ``_TRANSPORTS``."""

from channels.transports.base import Transport, TransportError
from channels.transports.discord import DiscordTransport
from channels.transports.email import EmailTransport
from channels.transports.google_chat import GoogleChatTransport
from channels.transports.slack import SlackTransport
from channels.transports.sms import SmsTransport
from channels.transports.teams import TeamsTransport
from channels.transports.webhook import WebhookTransport

_TRANSPORTS: dict[str, Transport] = {
    transport.channel: transport
    for transport in (
        EmailTransport(),
        SmsTransport(),
        WebhookTransport(),
        SlackTransport(),
        TeamsTransport(),
        DiscordTransport(),
        GoogleChatTransport(),
    )
}
CHANNELS = tuple(_TRANSPORTS)


def transport_for(channel: str) -> Transport:
    try:
        return _TRANSPORTS[channel]
    except KeyError:
        raise LookupError(f"No transport for channel {channel!r}.") from None


__all__ = ["CHANNELS", "Transport", "TransportError", "transport_for"]
