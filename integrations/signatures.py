"""HMAC signatures of inbound payloads, for the senders that sign them.

- pagerduty: ``X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>`` (several
  comma-separated while PagerDuty rotates the secret), as PagerDuty's v3 webhooks send it.
- grafana: Grafana's webhook contact point "HMAC signature": hex HMAC-SHA256 of the body in
  ``X-Grafana-Alerting-Signature`` (its default header); with a timestamp header configured as
  ``X-Grafana-Alerting-Timestamp``, of ``<timestamp>:<body>``, and the timestamp must be
  within five minutes.
- generic: ``X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` (GitHub's form).

Alertmanager, Datadog and Uptime Robot sign nothing: for them the secret URL is the
credential.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADERS = {
    "pagerduty": "X-PagerDuty-Signature",
    "grafana": "X-Grafana-Alerting-Signature",
    "generic": "X-Signature-256",
}
GRAFANA_TIMESTAMP_HEADER = "X-Grafana-Alerting-Timestamp"
TIMESTAMP_TOLERANCE_SECONDS = 300
_SCHEME = {"pagerduty": "v1", "generic": "sha256"}


class BadSignature(Exception):
    pass


def signature_of(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _signed_values(kind: str, header: str) -> list[str]:
    if kind not in _SCHEME:
        return [header.strip()]
    values = []
    for candidate in header.split(","):
        scheme, _, value = candidate.strip().partition("=")
        if scheme == _SCHEME[kind]:
            values.append(value.strip())
    return values


def _signed_bytes(kind: str, body: bytes, headers) -> bytes:
    timestamp = headers.get(GRAFANA_TIMESTAMP_HEADER) if kind == "grafana" else None
    if timestamp is None:
        return body
    try:
        fresh = abs(time.time() - int(timestamp)) <= TIMESTAMP_TOLERANCE_SECONDS
    except ValueError:
        fresh = False
    if not fresh:
        raise BadSignature(f"The {GRAFANA_TIMESTAMP_HEADER} header is not a recent Unix time.")
    return f"{timestamp}:".encode() + body


def signature_check(*, kind: str, secret: str, body: bytes, headers) -> None:
    """Raise BadSignature unless one signature in the kind's header matches ``body``."""
    if not secret or kind not in SIGNATURE_HEADERS:
        return
    expected = signature_of(secret, _signed_bytes(kind, body, headers))
    for value in _signed_values(kind, headers.get(SIGNATURE_HEADERS[kind], "")):
        if hmac.compare_digest(value, expected):
            return
    raise BadSignature(f"The {SIGNATURE_HEADERS[kind]} header does not sign this body.")
