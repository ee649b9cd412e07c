"""How the monitor services check and normalise their arguments (section 6 of the contract):
each function takes what a caller gave and returns the stored form, or refuses naming the field."""

import re

from django.core.exceptions import ValidationError

from channels.addresses import MONITORS, UnsafeURL, url_check
from core.validation import UNSET, choice_checked, flag_checked, refused, text_checked
from core.validators import validate_hostname
from monitors.models import MonitorKind
from statuspages.models import ComponentStatus

INTERVAL_RANGE = (30, 86_400)
TIMEOUT_RANGE = (1, 30)
THRESHOLD_RANGE = (1, 10)
PERIOD_RANGE = (30, 30 * 86_400)
GRACE_RANGE = (0, 30 * 86_400)
MAX_LOCATIONS = 10
LOCATION = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,30}[a-z0-9])?$")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
DNS_RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "CAA")
DOWN_STATUSES = (
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
)
MAX_HEADERS = 30
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")
STATUS_RANGES = re.compile(r"^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$")
HTTP_DEFAULTS = {
    "method": "GET",
    "headers": {},
    "body": "",
    "expected_statuses": "200-399",
    "keyword": "",
    "keyword_absent": "",
    "json_path": "",
    "json_expected": None,
    "latency_degraded_ms": None,
    "tls_expiry_days": None,
}
DNS_DEFAULTS = {"record_type": "A", "expected": ""}


def int_checked(value, *, field: str, bounds: tuple[int, int], nullable: bool = False):
    if value is None and nullable:
        return None
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise refused(field, f"Give a whole number from {low} to {high}.")
    return value


def locations_checked(value) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LOCATIONS:
        raise refused("locations", f"Give a list of 1 to {MAX_LOCATIONS} location names.")
    for index, location in enumerate(value):
        if not isinstance(location, str) or not LOCATION.match(location):
            raise refused(
                f"locations.{index}",
                "A location is 1 to 32 lowercase letters, digits, '-' or '_' (e.g. 'eu').",
            )
    if len(set(value)) != len(value):
        raise refused("locations", "Each location is listed once.")
    return list(value)


def down_status_checked(value) -> str:
    return choice_checked(value, field="down_status", choices=DOWN_STATUSES, what="a down status")


def flags_checked(fields: dict, names) -> None:
    for name in names:
        if name in fields:
            fields[name] = flag_checked(fields[name], field=name)


def _statuses_checked(value) -> str:
    text = text_checked(value, field="http.expected_statuses", max_length=200).replace(" ", "")
    problem = "Give status codes or ranges from 100 to 599, e.g. '200-399' or '200,204,301-302'."
    if not STATUS_RANGES.match(text):
        raise refused("http.expected_statuses", problem)
    for part in text.split(","):
        low, _, high = part.partition("-")
        if not 100 <= int(low) <= int(high or low) <= 599:
            raise refused("http.expected_statuses", problem)
    return text


def _headers_checked(value) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_HEADERS:
        raise refused("http.headers", f"Give an object of at most {MAX_HEADERS} headers.")
    headers = {}
    for name, header_value in value.items():
        if not isinstance(name, str) or not HEADER_NAME.match(name):
            raise refused("http.headers", f"{name!r} is not a header name.")
        text = text_checked(header_value, field=f"http.headers.{name}", max_length=1000)
        if "\r" in text or "\n" in text:
            raise refused(f"http.headers.{name}", "A header value is one line.")
        headers[name] = text
    return headers


def http_checked(value, *, current: dict, timeout_seconds: int) -> dict:
    """The HTTP settings merged over ``current`` (a PATCH changes the keys it gives)."""
    if not isinstance(value, dict):
        raise refused("http", "Give an object.")
    unknown = sorted(set(value) - set(HTTP_DEFAULTS))
    if unknown:
        raise refused(f"http.{unknown[0]}", "Unknown setting.")
    settings_ = {**HTTP_DEFAULTS, **current, **value}
    settings_["method"] = choice_checked(
        settings_["method"], field="http.method", choices=HTTP_METHODS, what="an HTTP method"
    )
    settings_["headers"] = _headers_checked(settings_["headers"])
    settings_["body"] = text_checked(
        settings_["body"], field="http.body", max_length=10_000, strip=False
    )
    settings_["expected_statuses"] = _statuses_checked(settings_["expected_statuses"])
    for name in ("keyword", "keyword_absent"):
        settings_[name] = text_checked(
            settings_[name], field=f"http.{name}", max_length=1000, strip=False
        )
    json_path = text_checked(settings_["json_path"], field="http.json_path", max_length=1000)
    if json_path and not json_path.startswith("$"):
        raise refused("http.json_path", "A JSONPath (RFC 9535) starts with '$', e.g. '$.status'.")
    settings_["json_path"] = json_path
    expected = settings_["json_expected"]
    if expected is not None:
        expected = text_checked(expected, field="http.json_expected", max_length=1000)
    if expected is not None and not json_path:
        raise refused("http.json_expected", "Give json_path with json_expected.")
    settings_["json_expected"] = expected
    settings_["latency_degraded_ms"] = int_checked(
        settings_["latency_degraded_ms"],
        field="http.latency_degraded_ms",
        bounds=(1, timeout_seconds * 1000),
        nullable=True,
    )
    settings_["tls_expiry_days"] = int_checked(
        settings_["tls_expiry_days"], field="http.tls_expiry_days", bounds=(1, 365), nullable=True
    )
    return settings_


def dns_checked(value, *, current: dict) -> dict:
    if not isinstance(value, dict):
        raise refused("dns", "Give an object.")
    unknown = sorted(set(value) - set(DNS_DEFAULTS))
    if unknown:
        raise refused(f"dns.{unknown[0]}", "Unknown setting.")
    settings_ = {**DNS_DEFAULTS, **current, **value}
    record_type = settings_["record_type"]
    if isinstance(record_type, str):
        record_type = record_type.upper()
    settings_["record_type"] = choice_checked(
        record_type, field="dns.record_type", choices=DNS_RECORD_TYPES, what="a DNS record type"
    )
    settings_["expected"] = text_checked(
        settings_["expected"], field="dns.expected", max_length=1000
    )
    return settings_


def _host_port_checked(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 1 <= int(port) <= 65535 or not host:
        raise refused(
            "target", "Give host:port, e.g. 'db.example.com:5432' or '[2001:db8::1]:443'."
        )
    try:
        url_check(f"https://{host}:{int(port)}/", MONITORS)
    except UnsafeURL as exc:
        raise refused("target", str(exc)) from exc
    return f"{host.lower()}:{int(port)}"


def target_checked(kind: str, value) -> str:
    """The target as the kind reads it: a URL (http), host:port (tcp), a host name (dns),
    nothing (heartbeat). Addresses follow the outbound rules; a name is resolved and checked
    again by the probe when it connects (a refused one is a failed result)."""
    if kind == MonitorKind.HEARTBEAT:
        if value is not UNSET and value not in (None, ""):
            raise refused("target", "A heartbeat has no target: the job pings its ping_url.")
        return ""
    target = text_checked(
        None if value is UNSET else value, field="target", max_length=2048, required=True
    )
    if kind == MonitorKind.HTTP:
        try:
            url_check(target, MONITORS)
        except UnsafeURL as exc:
            raise refused("target", str(exc)) from exc
        return target
    if kind == MonitorKind.TCP:
        return _host_port_checked(target)
    hostname = target.lower().rstrip(".")
    try:
        validate_hostname(hostname)
    except ValidationError as exc:
        raise refused("target", exc.messages[0]) from exc
    return hostname
