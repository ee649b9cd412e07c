import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiKey, Organization, Scope

LAST_USED_RESOLUTION = timedelta(minutes=1)


def _secret_hash(secret: str) -> str:
    return hmac.new(settings.API_KEY_HASH_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def parse_scopes(raw: str | list[str]) -> list[str]:
    """``"all"``, a comma list, or a list; unknown scopes are an error."""
    items = raw if isinstance(raw, list) else [s.strip() for s in raw.split(",") if s.strip()]
    if items == ["all"]:
        return list(Scope.values)
    unknown = sorted(set(items) - set(Scope.values))
    if unknown:
        raise ValidationError(
            f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(Scope.values)} or 'all'."
        )
    return sorted(set(items))


def organization_get_or_create(*, slug: str, name: str | None = None) -> tuple[Organization, bool]:
    organization, created = Organization.objects.get_or_create(
        slug=slug, defaults={"name": name or slug.replace("-", " ").title()}
    )
    if not created and name and organization.name != name:
        organization.name = name
        organization.save(update_fields=["name", "updated_at"])
    return organization, created


@transaction.atomic
def api_key_create(
    *,
    organization: Organization,
    name: str,
    scopes: list[str],
    page_ids: list[str] | None = None,
    expires_at=None,
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the plain token, which exists nowhere else."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["Choose a time in the future."]})
    page_ids = sorted(set(page_ids or []))
    known = set(organization.status_pages.filter(id__in=page_ids).values_list("id", flat=True))
    missing = [page_id for page_id in page_ids if page_id not in known]
    if missing:
        raise ValidationError(f"Unknown page(s) for this organization: {', '.join(missing)}")
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        organization=organization,
        name=name,
        scopes=parse_scopes(scopes),
        page_ids=page_ids,
        expires_at=expires_at,
    )
    key.secret_hash = _secret_hash(secret)
    key.save()
    token = f"{ApiKey.TOKEN_PREFIX}_{key.id.removeprefix('key_')}_{secret}"
    return key, token


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key


class InvalidToken(Exception):
    pass


def api_key_authenticate(token: str) -> ApiKey:
    """The active key for ``token``; raises InvalidToken with a reason a client can act on."""
    prefix, _, rest = token.partition("_")
    key_body, _, secret = rest.partition("_")
    if prefix != ApiKey.TOKEN_PREFIX or not key_body or not secret:
        raise InvalidToken("The API key is malformed.")
    key = ApiKey.objects.select_related("organization").filter(id=f"key_{key_body}").first()
    expected = key.secret_hash if key else _secret_hash("")
    matches = hmac.compare_digest(_secret_hash(secret), expected)
    if key is None or not matches:
        raise InvalidToken("The API key is not valid.")
    now = timezone.now()
    if key.revoked_at is not None:
        raise InvalidToken("The API key has been revoked.")
    if key.expires_at is not None and key.expires_at <= now:
        raise InvalidToken("The API key has expired.")
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        # At most one write a minute per key, and a conditional one so racing requests agree.
        ApiKey.objects.filter(id=key.id, last_used_at=key.last_used_at).update(last_used_at=now)
        key.last_used_at = now
    return key
