"""Email through Django's backend: text + HTML, one-click unsubscribe, a stable Message-ID."""

import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from channels.messages import EmailMessage
from channels.transports.base import Transport, TransportError


def message_id_header(message_id: str) -> str:
    domain = urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"
    return f"<{message_id}@{domain}>"


class EmailTransport(Transport):
    channel = "email"
    message_type = EmailMessage

    def send(self, message: EmailMessage) -> None:
        headers = {}
        if message.message_id:
            headers["Message-ID"] = message_id_header(message.message_id)
        if message.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers=headers,
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"Recipient refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        return None
