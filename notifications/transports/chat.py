"""Slack, Microsoft Teams, Discord and Google Chat incoming webhooks, each in its own format."""

from notifications.transports.base import Envelope, post_json

# Discord embed colours by the worst new component status (else by kind).
_COLOURS = {
    "major_outage": 0xE74C3C,
    "partial_outage": 0xE67E22,
    "degraded_performance": 0xF1C40F,
    "under_maintenance": 0x3498DB,
}
_OK = 0x2ECC71


def _colour(envelope: Envelope) -> int:
    statuses = [c.get("new_status") for c in envelope.notice.components]
    for status, colour in _COLOURS.items():
        if status in statuses:
            return colour
    return _OK


def _escape_slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def send_slack(envelope: Envelope) -> int:
    notice = envelope.notice
    lines = [f"*<{notice.url}|{_escape_slack(notice.title)}>*"]
    if notice.status:
        lines.append(f"*{notice.status}*")
    if notice.message:
        lines.append(_escape_slack(notice.message))
    lines += [_escape_slack(line) for line in notice.component_lines]
    footer = f"{_escape_slack(notice.page_name)} · <{envelope.unsubscribe_url}|Unsubscribe>"
    body = {
        "text": _escape_slack(notice.subject),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": footer},
                ],
            },
        ],
    }
    return post_json(envelope.subscriber.endpoint, body)


def send_teams(envelope: Envelope) -> int:
    notice = envelope.notice
    card_body = [
        {
            "type": "TextBlock",
            "text": notice.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if notice.status:
        card_body.append({"type": "TextBlock", "text": notice.status, "isSubtle": True})
    if notice.message:
        card_body.append({"type": "TextBlock", "text": notice.message, "wrap": True})
    if notice.components:
        card_body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": c.get("name", ""), "value": line.split(": ", 1)[-1]}
                    for c, line in zip(notice.components, notice.component_lines, strict=True)
                ],
            }
        )
    body = {
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
                        {"type": "Action.OpenUrl", "title": "View status page", "url": notice.url}
                    ],
                },
            }
        ],
    }
    return post_json(envelope.subscriber.endpoint, body)


def send_discord(envelope: Envelope) -> int:
    notice = envelope.notice
    embed = {
        "title": notice.title[:256],
        "url": notice.url,
        "description": "\n".join(
            filter(None, [notice.status and f"**{notice.status}**", notice.message])
        )[:4096],
        "color": _colour(envelope),
        "fields": [
            {
                "name": c.get("name", "")[:256],
                "value": line.split(": ", 1)[-1][:1024],
                "inline": True,
            }
            for c, line in zip(notice.components, notice.component_lines, strict=True)
        ][:25],
        "footer": {"text": notice.page_name[:2048]},
    }
    body = {
        "username": notice.page_name[:80] or None,
        "embeds": [embed],
        "allowed_mentions": {"parse": []},
    }
    return post_json(envelope.subscriber.endpoint, body)


def send_google_chat(envelope: Envelope) -> int:
    notice = envelope.notice
    widgets = []
    if notice.message:
        widgets.append({"textParagraph": {"text": notice.message}})
    widgets += [
        {"decoratedText": {"topLabel": c.get("name", ""), "text": line.split(": ", 1)[-1]}}
        for c, line in zip(notice.components, notice.component_lines, strict=True)
    ]
    widgets.append(
        {
            "buttonList": {
                "buttons": [
                    {"text": "View status page", "onClick": {"openLink": {"url": notice.url}}}
                ]
            }
        }
    )
    body = {
        "text": notice.text,
        "cardsV2": [
            {
                "cardId": envelope.delivery_id,
                "card": {
                    "header": {
                        "title": notice.title,
                        "subtitle": notice.status or notice.page_name,
                    },
                    "sections": [{"widgets": widgets}],
                },
            }
        ],
    }
    return post_json(envelope.subscriber.endpoint, body)
