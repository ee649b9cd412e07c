"""Every write to subscribers: create (with double opt-in), update, confirm, delete."""

import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from core.languages import Language
from core.validation import text_checked
from incidents.models import Incident, IncidentStatus
from statuspages.models import StatusPage
from statuspages.selectors import component_ids_known, page_components_checked
from subscribers.models import (
    OPT_IN_CHANNELS,
    Channel,
    Subscriber,
    new_signing_secret,
)
from subscribers.tasks import subscriber_confirmation_send
from subscribers.validators import endpoint_validate, phone_normalize

logger = logging.getLogger(__name__)


def _component_ids_check(page: StatusPage, component_ids, *, page_component_ids=None) -> list[str]:
    """The ids without repeats; ``page_component_ids``: the page's, loaded once for many."""
    ids = list(dict.fromkeys(component_ids or []))
    if page_component_ids is None:
        page_components_checked(page.id, ids)
    else:
        component_ids_known(ids, page_component_ids=page_component_ids)
    return ids


# Each address as its column keeps it (a phone number as typed may hold spaces and dashes).
EMAIL_MAX_LENGTH, PHONE_INPUT_MAX_LENGTH, ENDPOINT_MAX_LENGTH = 254, 64, 2048


def _address_fields(channel, *, email, phone_number, phone_country, endpoint) -> dict:
    email = text_checked(email, field="email", max_length=EMAIL_MAX_LENGTH)
    phone_number = text_checked(
        phone_number, field="phone_number", max_length=PHONE_INPUT_MAX_LENGTH
    )
    phone_country = text_checked(phone_country, field="phone_country", max_length=2)
    endpoint = text_checked(endpoint, field="endpoint", max_length=ENDPOINT_MAX_LENGTH)
    if channel == Channel.EMAIL:
        if not email:
            raise ValidationError({"email": ["An email address is required."]})
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": exc.messages}) from exc
        return {"email": email, "phone_number": "", "phone_country": "", "endpoint": ""}
    if channel == Channel.SMS:
        if not phone_number:
            raise ValidationError({"phone_number": ["A phone number is required."]})
        try:
            number = phone_normalize(phone_number, phone_country)
        except ValidationError as exc:
            raise ValidationError({"phone_number": exc.messages}) from exc
        return {
            "email": "",
            "phone_number": number,
            "phone_country": (phone_country or "").upper(),
            "endpoint": "",
        }
    if not endpoint:
        raise ValidationError({"endpoint": ["An endpoint URL is required."]})
    try:
        endpoint_validate(endpoint)
    except ValidationError as exc:
        raise ValidationError({"endpoint": exc.messages}) from exc
    if email:  # a contact for the endpoint's owner
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": exc.messages}) from exc
    return {"email": email or "", "phone_number": "", "phone_country": "", "endpoint": endpoint}


@transaction.atomic
def subscriber_create(
    *,
    page: StatusPage,
    channel: str,
    email: str = "",
    phone_number: str = "",
    phone_country: str = "",
    endpoint: str = "",
    component_ids=(),
    incident: Incident | None = None,
    confirmed: bool = False,
    language: str = "",
    send_confirmation: bool = True,
) -> Subscriber:
    """Email and SMS wait for their confirmation link unless ``confirmed`` (operators only);
    URL channels are active at once. Webhooks get a signing secret. ``language``: of the
    subscriber's messages; empty, the page's default language. ``send_confirmation`` False
    (an import): the link is not sent now; the subscriber may ask for it again."""
    subscriber = subscriber_checked(
        page=page,
        channel=channel,
        email=email,
        phone_number=phone_number,
        phone_country=phone_country,
        endpoint=endpoint,
        component_ids=component_ids,
        incident=incident,
        confirmed=confirmed,
        language=language,
    )
    subscriber.save()
    if subscriber.confirmed_at is None and send_confirmation:
        _confirmation_enqueue_on_commit(subscriber.id)
    return subscriber


def subscriber_checked(
    *,
    page: StatusPage,
    channel: str,
    email: str = "",
    phone_number: str = "",
    phone_country: str = "",
    endpoint: str = "",
    component_ids=(),
    incident: Incident | None = None,
    confirmed: bool = False,
    language: str = "",
    page_component_ids: frozenset[str] | None = None,
) -> Subscriber:
    """The subscriber ``subscriber_create`` would save, checked by every rule and normalised,
    not yet saved: the one gate of every way a subscriber is made (one by one, or many at once
    with ``page_component_ids`` loaded once). Writes nothing; refuses with a ValidationError."""
    if channel not in Channel.values:
        raise ValidationError({"channel": [f"Unknown channel {channel!r}."]})
    if language and language not in Language.values:
        raise ValidationError({"language": [f"Unknown language {language!r}."]})
    if incident is not None:
        if incident.page_id != page.id:
            raise ValidationError({"incident_id": ["No such incident on this page."]})
        if incident.status == IncidentStatus.RESOLVED:
            raise ValidationError({"incident_id": ["This incident is resolved."]})
    fields = _address_fields(
        channel,
        email=email,
        phone_number=phone_number,
        phone_country=phone_country,
        endpoint=endpoint,
    )
    needs_opt_in = channel in OPT_IN_CHANNELS and not confirmed
    if incident:
        component_ids = []
    else:
        component_ids = _component_ids_check(
            page, component_ids, page_component_ids=page_component_ids
        )
    return Subscriber(
        page=page,
        channel=channel,
        incident=incident,
        component_ids=component_ids,
        signing_secret=new_signing_secret() if channel == Channel.WEBHOOK else "",
        confirmed_at=None if needs_opt_in else timezone.now(),
        language=language,
        **fields,
    )


@transaction.atomic
def subscriber_update(
    *, subscriber: Subscriber, component_ids=None, quarantined: bool | None = None
) -> Subscriber:
    if component_ids is not None:
        if subscriber.incident_id:
            raise ValidationError(
                {"component_ids": ["An incident subscription has no components."]}
            )
        subscriber.component_ids = _component_ids_check(subscriber.page, component_ids)
    if quarantined is False:
        subscriber.quarantined_at = None
        subscriber.consecutive_failures = 0
    elif quarantined is True and subscriber.quarantined_at is None:
        subscriber.quarantined_at = timezone.now()
    subscriber.save()
    return subscriber


@transaction.atomic
def subscriber_delete(*, subscriber: Subscriber) -> None:
    """Delivery records stay (they keep the subscriber's id); pending ones are skipped."""
    subscribers_delete(subscriber_ids=[subscriber.id])


def subscribers_delete(*, subscriber_ids: list[str]) -> None:
    """Remove many at once (receivers that answered 410), as ``subscriber_delete`` does one."""
    Subscriber.objects.filter(id__in=subscriber_ids).delete()


@transaction.atomic
def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm, replacing any earlier subscription of the same address to the same thing, so a
    second sign-up changes preferences instead of doubling every message."""
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at", "updated_at"])
        same_address = Subscriber.objects.filter(
            page_id=subscriber.page_id,
            channel=subscriber.channel,
            incident_id=subscriber.incident_id,
            confirmed_at__isnull=False,
            email=subscriber.email,
            phone_number=subscriber.phone_number,
        ).exclude(id=subscriber.id)
        same_address.delete()
    return subscriber


def subscriber_confirmation_resend(*, subscriber: Subscriber) -> bool:
    """Queue the link again if the subscription still waits for it; False otherwise."""
    if subscriber.confirmed_at is not None or subscriber.channel not in OPT_IN_CHANNELS:
        return False
    with transaction.atomic():
        _confirmation_enqueue_on_commit(subscriber.id)
    return True


def _confirmation_enqueue_on_commit(subscriber_id: str) -> None:
    def enqueue():
        try:
            subscriber_confirmation_send.delay(subscriber_id)
        except Exception:  # broker down: the subscriber can ask for a resend
            logger.exception("Could not queue the confirmation for %s", subscriber_id)

    transaction.on_commit(enqueue)
