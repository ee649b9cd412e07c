"""What an inbound delivery does: read it, match its alerts to rules, and open, extend or
resolve the alert group's incident through ``incidents.services`` (so notifications,
derived status and cache invalidation are those of any incident).

Deliveries for one alert group are serialized by a row lock on its ``AlertGroup`` (created
once, under a uniqueness constraint), so two deliveries of the same alert at once open one
incident. Alert state is remembered per sender id, so a re-sent payload changes nothing.
"""

import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.validation import NAME_MAX_LENGTH
from incidents.models import Incident
from incidents.services import incident_create, incident_resolve, incident_update_publish
from integrations.formats import Alert, Delivery, UnreadablePayload, delivery_parse
from integrations.models import (
    EVENTS_KEPT,
    AlertGroup,
    AlertState,
    Integration,
    IntegrationEvent,
    IntegrationEventStatus,
)
from integrations.services import token_hash
from integrations.signatures import BadSignature, signature_check
from statuspages.models import MESSAGE_MAX_LENGTH, Component, ComponentStatus
from statuspages.status import worst_status

MAX_STORED_PAYLOAD = 256 * 1024
# Alert state of a quiet group is forgotten after this long (late copies older than that could
# then count again).
STATE_KEPT = timedelta(days=7)
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")


class Rejected(Exception):
    """The delivery was refused (and kept as a ``rejected`` event)."""

    def __init__(self, event: IntegrationEvent, *, status_code: int, message: str):
        super().__init__(message)
        self.event = event
        self.status_code = status_code
        self.message = message


def integration_for_token(token: str) -> Integration | None:
    return Integration.objects.select_related("page").filter(token_hash=token_hash(token)).first()


def rule_matching(rules: list[dict], labels: dict[str, str]) -> tuple[int, dict] | None:
    """The first rule whose every ``match`` entry fits the labels (``~``: full regex match)."""
    for index, rule in enumerate(rules):
        if all(_fits(labels.get(name), wanted) for name, wanted in rule.get("match", {}).items()):
            return index, rule
    return None


def _fits(value: str | None, wanted: str) -> bool:
    if value is None:
        return False
    if wanted.startswith("~"):
        return re.fullmatch(wanted[1:], value) is not None
    return value == wanted


def render(template: str, fields: dict[str, str]) -> str:
    """``{{ label }}`` placeholders filled from the alert; unknown ones become empty."""
    return _PLACEHOLDER.sub(lambda m: fields.get(m.group(1), ""), template).strip()


def _storable(body: bytes) -> str:
    text = body[:MAX_STORED_PAYLOAD].decode("utf-8", errors="replace")
    return text.replace("\x00", "\ufffd")


def _record(integration, *, status, summary, payload, delivery_key="", incident=None, actions=()):
    event = IntegrationEvent.objects.create(
        integration=integration,
        kind=integration.kind,
        status=status,
        summary=summary[:1000],
        payload=payload,
        delivery_key=delivery_key[:512],
        incident=incident,
        actions=list(actions),
    )
    stale = IntegrationEvent.objects.filter(integration=integration).values_list("id", flat=True)[
        EVENTS_KEPT:
    ]
    IntegrationEvent.objects.filter(id__in=list(stale)).delete()
    return event


def integration_receive(
    *, integration: Integration, body: bytes, query: dict, headers
) -> IntegrationEvent:
    """Take one delivery. Raises Rejected (after recording it) for a bad signature or an
    unreadable payload."""
    payload = _storable(body)
    try:
        signature_check(
            kind=integration.kind, secret=integration.signing_secret, body=body, headers=headers
        )
        delivery = delivery_parse(integration.kind, body, query)
    except (BadSignature, UnreadablePayload) as exc:
        status_code = 401 if isinstance(exc, BadSignature) else 400
        event = _record(
            integration, status=IntegrationEventStatus.REJECTED, summary=str(exc), payload=payload
        )
        raise Rejected(event, status_code=status_code, message=str(exc)) from exc
    if delivery.ignored:
        return _record(
            integration,
            status=IntegrationEventStatus.UNMATCHED,
            summary=delivery.ignored,
            payload=payload,
            delivery_key=delivery.delivery_key,
        )
    with transaction.atomic():
        group = _locked_group(integration, delivery.group_key)
        status, actions = _apply(integration, group, delivery)
        if status == IntegrationEventStatus.MATCHED:
            actions += _reconcile(integration, group)
        incident = group.incident
        summary = _summary(delivery, status, actions)
        return _record(
            integration,
            status=status,
            summary=summary,
            payload=payload,
            delivery_key=delivery.delivery_key,
            incident=incident,
            actions=actions,
        )


def _summary(delivery: Delivery, status: str, actions: list[str]) -> str:
    alerts = ", ".join(
        f"{alert.name} {'firing' if alert.firing else 'resolved'}" for alert in delivery.alerts[:5]
    )
    if len(delivery.alerts) > 5:
        alerts += f" and {len(delivery.alerts) - 5} more"
    outcome = {
        IntegrationEventStatus.MATCHED: "; ".join(a for a in actions if not a.startswith("rule"))
        or "alert state recorded",
        IntegrationEventStatus.UNMATCHED: "no rule matches",
        IntegrationEventStatus.DUPLICATE: "already known, nothing changed",
    }[status]
    return f"{alerts or 'no alerts'}: {outcome}"


def _locked_group(integration: Integration, group_key: str) -> AlertGroup:
    """The group's row, created once (the constraint settles a race) and locked."""
    try:
        with transaction.atomic():
            AlertGroup.objects.get_or_create(integration=integration, group_key=group_key)
    except IntegrityError:
        pass  # another delivery created it a moment ago
    return (
        AlertGroup.objects.select_for_update(of=("self",))
        .select_related("incident")
        .get(integration=integration, group_key=group_key)
    )


def _apply(integration: Integration, group: AlertGroup, delivery: Delivery):
    """Record each alert's new state; returns the event status and what was done."""
    if (
        delivery.delivery_key
        and IntegrationEvent.objects.filter(
            integration=integration, delivery_key=delivery.delivery_key
        )
        .exclude(status=IntegrationEventStatus.REJECTED)
        .exists()
    ):
        return IntegrationEventStatus.DUPLICATE, ["this delivery was already taken"]
    states = {state.fingerprint: state for state in group.alerts.all()}
    actions, matched, changed = [], False, False
    for alert in delivery.alerts:
        found = rule_matching(integration.rules, alert.labels)
        state = states.get(alert.fingerprint)
        if found is None:
            actions.append(f"{alert.name}: no rule matches {alert.labels}")
            if state is None or not state.firing or alert.firing:
                continue
        matched = True
        if found is not None:
            actions.append(f"rule {found[0]} matches {alert.name}")
        if _transition(integration, group, alert, state, found, states):
            changed = True
    if not matched:
        return IntegrationEventStatus.UNMATCHED, actions
    if not changed:
        return IntegrationEventStatus.DUPLICATE, [*actions, "nothing changed"]
    return IntegrationEventStatus.MATCHED, actions


def _transition(integration, group, alert: Alert, state, found, states) -> bool:
    """Apply one alert to its remembered state; True if it changed."""
    now = timezone.now()
    if not alert.firing:
        if state is None or not state.firing:
            return False
        state.firing = False
        state.save(update_fields=["firing", "updated_at"])
        return True
    if state is not None and (
        state.firing or (alert.starts_at is not None and state.starts_at == alert.starts_at)
    ):
        return False  # still firing, or a late copy of an episode already resolved
    _, rule = found
    if state is None:
        state = AlertState(group=group, fingerprint=alert.fingerprint)
        states[alert.fingerprint] = state
    state.name = alert.name[:512]
    state.firing = True
    state.starts_at = alert.starts_at
    state.firing_since = min(alert.starts_at or now, now)
    state.component_ids = rule["component_ids"]
    state.status = rule["status"]
    state.notify_subscribers = rule.get("notify_subscribers", integration.notify_subscribers)
    state.auto_resolve = rule.get("auto_resolve", integration.auto_resolve)
    state.open_after_seconds = rule.get("open_after_seconds", integration.open_after_seconds)
    state.fields = alert.fields()
    state.save()
    return True


def _desired_statuses(page_id: str, states: list[AlertState]) -> dict[str, str]:
    """Component id → the worst status the firing alerts give it (components still on the
    page only)."""
    wanted: dict[str, list[str]] = {}
    for state in states:
        for component_id in state.component_ids:
            wanted.setdefault(component_id, []).append(state.status)
    existing = set(
        Component.objects.filter(page_id=page_id, id__in=list(wanted)).values_list("id", flat=True)
    )
    return {cid: worst_status(statuses) for cid, statuses in wanted.items() if cid in existing}


def _open_incident(group: AlertGroup) -> Incident | None:
    incident = group.incident
    if incident is None or incident.is_resolved:
        return None
    return incident


def _reconcile(integration: Integration, group: AlertGroup) -> list[str]:
    """Bring the group's incident in line with its firing alerts. The caller holds the lock."""
    states = list(group.alerts.order_by("firing_since", "id"))
    firing = [state for state in states if state.firing]
    incident = _open_incident(group)
    now = timezone.now()
    page = integration.page
    if incident is None:
        due = [s for s in firing if s.firing_since + timedelta(seconds=s.open_after_seconds) <= now]
        waiting = [s for s in firing if s not in due]
        group.opens_at = None
        actions = []
        desired = _desired_statuses(page.id, due)
        if due and desired:
            fields = due[0].fields
            incident = incident_create(
                page=page,
                # An alert's text is cut to what the service takes, never refused for length.
                name=render(integration.incident_name_template, fields)[:NAME_MAX_LENGTH]
                or due[0].name[:NAME_MAX_LENGTH],
                message=render(integration.incident_message_template, fields)[:MESSAGE_MAX_LENGTH],
                component_statuses=[
                    {"component_id": cid, "status": status} for cid, status in desired.items()
                ],
                notify_subscribers=any(s.notify_subscribers for s in due),
            )
            group.incident = incident
            actions.append(f"opened incident {incident.id} ({_describe(desired)})")
        elif waiting:
            group.opens_at = min(
                s.firing_since + timedelta(seconds=s.open_after_seconds) for s in waiting
            )
            actions.append(f"waiting until {group.opens_at:%Y-%m-%d %H:%M:%S}Z to open (debounce)")
        group.save(update_fields=["incident", "opens_at"])
        return actions
    if firing:
        desired = _desired_statuses(page.id, firing)
        current = dict(incident.component_links.values_list("component_id", "status"))
        changes = {cid: status for cid, status in desired.items() if current.get(cid) != status}
        changes.update(
            {
                cid: ComponentStatus.OPERATIONAL
                for cid, status in current.items()
                if cid not in desired and status != ComponentStatus.OPERATIONAL
            }
        )
        if not changes:
            return []
        names = ", ".join(dict.fromkeys(s.name for s in firing))
        incident_update_publish(
            incident=incident,
            status=incident.status,
            message=f"Firing: {names}."[:MESSAGE_MAX_LENGTH],
            component_statuses=[
                {"component_id": cid, "status": status} for cid, status in changes.items()
            ],
            notify_subscribers=any(s.notify_subscribers for s in firing),
        )
        return [f"updated incident {incident.id} ({_describe(changes)})"]
    if not all(state.auto_resolve for state in states):
        return [f"every alert recovered; incident {incident.id} stays open for a human to resolve"]
    incident_resolve(
        incident=incident,
        message="Every alert has recovered.",
        notify_subscribers=any(s.notify_subscribers for s in states),
    )
    return [f"resolved incident {incident.id}"]


def _describe(statuses: dict[str, str]) -> str:
    return ", ".join(f"{cid}: {status}" for cid, status in statuses.items())


def alert_group_open_due(*, group_id: int) -> list[str]:
    """Open the group's incident if its debounced alerts are still firing."""
    with transaction.atomic():
        group = (
            AlertGroup.objects.select_for_update(of=("self",))
            .select_related("incident", "integration__page")
            .filter(id=group_id)
            .first()
        )
        if group is None or group.opens_at is None or group.opens_at > timezone.now():
            return []
        return _reconcile(group.integration, group)


def alert_groups_open_due() -> int:
    """Every group whose debounce has run out (a periodic task, every few seconds)."""
    due = AlertGroup.objects.filter(opens_at__lte=timezone.now()).values_list("id", flat=True)
    opened = 0
    for group_id in list(due[:500]):
        opened += bool(alert_group_open_due(group_id=group_id))
    return opened


def alert_groups_purge() -> int:
    """Forget the groups quiet for STATE_KEPT: nothing firing or waiting, no open incident."""
    cutoff = timezone.now() - STATE_KEPT
    quiet = (
        AlertGroup.objects.filter(created_at__lt=cutoff, opens_at__isnull=True)
        .exclude(alerts__firing=True)
        .exclude(alerts__updated_at__gte=cutoff)
        .exclude(Q(incident__isnull=False) & ~Q(incident__status="resolved"))
    )
    ids = list(quiet.values_list("id", flat=True)[:1000])
    return AlertGroup.objects.filter(id__in=ids).delete()[1].get(AlertGroup._meta.label, 0)
