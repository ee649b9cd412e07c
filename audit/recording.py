"""The one recording mechanism: apps register their models (in ``AppConfig.ready``) and every
save, delete and many-to-many change of a registered model writes an ``AuditEvent`` in the
same transaction, with the fields that changed as ``{field: [old, new]}``.

Old values come from the row as it was loaded (a snapshot taken when the instance is built),
so recording costs one INSERT and no read. Writes that bypass model signals (queryset
``update()``, ``bulk_create``) are bookkeeping (delivery claims, last-used stamps) by design,
or are recorded by their service with ``record_created`` (a subscriber import).
"""

import contextvars
import copy
import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from audit import context
from audit.actors import Actor
from audit.models import AuditEvent
from core.serializers import rfc3339

# Never recorded, whatever the model: hashes, tokens, secrets, passwords.
SECRET_FIELD_MARKERS = ("secret", "token", "password", "hash")
# Bookkeeping every row has; a save that changes only these is not an event.
IGNORED_FIELDS = {"created_at", "updated_at", "last_used_at", "last_login"}
_SNAPSHOT = "_audit_snapshot"


@dataclass(frozen=True)
class Registration:
    object_type: str
    organization_id: Callable[[models.Model], str | None]
    page_id: Callable[[models.Model], str | None]
    fields: tuple[str, ...]  # attnames recorded in ``changes``
    secret_fields: frozenset[str]
    record_deletes: bool


_registry: dict[type[models.Model], Registration] = {}


def _is_secret(name: str, declared: Iterable[str]) -> bool:
    return name in declared or any(marker in name for marker in SECRET_FIELD_MARKERS)


def register(
    model: type[models.Model],
    *,
    object_type: str,
    organization_id: Callable[[models.Model], str | None],
    page_id: Callable[[models.Model], str | None] = lambda obj: None,
    secret_fields: Iterable[str] = (),
    record_deletes: bool = True,
) -> None:
    """Record every write to ``model``. ``organization_id`` and ``page_id`` say whose it is
    (from loaded relations where possible: recording should not read). Secret fields (those
    named, and any whose name says secret/token/password/hash) appear as changed, never with
    their values."""
    secret_fields = frozenset(secret_fields)
    fields = tuple(
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in IGNORED_FIELDS
    )
    _registry[model] = Registration(
        object_type=object_type,
        organization_id=organization_id,
        page_id=page_id,
        fields=fields,
        secret_fields=frozenset(name for name in fields if _is_secret(name, secret_fields)),
        record_deletes=record_deletes,
    )
    uid = f"audit-{model._meta.label}"
    post_init.connect(_snapshot, sender=model, dispatch_uid=f"{uid}-init")
    post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-save")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-delete")
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            _m2m_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}"
        )


def _json(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return rfc3339(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | datetime.timedelta):
        return str(value)
    return value


def _values(instance, registration: Registration) -> dict:
    loaded = instance.__dict__
    return {
        name: copy.deepcopy(loaded[name]) if isinstance(loaded[name], list | dict) else loaded[name]
        for name in registration.fields
        if name in loaded
    }


# Set while only reading (``snapshots_paused``): models loaded then are never saved.
_reading_only: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "audit_reading_only", default=False
)


@contextmanager
def snapshots_paused():
    """Within, loaded models take no snapshot for their change records: for code that only
    reads, as public documents do. A cold ``summary.json`` of 500 components loads some 800
    models; their snapshots were a fifth of its build."""
    token = _reading_only.set(True)
    try:
        yield
    finally:
        _reading_only.reset(token)


def _snapshot(sender, instance, **kwargs) -> None:
    # Every instance, loaded or built (``_state.adding`` is only settled after post_init); a
    # created row's event ignores it.
    if _reading_only.get():
        return
    setattr(instance, _SNAPSHOT, _values(instance, _registry[sender]))


def _field_label(attname: str) -> str:
    return attname.removesuffix("_id") if attname.endswith("_id") else attname


def _changes(registration: Registration, old: dict, new: dict) -> dict:
    changes = {}
    for name in registration.fields:
        if name not in new and name not in old:
            continue
        before, after = old.get(name), new.get(name, old.get(name))
        if name in old and before == after:
            continue
        if name in registration.secret_fields:
            changes[_field_label(name)] = ["[secret]", "[secret]"]
        else:
            changes[_field_label(name)] = [_json(before), _json(after)]
    return changes


def record(
    *,
    organization_id: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: dict | None = None,
    page_id: str | None = None,
) -> AuditEvent:
    """Write one event as the acting context's actor (the system when nobody acts)."""
    acting = context.current()
    actor = acting.actor_for(organization_id)
    return AuditEvent.objects.create(
        organization_id=organization_id,
        page_id=page_id or "",
        actor_type=actor.type,
        actor_id=actor.id,
        actor_name=actor.name[:255],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes or {},
        request_id=acting.request_id,
        client_ip=acting.client_ip,
    )


def record_many(events: Iterable[tuple[Actor, dict]]) -> None:
    """Write many events in one statement, each with its own actor (a batch of monitors, each
    acting for itself). Each event is ``(actor, kwargs)`` with ``record``'s keyword arguments."""
    acting = context.current()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization_id=fields["organization_id"],
            page_id=fields.get("page_id") or "",
            actor_type=actor.type,
            actor_id=actor.id,
            actor_name=actor.name[:255],
            action=fields["action"],
            object_type=fields["object_type"],
            object_id=str(fields["object_id"]),
            changes=fields.get("changes") or {},
            request_id=acting.request_id,
            client_ip=acting.client_ip,
        )
        for actor, fields in events
    )


def record_created(instances: Iterable[models.Model]) -> None:
    """The ``<type>.created`` events that saving each of ``instances`` would have written, in
    one statement, for rows a service wrote with ``bulk_create`` (an import): bulk writes of
    what users see are recorded like any other (secret fields masked alike)."""
    events = []
    for instance in instances:
        registration = _registry[type(instance)]
        organization_id = registration.organization_id(instance)
        if organization_id is None:
            continue
        changes = _changes(registration, {}, _values(instance, registration))
        fields = {
            "organization_id": organization_id,
            "action": f"{registration.object_type}.created",
            "object_type": registration.object_type,
            "object_id": instance.pk,
            "changes": {
                name: change for name, change in changes.items() if change[1] not in ("", None)
            },
            "page_id": registration.page_id(instance),
        }
        events.append((context.current().actor_for(organization_id), fields))
    record_many(events)


def _record_for(instance, registration: Registration, action: str, changes: dict) -> None:
    organization_id = registration.organization_id(instance)
    if organization_id is None:
        return
    record(
        organization_id=organization_id,
        action=f"{registration.object_type}.{action}",
        object_type=registration.object_type,
        object_id=instance.pk,
        changes=changes,
        page_id=registration.page_id(instance),
    )


def _saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:  # loading fixtures
        return
    registration = _registry[sender]
    new = _values(instance, registration)
    if created:
        changes = _changes(registration, {}, new)
        changes = {name: change for name, change in changes.items() if change[1] not in ("", None)}
    else:
        changes = _changes(registration, getattr(instance, _SNAPSHOT, {}), new)
        if not changes:
            return
    _record_for(instance, registration, "created" if created else "updated", changes)
    setattr(instance, _SNAPSHOT, new)


def _deleted(sender, instance, origin=None, **kwargs) -> None:
    # A row deleted with its parent (a page's components) is told by the parent's event.
    if origin is not None and origin is not instance and not _is_queryset_of(origin, sender):
        return
    registration = _registry[sender]
    if not registration.record_deletes:
        return
    old = getattr(instance, _SNAPSHOT, None) or _values(instance, registration)
    changes = {
        name: [change[1], None]
        for name, change in _changes(registration, {}, old).items()
        if change[1] not in ("", None)
    }
    _record_for(instance, registration, "deleted", changes)


def _is_queryset_of(origin, model) -> bool:
    return isinstance(origin, models.QuerySet) and origin.model is model


_M2M_BEFORE = "_audit_m2m_before"


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if reverse:
        return  # told from the side that registered the relation
    registration = _registry.get(type(instance))
    if registration is None:
        return
    field = next(f for f in type(instance)._meta.many_to_many if f.remote_field.through is sender)
    manager = getattr(instance, field.name)
    if action.startswith("pre_"):
        before = getattr(instance, _M2M_BEFORE, {})
        before.setdefault(
            field.name, sorted(str(pk) for pk in manager.values_list("pk", flat=True))
        )
        setattr(instance, _M2M_BEFORE, before)
        return
    old = getattr(instance, _M2M_BEFORE, {}).pop(field.name, None)
    if old is None:
        return
    new = sorted(str(pk) for pk in manager.values_list("pk", flat=True))
    if old != new:
        _record_for(instance, registration, "updated", {f"{field.name}": [old, new]})
