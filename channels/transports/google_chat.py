"""Google Chat incoming webhooks: plain text for notifications plus a cardsV2 card."""

from channels.messages import ChatMessage
from channels.transports.chat import ChatTransport


class GoogleChatTransport(ChatTransport):
    channel = "google_chat"

    def card(self, message: ChatMessage) -> dict:
        widgets = []
        if message.message:
            widgets.append({"textParagraph": {"text": message.message}})
        widgets += [
            {"decoratedText": {"topLabel": fact.name, "text": fact.change}}
            for fact in message.facts
        ]
        widgets.append(
            {
                "buttonList": {
                    "buttons": [
                        {"text": "View status page", "onClick": {"openLink": {"url": message.link}}}
                    ]
                }
            }
        )
        return {
            "text": message.text,
            "cardsV2": [
                {
                    "cardId": message.message_id,
                    "card": {
                        "header": {
                            "title": message.title,
                            "subtitle": message.status or message.page_name,
                        },
                        "sections": [{"widgets": widgets}],
                    },
                }
            ],
        }
