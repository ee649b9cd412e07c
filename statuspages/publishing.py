"""One publishing pipeline for everything a page tells its readers: incident updates,
maintenance updates and manual component changes.

``publish_update()`` applies a change, reports what it did to the components' effective
statuses, records the update row, builds the typed ``PublishedEvent`` (the one place an event
is assembled) and invalidates the page's public documents on commit. Apps above this one
(notifications) receive events through ``register_event_sink`` in their ``AppConfig.ready``,
inside the publishing transaction, so an event is recorded with the update or not at all.
"""

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.serializers import rfc3339
from core.validation import text_checked
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import (
    MESSAGE_MAX_LENGTH,
    Component,
    EventKind,
    PublishedUpdate,
    StatusPage,
)
from statuspages.selectors import page_status_map
from statuspages.shapes import component_shape
from statuspages.status import effective_statuses


def message_checked(message, *, field: str = "message") -> str:
    """An update's text, as every publisher takes it: a string of at most
    ``MESSAGE_MAX_LENGTH`` characters (None: empty)."""
    return text_checked(message, field=field, max_length=MESSAGE_MAX_LENGTH)


@dataclass(frozen=True)
class PageSnapshot:
    id: str
    name: str
    slug: str
    url: str
    # The page's default language (events recorded before it was frozen here: English).
    language: str = "en"


@dataclass(frozen=True)
class PageStatus:
    indicator: str
    description: str


@dataclass(frozen=True)
class ComponentChange:
    """What one publish did to one component's effective status."""

    id: str
    name: str
    old_status: str
    new_status: str
    # The status the publisher asked for (incidents set one per component; maintenances don't).
    requested_status: str | None = None

    def as_record(self) -> dict:
        """The form the update row keeps in ``component_statuses``."""
        record = {"component_id": self.id, "name": self.name}
        if self.requested_status is not None:
            record["status"] = self.requested_status
        record.update(old_status=self.old_status, new_status=self.new_status)
        return record


@dataclass(frozen=True)
class UpdateSnapshot:
    id: str
    status: str
    message: str
    created_at: str


# The payload keys a subject is stored under.
SUBJECT_TYPES = ("incident", "maintenance", "component")


@dataclass(frozen=True)
class PublishedEvent:
    """Everything fan-out and transports need, frozen at publish time: nothing downstream
    reads a publisher's tables, and a delayed send says what was true when it was published."""

    kind: str
    publish_key: str
    page: PageSnapshot
    page_status: PageStatus | None  # None only in events recorded before it was frozen here
    components: tuple[ComponentChange, ...]
    # Components the publish concerns: those it moved and those its incident or maintenance
    # lists (subscribers tuned to components match on these).
    component_ids: tuple[str, ...]
    subject_type: str | None = None  # "incident", "maintenance" or "component"
    # The subject in Statuspage's public shape as the publish left it (``incidents.shapes``,
    # ``maintenances.shapes``, ``statuspages.shapes.component_shape``): what webhook bodies
    # carry. Events recorded before it was frozen whole hold a few of its fields.
    subject: dict = field(default_factory=dict)
    update: UpdateSnapshot | None = None
    incident_id: str | None = None
    incident_update_id: str | None = None
    maintenance_id: str | None = None
    maintenance_update_id: str | None = None

    def as_payload(self) -> dict:
        """The stored (JSON) form; ``from_payload`` reads it back."""
        payload = {
            "page": asdict(self.page),
            "page_status": asdict(self.page_status) if self.page_status else None,
            "components": [
                {
                    "id": change.id,
                    "name": change.name,
                    "old_status": change.old_status,
                    "new_status": change.new_status,
                }
                for change in self.components
            ],
        }
        if self.subject_type:
            payload[self.subject_type] = dict(self.subject)
        if self.update is not None:
            payload["update"] = asdict(self.update)
        return payload

    @classmethod
    def from_payload(cls, *, kind: str, publish_key: str, payload: dict, **ids) -> "PublishedEvent":
        subject_type = next((name for name in SUBJECT_TYPES if name in payload), None)
        update = payload.get("update")
        status = payload.get("page_status")
        return cls(
            kind=kind,
            publish_key=publish_key,
            page=PageSnapshot(**payload["page"]),
            page_status=PageStatus(**status) if status else None,
            components=tuple(ComponentChange(**change) for change in payload.get("components", [])),
            component_ids=tuple(ids.pop("component_ids", ()) or ()),
            subject_type=subject_type,
            subject=payload.get(subject_type, {}) if subject_type else {},
            update=UpdateSnapshot(**update) if update else None,
            **ids,
        )


EventSink = Callable[[PublishedEvent], None]
_event_sinks: list[EventSink] = []


def register_event_sink(sink: EventSink) -> None:
    """Called in the publishing transaction for every event (notifications records it)."""
    if sink not in _event_sinks:
        _event_sinks.append(sink)


@dataclass(frozen=True)
class StatusChange:
    """A component's effective status moved (by any publisher, notified or not)."""

    page_id: str
    component_id: str
    old_status: str
    new_status: str
    at: datetime


StatusChangeSink = Callable[[StatusChange], None]
_status_change_sinks: list[StatusChangeSink] = []


def register_status_change_sink(sink: StatusChangeSink) -> None:
    """Called in the publishing transaction for every effective status change, whether or not
    subscribers are notified (uptime records it)."""
    if sink not in _status_change_sinks:
        _status_change_sinks.append(sink)


def status_changes_report(page_id: str, changes: Iterable[ComponentChange]) -> None:
    at = timezone.now()
    for change in changes:
        if change.old_status != change.new_status:
            for sink in _status_change_sinks:
                sink(
                    StatusChange(
                        page_id=page_id,
                        component_id=change.id,
                        old_status=change.old_status,
                        new_status=change.new_status,
                        at=at,
                    )
                )


def status_changes_around(
    *, page_id: str, components: Iterable[Component], apply: Callable[[], None]
) -> None:
    """Runs ``apply`` and reports what it did to the components' effective statuses: for the
    changes no update publishes (an incident or maintenance deleted, a running maintenance's
    components changed)."""
    components = list(components)
    before = effective_statuses(components)
    apply()
    after = effective_statuses(components)
    status_changes_report(
        page_id,
        [
            ComponentChange(id=c.id, name=c.name, old_status=before[c.id], new_status=after[c.id])
            for c in components
        ],
    )


def page_snapshot(page: StatusPage) -> PageSnapshot:
    return PageSnapshot(
        id=page.id,
        name=page.name,
        slug=page.slug,
        url=page.public_url,
        language=page.default_language,
    )


def _page_status(page: StatusPage) -> PageStatus:
    return PageStatus(**page_status_map([page])[page.id])


def _emit(event: PublishedEvent) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events are emitted inside the publishing transaction")
    for sink in _event_sinks:
        sink(event)


@dataclass(frozen=True)
class Subject:
    """What a publisher (incidents, maintenances) passes in about the thing it publishes."""

    type: str  # "incident" or "maintenance": the payload key and the event's id fields
    id: str
    snapshot: Callable[[], dict]  # called after the change, so it shows the new state
    concerned_component_ids: Callable[[], Iterable[str]]


def publish_update(
    *,
    page: StatusPage,
    subject: Subject,
    update_model: type[PublishedUpdate],
    status: str,
    message: str,
    notify_subscribers: bool,
    kind: str,
    components: Iterable[Component],
    apply: Callable[[], None],
    requested: dict[str, str] | None = None,
) -> PublishedUpdate:
    """Apply one update and publish it. The caller holds the transaction (and the subject's
    row lock); ``components`` are those whose effective status ``apply`` may move, reported
    in position order with ``requested`` statuses where the publisher set them."""
    message = message_checked(message)
    components = sorted(components, key=lambda c: (c.position, c.id))
    before = effective_statuses(components)
    apply()
    after = effective_statuses(components)
    changes = tuple(
        ComponentChange(
            id=c.id,
            name=c.name,
            old_status=before[c.id],
            new_status=after[c.id],
            requested_status=(requested or {}).get(c.id),
        )
        for c in components
    )
    update = update_model.objects.create(
        **{update_model.subject_field: subject.id},
        status=status,
        message=message,
        component_statuses=[change.as_record() for change in changes],
        notify_subscribers=notify_subscribers,
    )
    status_changes_report(page.id, changes)
    if notify_subscribers:
        _emit(
            PublishedEvent(
                kind=kind,
                publish_key=update.id,
                page=page_snapshot(page),
                page_status=_page_status(page),
                components=changes,
                component_ids=tuple(
                    sorted({c.id for c in components} | set(subject.concerned_component_ids()))
                ),
                subject_type=subject.type,
                subject=subject.snapshot(),
                update=UpdateSnapshot(
                    id=update.id,
                    status=update.status,
                    message=update.message,
                    created_at=rfc3339(update.created_at),
                ),
                **{f"{subject.type}_id": subject.id, f"{subject.type}_update_id": update.id},
            )
        )
    page_invalidate_on_commit(page.id)
    return update


def component_change_publish(
    *,
    component: Component,
    old_status: str,
    publish_key: str | None = None,
    notify_subscribers: bool = True,
) -> PublishedEvent | None:
    """A ``component_updated`` event when a manual change (or a status source, naming its own
    ``publish_key``) moved the effective status. The publish key is derived from the change
    itself, so one write never yields two events. ``notify_subscribers`` False: the change
    is reported (uptime) and no event is emitted."""
    new_status = effective_statuses([component])[component.id]
    if new_status == old_status:
        return None
    page = component.page
    change = ComponentChange(
        id=component.id, name=component.name, old_status=old_status, new_status=new_status
    )
    status_changes_report(page.id, [change])
    if not notify_subscribers:
        return None
    event = PublishedEvent(
        kind=EventKind.COMPONENT_UPDATED,
        publish_key=publish_key or f"cmpu:{component.id}:{component.updated_at.isoformat()}",
        page=page_snapshot(page),
        page_status=_page_status(page),
        components=(change,),
        component_ids=(component.id,),
        subject_type="component",
        subject=component_shape(component, new_status),
    )
    _emit(event)
    return event


@transaction.atomic
def published_update_edit(*, update: PublishedUpdate, page_id: str, message: str):
    """Correct the text of an update already published (Statuspage's "edit incident update");
    nobody is notified again, readers see the new text on their next read."""
    update.message = message_checked(message)
    update.save(update_fields=["message"])
    page_invalidate_on_commit(page_id)
    return update


@transaction.atomic
def published_update_delete(*, update: PublishedUpdate, page_id: str) -> None:
    """Withdraw an update already published (Instatus's "delete incident update"): its text
    leaves the page; the subject's status and components stay as they are, nobody is
    notified. The subject's only update stays: a page never shows an incident without one."""
    model = type(update)
    subject = {model.subject_field: getattr(update, model.subject_field)}
    # Locked (no aggregate may carry FOR UPDATE): two deletions cannot remove the last two.
    siblings = model.objects.select_for_update().filter(**subject).values_list("pk", flat=True)
    if not [pk for pk in siblings if pk != update.pk]:
        raise ValidationError({"update": ["The only update of an incident or maintenance stays."]})
    update.delete()
    page_invalidate_on_commit(page_id)
