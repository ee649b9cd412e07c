"""Many subscribers at once (the CSV import; any importer): each row passes the same gate as one
subscriber created through the API (``services.subscriber_checked``), the good rows are written
in bulk and the bad ones are reported by line, without stopping the others."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from audit.recording import record, record_created
from statuspages.models import StatusPage
from statuspages.selectors import page_component_ids
from subscribers.models import OPT_IN_CHANNELS, URL_CHANNELS, Channel, Subscriber
from subscribers.services import subscriber_checked

# Rows checked, looked up and written together: a few queries per batch, whatever the file.
IMPORT_BATCH_SIZE = 500

ATTESTATION_NEEDED = (
    "confirmed: a confirmed email or SMS subscriber is imported only with the attestation "
    "that its owner opted in (attest_confirmed=true); nothing was imported from this line."
)


@dataclass(frozen=True)
class SubscriberRow:
    """One subscriber as an imported file gives it; ``line``: where it starts in the file."""

    line: int
    channel: str
    email: str = ""
    phone_number: str = ""
    phone_country: str = ""
    endpoint: str = ""
    component_ids: tuple[str, ...] = ()
    confirmed: bool = False


@dataclass(frozen=True)
class RowRefusal:
    line: int
    message: str


@dataclass(frozen=True)
class SubscribersImported:
    created: int
    skipped: int  # already subscribed (on the page, or earlier in the file): left as they are
    errors: tuple[RowRefusal, ...]  # in the order of the rows


def refusal_text(exc: ValidationError) -> str:
    """A service's refusal as one line: ``field: message`` for each field."""
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _address(subscriber: Subscriber) -> tuple[str, str]:
    """What makes two page subscriptions the same: the channel and where it sends."""
    return subscriber.channel, subscriber.address


def _already_subscribed(page: StatusPage, subscribers: list[Subscriber]) -> set[tuple[str, str]]:
    """The addresses among ``subscribers`` the page already has (page or component
    subscriptions; following one incident is another thing), in one query."""
    by_channel = {
        Channel.EMAIL: ("email", set()),
        Channel.SMS: ("phone_number", set()),
        **{channel: ("endpoint", set()) for channel in URL_CHANNELS},
    }
    for subscriber in subscribers:
        by_channel[subscriber.channel][1].add(subscriber.address)
    condition = Q(pk__in=[])
    for channel, (column, addresses) in by_channel.items():
        if addresses:
            condition |= Q(channel=channel, **{f"{column}__in": addresses})
    rows = Subscriber.objects.filter(condition, page=page, incident__isnull=True).values_list(
        "channel", "email", "phone_number", "endpoint"
    )
    found = set()
    for channel, email, phone_number, endpoint in rows:
        address = {Channel.EMAIL: email, Channel.SMS: phone_number}.get(channel, endpoint)
        found.add((channel, address))
    return found


def _batches(rows: Iterable) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == IMPORT_BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def subscribers_import(
    *,
    page: StatusPage,
    rows: Iterable[SubscriberRow | RowRefusal],
    attest_confirmed: bool,
) -> SubscribersImported:
    """Subscribe each row's address to the page, as ``subscriber_create`` would, except that
    nobody is sent a confirmation link (an import must not message a whole list; the operator
    may resend one per subscriber). A row already subscribed is skipped; a row the rules refuse
    is reported with its line, as is each ``RowRefusal`` among ``rows`` (a line the entrance
    could not read). ``confirmed`` email and SMS rows need ``attest_confirmed``: the caller
    vouches that their owners opted in, and the activity log says who did."""
    # One import of a page at a time (PostgreSQL), or two at once would both see a row as new.
    # NO KEY: rows pointing to the page (incidents, subscribers) are still written meanwhile.
    list(StatusPage.objects.select_for_update(no_key=True).filter(id=page.id).values_list("id"))
    known_components = page_component_ids(page.id)
    created, skipped, attested = 0, 0, 0
    errors: list[RowRefusal] = []
    seen: set[tuple[str, str]] = set()
    for batch in _batches(rows):
        checked = []
        for row in batch:
            if isinstance(row, RowRefusal):
                errors.append(row)
                continue
            try:
                subscriber = subscriber_checked(
                    page=page,
                    channel=row.channel,
                    email=row.email,
                    phone_number=row.phone_number,
                    phone_country=row.phone_country,
                    endpoint=row.endpoint,
                    component_ids=row.component_ids,
                    confirmed=row.confirmed,
                    page_component_ids=known_components,
                )
            except ValidationError as exc:
                errors.append(RowRefusal(row.line, refusal_text(exc)))
                continue
            if row.confirmed and row.channel in OPT_IN_CHANNELS and not attest_confirmed:
                errors.append(RowRefusal(row.line, ATTESTATION_NEEDED))
                continue
            checked.append(subscriber)
        seen |= _already_subscribed(page, checked)
        new = []
        for subscriber in checked:
            if _address(subscriber) in seen:
                skipped += 1
                continue
            seen.add(_address(subscriber))
            new.append(subscriber)
        Subscriber.objects.bulk_create(new)
        record_created(new)
        created += len(new)
        attested += sum(
            1
            for subscriber in new
            if subscriber.channel in OPT_IN_CHANNELS and subscriber.confirmed_at
        )
    record(
        organization_id=page.organization_id,
        action="status_page.subscribers_imported",
        object_type="status_page",
        object_id=page.id,
        page_id=page.id,
        changes={
            "subscribers_created": [None, created],
            "subscribers_skipped": [None, skipped],
            "lines_refused": [None, len(errors)],
            "attest_confirmed": [None, attest_confirmed],
            "confirmed_attested": [None, attested],
        },
    )
    return SubscribersImported(created=created, skipped=skipped, errors=tuple(errors))
