"""The double opt-in message: a confirmation link by email or SMS, through the channel's
transport. A send may raise ``TransportError``; the task decides whether to try again."""

from django.template.loader import render_to_string

from channels.messages import EmailMessage, SmsMessage
from channels.transports import transport_for
from subscribers.links import confirm_url
from subscribers.models import OPT_IN_CHANNELS, Channel, Subscriber
from subscribers.selectors import subscriber_may_hear


def confirmation_message(subscriber: Subscriber) -> EmailMessage | SmsMessage:
    link = confirm_url(subscriber.id)
    page = subscriber.page
    if subscriber.channel == Channel.SMS:
        return SmsMessage(
            to=subscriber.phone_number, body=f"Confirm your {page.name} status updates: {link}"
        )
    context = {"page": page, "confirm_url": link, "subscriber": subscriber}
    return EmailMessage(
        to=subscriber.email,
        subject=f"[{page.name}] Confirm your subscription",
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
