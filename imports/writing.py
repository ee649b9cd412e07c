"""Recording a source's page here, through the domain services: the page, its groups and
components (in the source's order), incidents and maintenances with their dated updates,
templates and subscribers. Each object in its own transaction: one the services refuse is
reported and skipped, never half-written. What was imported is remembered by the source's id
(``SourceRecord``), so a second import updates those objects and creates none twice.
Nobody is notified: the services are asked not to (updates, component changes, confirmation
links)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from imports.models import SourceRecord
from imports.snapshot import (
    Snapshot,
    SourceComponent,
    SourceGroup,
    SourceIncident,
    SourceMaintenance,
    SourceSubscriber,
    SourceTemplate,
)
from incidents.importing import incident_import
from incidents.models import Incident, IncidentUpdate
from maintenances.importing import maintenance_import
from maintenances.models import ACTIVE_STATUSES, Maintenance, MaintenanceUpdate
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from pagetemplates.services import template_create, template_update
from statuspages.models import Component, ComponentGroup, ComponentStatus, StatusPage
from statuspages.services import (
    component_create,
    component_group_create,
    component_group_update,
    component_update,
    status_page_create,
    status_page_update,
)
from subscribers.models import Subscriber
from subscribers.services import subscriber_confirm, subscriber_create, subscriber_update

# The object types a record names, and the model each becomes.
MODELS = {
    "page": StatusPage,
    "group": ComponentGroup,
    "component": Component,
    "incident": Incident,
    "incident_update": IncidentUpdate,
    "maintenance": Maintenance,
    "maintenance_update": MaintenanceUpdate,
    "incident_template": IncidentTemplate,
    "maintenance_template": MaintenanceTemplate,
    "subscriber": Subscriber,
}
SEVERITY = {status: rank for rank, status in enumerate(ComponentStatus.values)}
SLUG_MAX_LENGTH = 64


class PageRefused(Exception):
    """The page itself could not be written: nothing else can be."""


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # one line per item not written
    plan: list[str] = field(default_factory=list)  # one line per object written
    page: StatusPage | None = None

    @property
    def imported(self) -> int:
        return self.created + self.updated


def refusal_text(refusal: Exception) -> str:
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in refusal.message_dict.items()
        )
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return f"{type(refusal).__name__}: {refusal}"


def changed_values(obj, values: dict) -> dict:
    """The ``values`` that differ from ``obj``'s: a re-import writes only what changed at the
    source (and skips the service when nothing did)."""
    return {name: value for name, value in values.items() if getattr(obj, name) != value}


def objects_total(snapshot: Snapshot) -> int:
    """How many objects an import of ``snapshot`` writes (the page included)."""
    return 1 + sum(
        len(items)
        for items in (
            snapshot.groups,
            snapshot.components,
            snapshot.incidents,
            snapshot.maintenances,
            snapshot.templates,
            snapshot.subscribers,
        )
    )


class PageWriter:
    """Writes one ``Snapshot`` into ``organization``; ``advance(line)`` is called after each
    object (progress), with the plan's line for it."""

    def __init__(
        self,
        *,
        organization,
        source_kind: str,
        snapshot: Snapshot,
        advance: Callable[[str], None] = lambda line: None,
    ):
        self.organization = organization
        self.source_kind = source_kind
        self.snapshot = snapshot
        self.advance = advance
        self.outcome = Outcome()
        self.page: StatusPage | None = None
        self.records: dict[tuple[str, str], SourceRecord] = {}
        self.found: dict[str, dict[str, object]] = {}  # object type -> source id -> ours

    # ---- the run ------------------------------------------------------------------------

    def run(self, *, dry_run: bool = False) -> Outcome:
        """Write everything; with ``dry_run`` in one transaction rolled back at the end, so
        the plan and counts are those of a real run and nothing stays."""
        if not dry_run:
            self._write_all()
            return self.outcome
        with transaction.atomic():
            self._write_all()
            transaction.set_rollback(True)
        self.outcome.page = None
        return self.outcome

    def _write_all(self) -> None:
        self._load()
        snapshot = self.snapshot
        self._one("page", snapshot.page.source_id, snapshot.page.name, self._page)
        if self.page is None:
            raise PageRefused(self.outcome.skipped[-1])
        explained = self._explained_statuses()
        for group in snapshot.groups:
            self._one("group", group.source_id, group.name, lambda g=group: self._group(g))
        for component in snapshot.components:
            self._one(
                "component",
                component.source_id,
                component.name,
                lambda c=component: self._component(c, explained),
            )
        for incident in snapshot.incidents:
            self._one(
                "incident", incident.source_id, incident.name, lambda i=incident: self._incident(i)
            )
        for maintenance in snapshot.maintenances:
            self._one(
                "maintenance",
                maintenance.source_id,
                maintenance.name,
                lambda m=maintenance: self._maintenance(m),
            )
        for template in snapshot.templates:
            self._one(
                f"{template.kind}_template",
                template.source_id,
                template.name,
                lambda t=template: self._template(t),
            )
        for subscriber in snapshot.subscribers:
            self._one(
                "subscriber",
                subscriber.source_id,
                subscriber.channel,
                lambda s=subscriber: self._subscriber(s),
            )

    def _one(self, object_type: str, source_id: str, name: str, write) -> None:
        """``write()`` (True: created) in its own transaction, with its record."""
        what = f"{object_type.replace('_', ' ')} {source_id} ({name})"
        try:
            with transaction.atomic():
                created = write()
        except (ValidationError, DatabaseError, ValueError) as refusal:
            self.outcome.skipped.append(f"skipped {what}: {refusal_text(refusal)}")
            self.advance(f"skip {what}")
            return
        if created:
            self.outcome.created += 1
        else:
            self.outcome.updated += 1
        line = f"{'create' if created else 'update'} {what}"
        self.outcome.plan.append(line)
        self.advance(line)

    # ---- records ------------------------------------------------------------------------

    def _load(self) -> None:
        """The records of this source, and the objects they name, in one read per type."""
        records = SourceRecord.objects.filter(
            organization=self.organization,
            source_kind=self.source_kind,
            source_key=self.snapshot.source_key,
        )
        by_type: dict[str, dict[str, str]] = {}
        for record in records:
            self.records[record.object_type, record.source_id] = record
            by_type.setdefault(record.object_type, {})[record.object_id] = record.source_id
        for object_type, model in MODELS.items():
            ids = by_type.get(object_type, {})
            self.found[object_type] = {}
            if not ids or object_type.endswith("_update"):
                continue  # updates are looked up by their incident or maintenance
            rows = model.objects.filter(pk__in=list(ids))
            if model is Component:
                rows = rows.select_related("group")  # compared on a re-import
            if object_type != "page":
                rows = rows.filter(page__organization=self.organization)
            else:
                rows = rows.filter(organization=self.organization)
            for row in rows:
                self.found[object_type][ids[row.pk]] = row

    def _existing(self, object_type: str, source_id: str):
        existing = self.found[object_type].get(source_id)
        if existing is not None and object_type != "page" and existing.page_id != self.page.id:
            return None  # imported into a page since deleted or replaced
        return existing

    def _remember(self, object_type: str, source_id: str, obj) -> None:
        self.found.setdefault(object_type, {})[source_id] = obj
        self._record(object_type, source_id, obj)

    def _record(self, object_type: str, source_id: str, obj) -> None:
        record = self.records.get((object_type, source_id))
        if record is not None and record.object_id == obj.pk:
            return
        content_type = ContentType.objects.get_for_model(MODELS[object_type])
        if record is None:
            record = SourceRecord.objects.create(
                organization=self.organization,
                source_kind=self.source_kind,
                source_key=self.snapshot.source_key,
                object_type=object_type,
                source_id=source_id,
                content_type=content_type,
                object_id=obj.pk,
            )
        else:
            record.object_id, record.content_type = obj.pk, content_type
            record.save(update_fields=["object_id", "content_type", "updated_at"])
        self.records[object_type, source_id] = record

    def _records_bulk(self, object_type: str, pairs: list[tuple[str, object]]) -> None:
        """Records of many objects of one kind (an incident's updates) in two statements."""
        content_type = ContentType.objects.get_for_model(MODELS[object_type])
        new, moved = [], []
        for source_id, obj in pairs:
            record = self.records.get((object_type, source_id))
            if record is None:
                record = SourceRecord(
                    organization=self.organization,
                    source_kind=self.source_kind,
                    source_key=self.snapshot.source_key,
                    object_type=object_type,
                    source_id=source_id,
                    content_type=content_type,
                    object_id=obj.pk,
                )
                new.append(record)
                self.records[object_type, source_id] = record
            elif record.object_id != obj.pk:
                record.object_id = obj.pk
                moved.append(record)
        SourceRecord.objects.bulk_create(new)
        SourceRecord.objects.bulk_update(moved, ["object_id"])

    def _ours(self, object_type: str, source_id) -> str | None:
        obj = self.found.get(object_type, {}).get(str(source_id)) if source_id else None
        return obj.pk if obj is not None else None

    # ---- each kind ----------------------------------------------------------------------

    def _page(self) -> bool:
        source = self.snapshot.page
        existing = self.found["page"].get(source.source_id)
        time_zone = source.time_zone or "UTC"
        if existing is not None:
            self.page = status_page_update(page=existing, name=source.name, time_zone=time_zone)
        else:
            try:
                with transaction.atomic():
                    self.page = self._page_created(source, time_zone)
            except ValidationError as refusal:
                if "time_zone" not in refusal.message_dict:
                    raise
                # A zone we do not know (a vendor's own names): the page starts in UTC.
                self.page = self._page_created(source, "UTC")
        self.outcome.page = self.page
        self._remember("page", source.source_id, self.page)
        return existing is None

    def _page_created(self, source, time_zone: str) -> StatusPage:
        return status_page_create(
            organization=self.organization,
            name=source.name,
            slug=self._free_slug(source.slug or source.name),
            time_zone=time_zone,
        )

    def _free_slug(self, wanted: str) -> str:
        """The source's slug if no page has it, else it with the first free ``-2``, ``-3``..."""
        base = slugify(wanted)[:SLUG_MAX_LENGTH].strip("-") or "imported"
        taken = set(
            StatusPage.objects.filter(slug__startswith=base[:50]).values_list("slug", flat=True)
        )
        if base not in taken:
            return base
        for number in range(2, 10_000):
            suffix = f"-{number}"
            candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
            if candidate not in taken:
                return candidate
        raise ValidationError({"slug": ["No free slug for this page."]})

    def _group(self, source: SourceGroup) -> bool:
        existing = self._existing("group", source.source_id)
        values = {
            "name": source.name,
            "description": source.description,
            "position": source.position,
        }
        if existing is not None:
            group = existing
            if changes := changed_values(existing, values):
                group = component_group_update(group=existing, **changes)
        else:
            group = component_group_create(page=self.page, **values)
        self._remember("group", source.source_id, group)
        return existing is None

    def _explained_statuses(self) -> dict[str, str]:
        """The worst status the source's unresolved incidents and running maintenances give
        each component: what a component shows beyond it is its own (manual) status."""
        explained: dict[str, str] = {}

        def worse(component_id: str, status: str) -> None:
            if SEVERITY.get(status, 0) > SEVERITY.get(explained.get(component_id), 0):
                explained[component_id] = status

        for incident in self.snapshot.incidents:
            if incident.status in ("resolved", ""):
                continue
            statuses: dict[str, str] = {}
            for update in incident.updates:
                for record in update.components:
                    asked = record.get("status") or record.get("new_status")
                    if asked:
                        statuses[record["component_id"]] = asked
            for record in incident.components or ():
                statuses[record["component_id"]] = record["status"]
            for component_id, status in statuses.items():
                worse(component_id, status)
        for maintenance in self.snapshot.maintenances:
            if maintenance.status in ACTIVE_STATUSES:
                for component_id in maintenance.component_ids:
                    worse(component_id, ComponentStatus.UNDER_MAINTENANCE)
        return explained

    def _component(self, source: SourceComponent, explained: dict[str, str]) -> bool:
        existing = self._existing("component", source.source_id)
        group = self._existing("group", source.group_id) if source.group_id else None
        manual_status = ComponentStatus.OPERATIONAL
        if SEVERITY.get(source.status, 0) > SEVERITY.get(explained.get(source.source_id), 0):
            manual_status = source.status
        values = {
            "name": source.name,
            "description": source.description,
            "group": group,
            "position": source.position,
            "manual_status": manual_status,
            "showcase": source.showcase,
            "only_show_if_degraded": source.only_show_if_degraded,
            "start_date": source.start_date,
        }
        if existing is not None:
            component = existing
            if changes := changed_values(existing, values):
                component = component_update(
                    component=existing, notify_subscribers=False, **changes
                )
        else:
            component = component_create(page=self.page, **values)
        self._remember("component", source.source_id, component)
        return existing is None

    def _component_records(self, records: list[dict]) -> list[dict]:
        """An update's component records with our ids (components not imported left out)."""
        mapped = []
        for record in records:
            component_id = self._ours("component", record["component_id"])
            if component_id is not None:
                mapped.append({**record, "component_id": component_id})
        return mapped

    def _timeline(self, updates, update_type: str) -> list[dict]:
        timeline = []
        for update in updates:
            record = self.records.get((update_type, update.source_id))
            timeline.append(
                {
                    "id": record.object_id if record is not None else None,
                    "status": update.status,
                    "message": update.message,
                    "published_at": update.published_at,
                    "component_statuses": self._component_records(update.components),
                }
            )
        return timeline

    def _incident(self, source: SourceIncident) -> bool:
        existing = self._existing("incident", source.source_id)
        components = None
        if source.components is not None:
            components = self._component_records(source.components)
        incident, rows = incident_import(
            page=self.page,
            incident=existing,
            name=source.name,
            updates=self._timeline(source.updates, "incident_update"),
            components=components,
            impact=source.impact,
            impact_override=source.impact_override,
            postmortem=source.postmortem,
            postmortem_published_at=source.postmortem_published_at,
            started_at=source.started_at,
            created_at=source.created_at,
            updated_at=source.updated_at,
        )
        self._remember("incident", source.source_id, incident)
        self._records_bulk(
            "incident_update",
            [(u.source_id, row) for u, row in zip(source.updates, rows, strict=True)],
        )
        return existing is None

    def _maintenance(self, source: SourceMaintenance) -> bool:
        existing = self._existing("maintenance", source.source_id)
        maintenance, rows = maintenance_import(
            page=self.page,
            maintenance=existing,
            name=source.name,
            start_at=source.start_at,
            end_at=source.end_at,
            updates=self._timeline(source.updates, "maintenance_update"),
            component_ids=[
                cid
                for cid in (self._ours("component", c) for c in source.component_ids)
                if cid is not None
            ],
            status=source.status,
            auto_transition=source.auto_transition,
            created_at=source.created_at,
            updated_at=source.updated_at,
        )
        self._remember("maintenance", source.source_id, maintenance)
        self._records_bulk(
            "maintenance_update",
            [(u.source_id, row) for u, row in zip(source.updates, rows, strict=True)],
        )
        return existing is None

    def _template(self, source: SourceTemplate) -> bool:
        object_type = f"{source.kind}_template"
        existing = self._existing(object_type, source.source_id)
        values = {
            "name": source.name,
            "title": source.title,
            "message": source.message,
            "status": source.status,
            "notify_subscribers": source.notify_subscribers,
        }
        records = self._component_records(source.components)
        if source.kind == "incident":
            model = IncidentTemplate
            values["component_statuses"] = [
                {"component_id": r["component_id"], "status": r["status"]} for r in records
            ]
        else:
            model = MaintenanceTemplate
            values["component_ids"] = [r["component_id"] for r in records]
        if existing is not None:
            template = existing
            if changes := changed_values(existing, values):
                template = template_update(template=existing, **changes)
        else:
            template = template_create(model=model, page=self.page, **values)
        self._remember(object_type, source.source_id, template)
        return existing is None

    def _subscriber(self, source: SourceSubscriber) -> bool:
        existing = self._existing("subscriber", source.source_id)
        component_ids = [
            cid
            for cid in (self._ours("component", c) for c in source.component_ids)
            if cid is not None
        ]
        if existing is None:
            subscriber = subscriber_create(
                page=self.page,
                channel=source.channel,
                email=source.email,
                phone_number=source.phone_number,
                phone_country=source.phone_country,
                endpoint=source.endpoint,
                component_ids=component_ids,
                confirmed=source.confirmed,
                send_confirmation=False,  # an import tells nobody anything
            )
        else:
            subscriber = existing
            if source.confirmed and subscriber.confirmed_at is None:
                subscriber = subscriber_confirm(subscriber=subscriber)
        changes = {}
        if not subscriber.incident_id and subscriber.component_ids != component_ids:
            changes["component_ids"] = component_ids
        if source.quarantined != (subscriber.quarantined_at is not None):
            changes["quarantined"] = source.quarantined
        if changes:
            subscriber = subscriber_update(subscriber=subscriber, **changes)
        self._remember("subscriber", source.source_id, subscriber)
        return existing is None
