"""HMAC signatures of inbound payloads, for the senders that sign them.

- pagerduty: ``X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>`` (several
  comma-separated while PagerDuty rotates the secret), as PagerDuty's v3 webhooks send it.
- generic: ``X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` (GitHub's form).

Alertmanager, Grafana, Datadog and Uptime Robot sign nothing: for them the secret URL is the
credential.
"""

import hashlib
import hmac

SIGNATURE_HEADERS = {"pagerduty": "X-PagerDuty-Signature", "generic": "X-Signature-256"}
_SCHEME = {"pagerduty": "v1", "generic": "sha256"}


class BadSignature(Exception):
    pass


def signature_of(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_check(*, kind: str, secret: str, body: bytes, headers) -> None:
    """Raise BadSignature unless one signature in the kind's header matches ``body``."""
    if not secret or kind not in SIGNATURE_HEADERS:
        return
    header = headers.get(SIGNATURE_HEADERS[kind], "")
    expected = signature_of(secret, body)
    for candidate in header.split(","):
        scheme, _, value = candidate.strip().partition("=")
        if scheme == _SCHEME[kind] and hmac.compare_digest(value.strip(), expected):
            return
    raise BadSignature(f"The {SIGNATURE_HEADERS[kind]} header does not sign this body.")
