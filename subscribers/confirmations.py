"""The double opt-in message: a confirmation link by email or SMS, through the channel's
transport. A send may raise ``TransportError``; the task decides whether to try again."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from channels.messages import EmailMessage, SmsMessage
from channels.transports import transport_for
from subscribers.links import confirm_url
from subscribers.models import OPT_IN_CHANNELS, Channel, Subscriber
from subscribers.selectors import subscriber_may_hear


def confirmation_message(subscriber: Subscriber) -> EmailMessage | SmsMessage:
    """In the subscriber's language, else the page's default."""
    with translation.override(subscriber.language or subscriber.page.default_language):
        return _confirmation_message(subscriber)


def _confirmation_message(subscriber: Subscriber) -> EmailMessage | SmsMessage:
    link = confirm_url(subscriber.id)
    page = subscriber.page
    if subscriber.channel == Channel.SMS:
        return SmsMessage(
            to=subscriber.phone_number,
            body=_("Confirm your %(page)s status updates: %(link)s")
            % {"page": page.name, "link": link},
        )
    context = {"page": page, "confirm_url": link, "subscriber": subscriber}
    return EmailMessage(
        to=subscriber.email,
        subject=_("[%(page)s] Confirm your subscription") % {"page": page.name},
        text=render_to_string("subscribers/confirm_email.txt", context),
        html=render_to_string("subscribers/confirm_email.html", context),
    )


def subscriber_confirmation_deliver(*, subscriber_id: str) -> bool:
    """Send the link if the subscription still waits for it; False (nothing sent) when the row
        is gone, already confirmed or needs no confirmation, or when the page is not public and does
    not admit the address (nothing of a private page reaches anyone it does not admit)."""
    subscriber = Subscriber.objects.select_related("page").filter(id=subscriber_id).first()
    if (
        subscriber is None
        or subscriber.confirmed_at is not None
        or subscriber.channel not in OPT_IN_CHANNELS
        or not subscriber_may_hear(subscriber)
    ):
        return False
    transport_for(subscriber.channel).send(confirmation_message(subscriber))
    return True
