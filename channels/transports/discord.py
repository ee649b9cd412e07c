"""Discord webhooks: one embed, coloured by the worst new component status, no pings."""

from channels.messages import ChatMessage
from channels.transports.chat import ChatTransport

_COLOURS = {
    "major_outage": 0xE74C3C,
    "partial_outage": 0xE67E22,
    "degraded_performance": 0xF1C40F,
    "under_maintenance": 0x3498DB,
}
_OK = 0x2ECC71


def _colour(message: ChatMessage) -> int:
    statuses = {fact.new_status for fact in message.facts}
    return next((colour for status, colour in _COLOURS.items() if status in statuses), _OK)


class DiscordTransport(ChatTransport):
    channel = "discord"

    def card(self, message: ChatMessage) -> dict:
        description = "\n".join(
            filter(None, [message.status and f"**{message.status}**", message.message])
        )
        embed = {
            "title": message.title[:256],
            "url": message.link,
            "description": description[:4096],
            "color": _colour(message),
            "fields": [
                {"name": fact.name[:256], "value": fact.change[:1024], "inline": True}
                for fact in message.facts[:25]
            ],
            "footer": {"text": message.page_name[:2048]},
        }
        return {
            "username": message.page_name[:80] or None,
            "embeds": [embed],
            "allowed_mentions": {"parse": []},
        }
