"""Every write to integrations themselves: create, change, rotate the token, delete.
(What an inbound delivery does lives in ``integrations.receiving``.)"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from integrations.models import Integration
from integrations.signatures import SIGNATURE_HEADERS
from statuspages.models import ComponentStatus
from statuspages.selectors import page_components_checked

RULE_KEYS = {
    "match",
    "component_ids",
    "status",
    "notify_subscribers",
    "auto_resolve",
    "open_after_seconds",
}
RULE_STATUSES = (
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
)
MAX_RULES = 100
MAX_OPEN_AFTER_SECONDS = 86_400
CHANGEABLE_FIELDS = {
    "name",
    "rules",
    "notify_subscribers",
    "auto_resolve",
    "open_after_seconds",
    "signing_secret",
    "incident_name_template",
    "incident_message_template",
}


def token_hash(token: str) -> str:
    """Keyed hash of an inbound token, as API keys' secrets are hashed."""
    return hmac.new(settings.API_KEY_HASH_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


def inbound_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/integrations/{token}"


def _new_token(integration: Integration) -> str:
    token = secrets.token_urlsafe(32)  # 256 random bits
    integration.token_hash = token_hash(token)
    integration.token_hint = token[:6]
    return token


def _rule_problems(index: int, rule, component_ids: set[str]) -> list[str]:
    where = f"Rule {index}"
    if not isinstance(rule, dict):
        return [f"{where} must be an object."]
    problems = [f"{where}: unknown key '{key}'." for key in sorted(set(rule) - RULE_KEYS)]
    match = rule.get("match", {})
    if not isinstance(match, dict) or not all(
        isinstance(key, str) and isinstance(value, str) and len(value) <= 1000
        for key, value in match.items()
    ):
        problems.append(f"{where}: 'match' maps label names to strings (at most 1000 characters).")
    else:
        for label, value in match.items():
            if value.startswith("~"):
                try:
                    re.compile(value[1:])
                except re.error as exc:
                    problems.append(f"{where}: '{label}' is not a valid regular expression: {exc}.")
    ids = rule.get("component_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        problems.append(f"{where}: 'component_ids' lists at least one component id.")
    else:
        component_ids.update(ids)
    if rule.get("status") not in RULE_STATUSES:
        problems.append(f"{where}: 'status' is one of {', '.join(RULE_STATUSES)}.")
    for flag in ("notify_subscribers", "auto_resolve"):
        if flag in rule and not isinstance(rule[flag], bool):
            problems.append(f"{where}: '{flag}' is true or false.")
    seconds = rule.get("open_after_seconds", 0)
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int)
        or not 0 <= seconds <= MAX_OPEN_AFTER_SECONDS
    ):
        problems.append(f"{where}: 'open_after_seconds' is 0..{MAX_OPEN_AFTER_SECONDS}.")
    return problems


def rules_checked(page, rules) -> list[dict]:
    """The rules, checked: shape, regular expressions, and components of this page."""
    if not isinstance(rules, list) or len(rules) > MAX_RULES:
        raise ValidationError({"rules": [f"A list of at most {MAX_RULES} rules."]})
    component_ids: set[str] = set()
    problems = [p for i, rule in enumerate(rules) for p in _rule_problems(i, rule, component_ids)]
    if problems:
        raise ValidationError({"rules": problems})
    page_components_checked(page.id, sorted(component_ids), field="rules")
    return rules


def _check_signing_secret(kind: str, secret: str) -> None:
    if secret and kind not in SIGNATURE_HEADERS:
        raise ValidationError(
            {
                "signing_secret": [
                    f"{kind} does not sign its payloads; signatures are checked for: "
                    f"{', '.join(SIGNATURE_HEADERS)}."
                ]
            }
        )


@transaction.atomic
def integration_create(
    *,
    page,
    kind: str,
    name: str,
    rules=None,
    signing_secret: str = "",
    **options,
) -> tuple[Integration, str]:
    """Create an integration; returns it with its plain token, which exists nowhere else."""
    unknown = set(options) - CHANGEABLE_FIELDS
    if unknown:
        raise TypeError(f"integration_create got unknown fields: {sorted(unknown)}")
    _check_signing_secret(kind, signing_secret or "")
    integration = Integration(
        page=page,
        kind=kind,
        name=name,
        rules=rules_checked(page, [] if rules is None else rules),
        signing_secret=signing_secret or "",
        **options,
    )
    token = _new_token(integration)
    integration.full_clean(exclude=["token_hash", "token_hint", "page"])
    integration.save()
    return integration, token


@transaction.atomic
def integration_change(*, integration: Integration, **changes) -> Integration:
    unknown = set(changes) - CHANGEABLE_FIELDS
    if unknown:
        raise TypeError(f"integration_change got unknown fields: {sorted(unknown)}")
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    if "rules" in changes:
        changes["rules"] = rules_checked(integration.page, changes["rules"])
    if "signing_secret" in changes:
        changes["signing_secret"] = changes["signing_secret"] or ""
        _check_signing_secret(integration.kind, changes["signing_secret"])
    for name, value in changes.items():
        setattr(integration, name, value)
    integration.save()
    return integration


@transaction.atomic
def integration_rotate_token(*, integration: Integration) -> tuple[Integration, str]:
    """A new inbound URL; the old one answers 404 from now on."""
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    token = _new_token(integration)
    integration.save(update_fields=["token_hash", "token_hint", "updated_at"])
    return integration, token


@transaction.atomic
def integration_delete(*, integration: Integration) -> None:
    """Its events and alert state go with it; incidents it opened stay."""
    integration.delete()
