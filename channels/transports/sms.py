"""SMS through a provider backend chosen by ``SMS_BACKEND``: logging (default) or Twilio."""

import logging

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from channels.messages import SmsMessage
from channels.outbound import USER_AGENT
from channels.transports.base import Transport, TransportError, response_check

logger = logging.getLogger(__name__)
MAX_LENGTH = 480  # three concatenated segments


class LoggingSmsBackend:
    def send(self, *, to: str, body: str) -> int | None:
        logger.info("SMS to %s: %s", to, body)
        return None


class TwilioSmsBackend:
    """Twilio's Messages resource (https://www.twilio.com/docs/messaging/api/message-resource)."""

    def send(self, *, to: str, body: str) -> int | None:
        sid = settings.TWILIO_ACCOUNT_SID
        url = f"{settings.TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        try:
            response = httpx.post(
                url,
                data={"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body},
                auth=(sid, settings.TWILIO_AUTH_TOKEN),
                headers={"User-Agent": USER_AGENT},
                timeout=httpx.Timeout(10.0, connect=5.0),
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 400 and _twilio_error(response) in TWILIO_GONE:
            raise TransportError(
                f"Twilio error {_twilio_error(response)}: the number cannot receive our messages.",
                gone=True,
                response_code=400,
            )
        return response_check(response)


# 21610: the recipient replied STOP; 21211/21614: not a valid mobile number.
TWILIO_GONE = {21610, 21211, 21614}


def _twilio_error(response: httpx.Response) -> int | None:
    try:
        return int(response.json().get("code"))
    except (ValueError, TypeError, AttributeError):
        return None


class SmsTransport(Transport):
    channel = "sms"
    message_type = SmsMessage

    def send(self, message: SmsMessage) -> int | None:
        backend = import_string(settings.SMS_BACKEND)()
        return backend.send(to=message.to, body=message.body[:MAX_LENGTH])
