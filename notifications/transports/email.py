"""Email through Django's backend: text + HTML, one-click unsubscribe, a stable Message-ID."""

import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from notifications.transports.base import Envelope, TransportError


def message_id(delivery_id: str) -> str:
    domain = urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"
    return f"<{delivery_id}@{domain}>"


def send(envelope: Envelope) -> None:
    notice = envelope.notice
    context = {"notice": notice, "unsubscribe_url": envelope.unsubscribe_url}
    mail = EmailMultiAlternatives(
        subject=notice.subject,
        body=render_to_string("notifications/email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[envelope.subscriber.email],
        headers={
            "Message-ID": message_id(envelope.delivery_id),
            "List-Unsubscribe": f"<{envelope.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    mail.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise TransportError(f"Recipient refused: {exc}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportError(f"{type(exc).__name__}: {exc}") from exc
    return None
