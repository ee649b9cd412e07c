"""Signed links in messages to a subscriber: confirm (expires) and unsubscribe (does not).

The token is the credential: the signed subscriber id, salted per purpose, so one kind of
link cannot be used as the other.
"""

from django.conf import settings
from django.core import signing

from subscribers.models import Subscriber

CONFIRM_SALT = "subscribers.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
UNSUBSCRIBE_SALT = "subscribers.unsubscribe"


def confirm_url(subscriber_id: str) -> str:
    token = signing.dumps(subscriber_id, salt=CONFIRM_SALT, compress=True)
    return f"{settings.PUBLIC_BASE_URL}/subscriptions/confirm/{token}"


def unsubscribe_url(subscriber_id: str) -> str:
    token = signing.dumps(subscriber_id, salt=UNSUBSCRIBE_SALT, compress=True)
    return f"{settings.PUBLIC_BASE_URL}/subscriptions/unsubscribe/{token}"


def subscriber_for_confirm_token(token: str) -> Subscriber | None:
    return _subscriber_from_token(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)


def subscriber_for_unsubscribe_token(token: str) -> Subscriber | None:
    return _subscriber_from_token(token, salt=UNSUBSCRIBE_SALT)


def _subscriber_from_token(
    token: str, *, salt: str, max_age: int | None = None
) -> Subscriber | None:
    try:
        subscriber_id = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return Subscriber.objects.select_related("page").filter(id=subscriber_id).first()
