"""Email through Django's backend: text + HTML, one-click unsubscribe, a stable Message-ID."""

import contextlib
import contextvars
import smtplib
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from channels.messages import EmailMessage
from channels.transports.base import Transport, TransportError


def message_id_header(message_id: str) -> str:
    domain = urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"
    return f"<{message_id}@{domain}>"


# The open connection of the batch being sent on this thread (``EmailTransport.batch``).
_connection: contextvars.ContextVar = contextvars.ContextVar("smtp_connection", default=None)


class EmailTransport(Transport):
    channel = "email"
    message_type = EmailMessage
    concurrent = False  # one SMTP connection per batch, one message after another

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        connection = get_connection()
        _connection_open(connection)
        token = _connection.set(connection)
        try:
            yield
        finally:
            _connection.reset(token)
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()

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
            connection=_connection.get(),
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"Recipient refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            _connection_drop()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        return None


def _connection_open(connection) -> None:
    # Opened here, it stays open across sends; if it cannot be, each send tries on its own.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.open()


def _connection_drop() -> None:
    """After an SMTP error the batch's connection may be broken: start a fresh one."""
    connection = _connection.get()
    if connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
        _connection_open(connection)
