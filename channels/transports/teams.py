"""Microsoft Teams incoming webhooks: one Adaptive Card."""

from channels.messages import ChatMessage
from channels.transports.chat import ChatTransport


class TeamsTransport(ChatTransport):
    channel = "teams"

    def card(self, message: ChatMessage) -> dict:
        card_body = [
            {
                "type": "TextBlock",
                "text": message.title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            }
        ]
        if message.status:
            card_body.append({"type": "TextBlock", "text": message.status, "isSubtle": True})
        if message.message:
            card_body.append({"type": "TextBlock", "text": message.message, "wrap": True})
        if message.facts:
            card_body.append(
                {
                    "type": "FactSet",
                    "facts": [{"title": fact.name, "value": fact.change} for fact in message.facts],
                }
            )
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": card_body,
                        "actions": [
                            {
                                "type": "Action.OpenUrl",
                                "title": "View status page",
                                "url": message.link,
                            }
                        ],
                    },
                }
            ],
        }
