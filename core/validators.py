import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# Organization and page slugs: they appear in host names (``acme.status.example``) and paths.
SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
    "Use 1 to 64 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
)

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


def allowed_url_schemes() -> tuple[str, ...]:
    return ("https", "http") if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS else ("https",)


def validate_url(value: str) -> str:
    """Absolute ``https`` URL (``http`` too when private networks are allowed)."""
    schemes = allowed_url_schemes()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValidationError("Enter a valid URL.") from exc
    if parts.scheme.lower() not in schemes:
        raise ValidationError(f"Only {' or '.join(schemes)} URLs are accepted.")
    if not parts.hostname or any(ch.isspace() for ch in value) or parts.username or parts.password:
        raise ValidationError("Enter a valid URL with a host name and no credentials.")
    return value


def validate_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"'{value}' is not an IANA time zone (e.g. 'Europe/Paris').") from exc
    return value


def validate_hostname(value: str) -> str:
    if not _HOSTNAME.match(value):
        raise ValidationError("Enter a host name such as 'status.example.com' (no scheme or port).")
    return value
