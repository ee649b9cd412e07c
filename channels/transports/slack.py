"""Slack incoming webhooks: Block Kit with mrkdwn (https://api.slack.com/messaging/webhooks)."""

from channels.messages import ChatMessage
from channels.transports.chat import ChatTransport


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackTransport(ChatTransport):
    channel = "slack"

    def card(self, message: ChatMessage) -> dict:
        lines = [f"*<{message.link}|{_escape(message.title)}>*"]
        if message.status:
            lines.append(f"*{message.status}*")
        if message.message:
            lines.append(_escape(message.message))
        lines += [_escape(f"{fact.name}: {fact.change}") for fact in message.facts]
        footer = f"{_escape(message.page_name)} · <{message.unsubscribe_url}|Unsubscribe>"
        return {
            "text": _escape(message.subject),
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]},
            ],
        }
