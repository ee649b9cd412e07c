"""Every write to monitors themselves: create, change, delete, rotate the ping URL. (Results
and the state machine live in ``monitors.states``; ``monitor_results_record`` is re-exported
here as the one entry point for probes.)"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.validation import UNSET, choice_checked, name_checked, refused
from monitors import checks
from monitors.heartbeats import heartbeat_due_at, ping_tokens_forget
from monitors.models import Monitor, MonitorKind, MonitorState
from monitors.states import components_around, monitor_results_record, transition
from statuspages.selectors import page_components_checked

__all__ = [
    "monitor_create",
    "monitor_delete",
    "monitor_results_record",
    "monitor_rotate_ping_url",
    "monitor_update",
]

CHANGEABLE_FIELDS = {
    "name",
    "target",
    "interval_seconds",
    "timeout_seconds",
    "http",
    "dns",
    "heartbeat",
    "locations",
    "failure_threshold",
    "recovery_threshold",
    "component_id",
    "down_status",
    "open_incident",
    "notify_subscribers",
    "publish_latency",
    "paused",
}
FLAGS = ("open_incident", "notify_subscribers", "publish_latency", "paused")
HEARTBEAT_DEFAULTS = {"period_seconds": 86_400, "grace_seconds": 3_600}


def ping_token_hash(token: str) -> str:
    """Keyed hash of a ping token, as API keys' secrets are hashed."""
    return hmac.new(settings.API_KEY_HASH_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


def ping_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/ping/{token}"


def _new_ping_token(monitor: Monitor) -> str:
    token = secrets.token_urlsafe(24)  # 192 random bits
    monitor.ping_token_hash = ping_token_hash(token)
    monitor.ping_token_hint = token[:6]
    return token


def _kind_settings_checked(monitor: Monitor, fields: dict) -> None:
    """http, dns and heartbeat settings: only for their kind, merged over what is stored."""
    for name, kind in (
        ("http", MonitorKind.HTTP),
        ("dns", MonitorKind.DNS),
        ("heartbeat", MonitorKind.HEARTBEAT),
    ):
        if fields.get(name) is not None and monitor.kind != kind:
            raise refused(name, f"Only a {kind} monitor takes {name} settings.")
    if monitor.kind == MonitorKind.HTTP:
        monitor.http = checks.http_checked(
            fields.get("http") or {}, current=monitor.http, timeout_seconds=monitor.timeout_seconds
        )
    elif monitor.kind == MonitorKind.DNS:
        monitor.dns = checks.dns_checked(fields.get("dns") or {}, current=monitor.dns)
    elif monitor.kind == MonitorKind.HEARTBEAT:
        heartbeat = fields.get("heartbeat") or {}
        if not isinstance(heartbeat, dict):
            raise refused("heartbeat", "Give an object.")
        unknown = sorted(set(heartbeat) - set(HEARTBEAT_DEFAULTS))
        if unknown:
            raise refused(f"heartbeat.{unknown[0]}", "Unknown setting.")
        for name, bounds in (
            ("period_seconds", checks.PERIOD_RANGE),
            ("grace_seconds", checks.GRACE_RANGE),
        ):
            stored = getattr(monitor, name)
            value = heartbeat.get(name, HEARTBEAT_DEFAULTS[name] if stored is None else stored)
            setattr(
                monitor, name, checks.int_checked(value, field=f"heartbeat.{name}", bounds=bounds)
            )
        monitor.heartbeat_due_at = heartbeat_due_at(monitor, monitor.last_ping_at)


def _fields_applied(monitor: Monitor, fields: dict) -> None:
    """Check and normalise every given field onto ``monitor`` (paused excepted: the caller
    moves the state)."""
    unknown = set(fields) - CHANGEABLE_FIELDS
    if unknown:
        raise TypeError(f"monitor services got unknown fields: {sorted(unknown)}")
    checks.flags_checked(fields, FLAGS)
    if "name" in fields:
        monitor.name = name_checked(fields["name"])
    if "target" in fields or monitor._state.adding:
        monitor.target = checks.target_checked(monitor.kind, fields.get("target", UNSET))
    for name, bounds in (
        ("interval_seconds", checks.INTERVAL_RANGE),
        ("timeout_seconds", checks.TIMEOUT_RANGE),
        ("failure_threshold", checks.THRESHOLD_RANGE),
        ("recovery_threshold", checks.THRESHOLD_RANGE),
    ):
        if name in fields:
            setattr(monitor, name, checks.int_checked(fields[name], field=name, bounds=bounds))
    if monitor.timeout_seconds >= monitor.interval_seconds:
        raise refused("timeout_seconds", "The timeout must be shorter than the interval.")
    _kind_settings_checked(monitor, fields)
    if "locations" in fields:
        monitor.locations = checks.locations_checked(fields["locations"])
    if "component_id" in fields:
        component_id = fields["component_id"]
        if component_id is None:
            monitor.component = None
        elif not isinstance(component_id, str):
            raise refused("component_id", "Give a component id or null.")
        else:
            found = page_components_checked(monitor.page_id, [component_id], field="component_id")
            monitor.component = found[component_id]
    if "down_status" in fields:
        monitor.down_status = checks.down_status_checked(fields["down_status"])
    for name in ("open_incident", "notify_subscribers", "publish_latency"):
        if name in fields:
            setattr(monitor, name, fields[name])


@transaction.atomic
def monitor_create(*, page, name, kind, **fields) -> tuple[Monitor, str | None]:
    """Create a monitor; a heartbeat comes with its plain ping token, which exists nowhere
    else (its ping URL is shown once)."""
    kind = choice_checked(kind, field="kind", choices=MonitorKind.values, what="a monitor kind")
    monitor = Monitor(page=page, kind=kind, locations=["default"])
    fields = {"name": name, **fields}
    _fields_applied(monitor, fields)
    token = _new_ping_token(monitor) if kind == MonitorKind.HEARTBEAT else None
    monitor.paused = fields.get("paused", False)
    if monitor.paused:
        monitor.state = MonitorState.PAUSED
        monitor.state_changed_at = timezone.now()
    monitor.save()
    return monitor, token


@transaction.atomic
def monitor_update(*, monitor: Monitor, **changes) -> Monitor:
    """Change a monitor. Its kind stays; pausing takes back what it says about its component
    (and resolves the incident its outage opened); resuming starts again from ``pending``."""
    if "kind" in changes:
        raise refused("kind", "A monitor's kind cannot change; create another monitor.")
    monitor = Monitor.objects.select_for_update().get(pk=monitor.pk)
    old_component = monitor.component
    _fields_applied(monitor, changes)
    components_around(
        page_id=monitor.page_id,
        components=[old_component, monitor.component],
        apply=monitor.save,
    )
    if "paused" in changes and changes["paused"] != monitor.paused:
        monitor.paused = changes["paused"]  # saved with the state, by the transition
        state = MonitorState.PAUSED if monitor.paused else MonitorState.PENDING
        transition(monitor, state, at=timezone.now())
    return monitor


@transaction.atomic
def monitor_rotate_ping_url(*, monitor: Monitor) -> tuple[Monitor, str]:
    """A new ping URL for a heartbeat; the old one answers 404 from now on."""
    monitor = Monitor.objects.select_for_update().get(pk=monitor.pk)
    if monitor.kind != MonitorKind.HEARTBEAT:
        raise refused("kind", "Only a heartbeat monitor has a ping URL.")
    old_hash = monitor.ping_token_hash
    token = _new_ping_token(monitor)
    monitor.save(update_fields=["ping_token_hash", "ping_token_hint", "updated_at"])
    transaction.on_commit(lambda: ping_tokens_forget([old_hash]))
    return monitor, token


@transaction.atomic
def monitor_delete(*, monitor: Monitor) -> None:
    """Its results go with it and its component no longer hears from it; an incident it
    opened stays for a person to resolve."""
    monitor = Monitor.objects.select_for_update().get(pk=monitor.pk)
    components_around(page_id=monitor.page_id, components=[monitor.component], apply=monitor.delete)
