"""Each sender's payload, read as its sender documents it, into one shape: a ``Delivery`` of
``Alert``s, each with the sender's own id (its fingerprint) and labels rules match on.

- alertmanager: Prometheus Alertmanager webhook v4 (`version`, `groupKey`, `alerts[]` with
  `status`, `labels`, `annotations`, `startsAt`, `fingerprint`).
- grafana: Grafana unified alerting webhook (the Alertmanager shape plus `orgId`, `state`,
  `title`, `message`; `version` "1").
- datadog: the Datadog webhook integration with the payload in ``DATADOG_PAYLOAD_TEMPLATE``.
- pagerduty: PagerDuty v3 webhook (`event.id`, `event.event_type` `incident.*`, `event.data`).
- uptime_robot: Uptime Robot webhook alert contact (`monitorID`, `alertType` 1 down / 2 up),
  as JSON, form fields or query parameters.
- generic: ``GENERIC_EXAMPLE`` (documented in the OpenAPI schema).
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl

MAX_ALERTS = 1000
MAX_TEXT = 1024


class UnreadablePayload(Exception):
    """The body is not what this kind of sender sends (400, kept as a ``rejected`` event)."""


@dataclass(frozen=True)
class Alert:
    fingerprint: str
    firing: bool
    labels: dict[str, str]
    annotations: dict[str, str] = field(default_factory=dict)
    starts_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "") or self.fingerprint

    def fields(self) -> dict[str, str]:
        """What incident templates may use: labels, annotations and the alert's status."""
        values = {"summary": "", "description": ""}
        values.update(self.annotations)
        values.update(self.labels)
        values["status"] = "firing" if self.firing else "resolved"
        values["alertname"] = self.name
        return values


@dataclass(frozen=True)
class Delivery:
    group_key: str
    alerts: list[Alert]
    # The sender's id for this very delivery, where it has one: a re-send carries the same.
    delivery_key: str = ""
    # Why a readable delivery carries no alert state (e.g. PagerDuty's incident.annotated).
    ignored: str = ""


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)[:MAX_TEXT]
    return ""


def _string_map(value, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UnreadablePayload(f"'{where}' must be an object of strings.")
    return {str(key)[:MAX_TEXT]: _text(item) for key, item in value.items()}


def _time(value, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise UnreadablePayload(f"'{where}' must be an RFC 3339 time.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # Go prints up to nine fractional digits; Python reads six.
        trimmed = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
        try:
            parsed = datetime.fromisoformat(trimmed)
        except ValueError:
            raise UnreadablePayload(f"'{where}' must be an RFC 3339 time.") from None
    if parsed.tzinfo is None:
        raise UnreadablePayload(f"'{where}' must carry a time zone.")
    if parsed.year <= 1:
        return None  # Go's zero time: "not set"
    return parsed.astimezone(UTC)


def _json(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise UnreadablePayload("The body is not JSON.") from None


def _object(document, what: str) -> dict:
    if not isinstance(document, dict):
        raise UnreadablePayload(f"Expected a JSON object ({what}).")
    return document


def _status(value, where: str) -> bool:
    if value == "firing":
        return True
    if value == "resolved":
        return False
    raise UnreadablePayload(f"'{where}' must be 'firing' or 'resolved'.")


def _labels_fingerprint(labels: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


def _alertmanager_shape(document: dict, sender: str) -> Delivery:
    group_key = document.get("groupKey")
    if not isinstance(group_key, str) or not group_key:
        raise UnreadablePayload(f"A {sender} webhook carries 'groupKey'.")
    alerts = document.get("alerts")
    if not isinstance(alerts, list) or len(alerts) > MAX_ALERTS:
        raise UnreadablePayload(f"'alerts' must be a list of at most {MAX_ALERTS} alerts.")
    parsed = []
    for index, alert in enumerate(alerts):
        where = f"alerts.{index}"
        alert = _object(alert, where)
        labels = _string_map(alert.get("labels"), f"{where}.labels")
        fingerprint = alert.get("fingerprint")
        if not isinstance(fingerprint, str) or not fingerprint:
            fingerprint = _labels_fingerprint(labels)
        parsed.append(
            Alert(
                fingerprint=fingerprint[:MAX_TEXT],
                firing=_status(alert.get("status"), f"{where}.status"),
                labels=labels,
                annotations=_string_map(alert.get("annotations"), f"{where}.annotations"),
                starts_at=_time(alert.get("startsAt"), f"{where}.startsAt"),
            )
        )
    return Delivery(group_key=group_key[:512], alerts=parsed)


def parse_alertmanager(body: bytes, query: dict) -> Delivery:
    document = _object(_json(body), "an Alertmanager webhook")
    if document.get("version") != "4":
        raise UnreadablePayload('Only Alertmanager webhook version "4" is understood.')
    return _alertmanager_shape(document, "Alertmanager")


def parse_grafana(body: bytes, query: dict) -> Delivery:
    document = _object(_json(body), "a Grafana alerting webhook")
    return _alertmanager_shape(document, "Grafana alerting")


# Datadog sends whatever payload the webhook is configured with: this one, made of Datadog's
# own template variables (https://docs.datadoghq.com/integrations/webhooks/).
DATADOG_PAYLOAD_TEMPLATE = {
    "id": "$ID",
    "alert_id": "$ALERT_ID",
    "alert_transition": "$ALERT_TRANSITION",
    "alert_title": "$ALERT_TITLE",
    "alert_type": "$ALERT_TYPE",
    "alert_scope": "$ALERT_SCOPE",
    "alert_priority": "$ALERT_PRIORITY",
    "aggreg_key": "$AGGREG_KEY",
    "tags": "$TAGS",
    "hostname": "$HOSTNAME",
    "title": "$EVENT_TITLE",
    "body": "$EVENT_MSG",
    "link": "$LINK",
    "date": "$DATE",
}
DATADOG_FIRING = {"triggered", "re-triggered", "warn", "re-warn", "no data", "re-no data"}
DATADOG_RESOLVED = {"recovered"}


def _datadog_tags(tags: str) -> dict[str, str]:
    labels = {}
    for tag in tags.split(","):
        key, _, value = tag.strip().partition(":")
        if key:
            labels[key[:MAX_TEXT]] = value[:MAX_TEXT]
    return labels


def parse_datadog(body: bytes, query: dict) -> Delivery:
    document = _object(_json(body), "a Datadog webhook")
    alert_id = _text(document.get("alert_id"))
    transition = _text(document.get("alert_transition")).strip().lower()
    if not alert_id or not transition:
        raise UnreadablePayload(
            "A Datadog webhook payload carries 'alert_id' ($ALERT_ID) and 'alert_transition' "
            "($ALERT_TRANSITION); see the README for the payload to configure."
        )
    delivery_key = _text(document.get("id"))
    if transition not in DATADOG_FIRING | DATADOG_RESOLVED:
        return Delivery(
            group_key=alert_id,
            alerts=[],
            delivery_key=delivery_key,
            ignored=f"Datadog transition '{transition}' changes nothing.",
        )
    title = _text(document.get("alert_title")) or _text(document.get("title"))
    title = re.sub(r"^\[[^\]]*\]\s*", "", title)
    scope = _text(document.get("alert_scope"))
    labels = _datadog_tags(_text(document.get("tags")))
    labels.update(
        alertname=title or alert_id,
        monitor_id=alert_id,
        scope=scope,
        hostname=_text(document.get("hostname")),
        priority=_text(document.get("alert_priority")),
        alert_type=_text(document.get("alert_type")),
    )
    alert = Alert(
        fingerprint=f"{alert_id}:{scope}",
        firing=transition in DATADOG_FIRING,
        labels=labels,
        annotations={"summary": _text(document.get("body")), "link": _text(document.get("link"))},
    )
    return Delivery(group_key=alert_id, alerts=[alert], delivery_key=delivery_key)


PAGERDUTY_FIRING = {"incident.triggered", "incident.reopened", "incident.unacknowledged"}
PAGERDUTY_RESOLVED = {"incident.resolved"}


def parse_pagerduty(body: bytes, query: dict) -> Delivery:
    document = _object(_json(body), "a PagerDuty v3 webhook")
    event = _object(document.get("event"), "'event' of a PagerDuty v3 webhook")
    event_id, event_type = event.get("id"), event.get("event_type")
    data = event.get("data")
    if not isinstance(event_id, str) or not isinstance(event_type, str) or not event_id:
        raise UnreadablePayload("A PagerDuty v3 webhook carries 'event.id' and 'event.event_type'.")
    if event.get("resource_type") != "incident" or not isinstance(data, dict):
        return Delivery(
            group_key=event_id,
            alerts=[],
            delivery_key=event_id,
            ignored=f"PagerDuty {event_type} events are not about an incident.",
        )
    incident_id = _text(data.get("id"))
    if not incident_id:
        raise UnreadablePayload("'event.data.id' names the PagerDuty incident.")
    if event_type not in PAGERDUTY_FIRING | PAGERDUTY_RESOLVED:
        return Delivery(
            group_key=incident_id,
            alerts=[],
            delivery_key=event_id,
            ignored=f"PagerDuty {event_type} changes nothing.",
        )
    service = data.get("service") if isinstance(data.get("service"), dict) else {}
    priority = data.get("priority") if isinstance(data.get("priority"), dict) else {}
    labels = {
        "alertname": _text(data.get("title")) or incident_id,
        "service": _text(service.get("summary")),
        "service_id": _text(service.get("id")),
        "urgency": _text(data.get("urgency")),
        "priority": _text(priority.get("summary")),
        "incident_key": _text(data.get("incident_key")),
    }
    alert = Alert(
        fingerprint=incident_id,
        firing=event_type in PAGERDUTY_FIRING,
        labels=labels,
        annotations={"summary": _text(data.get("title")), "link": _text(data.get("html_url"))},
        starts_at=_time(data.get("created_at"), "event.data.created_at"),
    )
    return Delivery(group_key=incident_id, alerts=[alert], delivery_key=event_id)


UPTIME_ROBOT_DOWN, UPTIME_ROBOT_UP = "1", "2"


def parse_uptime_robot(body: bytes, query: dict) -> Delivery:
    fields = dict(query)
    if body.strip():
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            try:
                document = dict(parse_qsl(body.decode(), strict_parsing=True))
            except (ValueError, UnicodeDecodeError):
                raise UnreadablePayload("The body is neither JSON nor form fields.") from None
        fields.update(_object(document, "Uptime Robot's webhook fields"))
    monitor_id, alert_type = _text(fields.get("monitorID")), _text(fields.get("alertType"))
    if not monitor_id or not alert_type:
        raise UnreadablePayload("An Uptime Robot webhook carries 'monitorID' and 'alertType'.")
    delivery_key = f"{monitor_id}:{alert_type}:{_text(fields.get('alertDateTime'))}"
    if alert_type not in (UPTIME_ROBOT_DOWN, UPTIME_ROBOT_UP):
        return Delivery(
            group_key=monitor_id,
            alerts=[],
            delivery_key=delivery_key,
            ignored=f"Uptime Robot alert type {alert_type} changes nothing.",
        )
    name = _text(fields.get("monitorFriendlyName")) or monitor_id
    alert = Alert(
        fingerprint=monitor_id,
        firing=alert_type == UPTIME_ROBOT_DOWN,
        labels={
            "alertname": name,
            "monitor": name,
            "monitor_id": monitor_id,
            "url": _text(fields.get("monitorURL")),
        },
        annotations={"summary": _text(fields.get("alertDetails"))},
    )
    return Delivery(group_key=monitor_id, alerts=[alert], delivery_key=delivery_key)


GENERIC_EXAMPLE = {
    "id": "checkout-5xx",
    "status": "firing",
    "name": "HighErrorRate",
    "labels": {"service": "checkout", "severity": "critical"},
    "summary": "5xx above 5% for 5 minutes",
    "group": "checkout",
    "event_id": "evt-123",
    "started_at": "2026-01-01T12:00:00Z",
}


def parse_generic(body: bytes, query: dict) -> Delivery:
    document = _object(_json(body), "a generic alert")
    alert_id, name = document.get("id"), document.get("name")
    if not isinstance(alert_id, str) or not alert_id or not isinstance(name, str) or not name:
        raise UnreadablePayload("A generic alert carries string 'id' and 'name'.")
    for optional in ("group", "event_id", "summary"):
        if not isinstance(document.get(optional, ""), str):
            raise UnreadablePayload(f"'{optional}' must be a string.")
    labels = _string_map(document.get("labels"), "labels")
    labels["alertname"] = name[:MAX_TEXT]
    alert = Alert(
        fingerprint=alert_id[:MAX_TEXT],
        firing=_status(document.get("status"), "status"),
        labels=labels,
        annotations={"summary": document.get("summary", "")[:MAX_TEXT]},
        starts_at=_time(document.get("started_at"), "started_at"),
    )
    return Delivery(
        group_key=(document.get("group") or alert_id)[:512],
        alerts=[alert],
        delivery_key=document.get("event_id", "")[:512],
    )


PARSERS = {
    "alertmanager": parse_alertmanager,
    "grafana": parse_grafana,
    "datadog": parse_datadog,
    "pagerduty": parse_pagerduty,
    "uptime_robot": parse_uptime_robot,
    "generic": parse_generic,
}


def delivery_parse(kind: str, body: bytes, query: dict) -> Delivery:
    return PARSERS[kind](body, query)
