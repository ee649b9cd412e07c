import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import (
    IMPLIED_SCOPES,
    ApiKey,
    Membership,
    MembershipStatus,
    Role,
    Scope,
)
from accounts.roles import role_may_grant_scopes
from tenancy.models import Organization

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


class ScopeNotHeld(ValidationError):
    """A key (or member) tried to hand out a scope it does not hold itself."""

    def __init__(self, scope: str):
        super().__init__({"scopes": [f"You cannot grant '{scope}': you do not hold it."]})
        self.scope = scope


def _held_scopes(key: ApiKey) -> set[str]:
    held = set(key.scopes)
    for scope in key.scopes:
        held |= IMPLIED_SCOPES.get(scope, set())
    return held


def _refuse_escalation(
    *, scopes: list[str], page_ids: list[str], created_by: Membership | None, granted_by
) -> list[str]:
    """A new key holds no scope and no page its maker does not: neither the member's role nor,
    through the API, the key that asks. Returns the pages, a limited maker's if none given."""
    if created_by is not None:
        grantable = role_may_grant_scopes(created_by.role)
        for scope in scopes:
            if scope not in grantable:
                raise ScopeNotHeld(scope)
    if granted_by is not None:
        held = _held_scopes(granted_by)
        for scope in scopes:
            if scope not in held:
                raise ScopeNotHeld(scope)
        if granted_by.page_ids:
            page_ids = page_ids or sorted(granted_by.page_ids)
            outside = [page_id for page_id in page_ids if page_id not in granted_by.page_ids]
            if outside:
                raise ValidationError(
                    {"pages": [f"You cannot grant pages you do not hold: {', '.join(outside)}"]}
                )
    return page_ids


@transaction.atomic
def api_key_create(
    *,
    organization: Organization,
    name: str,
    scopes: list[str],
    page_ids: list[str] | None = None,
    expires_at=None,
    created_by: Membership | None = None,
    granted_by: ApiKey | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the plain token, which exists nowhere else. ``created_by``
    is the member making it; ``granted_by`` the API key asking for it (its member is the
    creator). Neither can hand out more than they hold."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["Choose a time in the future."]})
    if granted_by is not None:
        created_by = granted_by.created_by
    scopes = parse_scopes(scopes)
    page_ids = _refuse_escalation(
        scopes=scopes,
        page_ids=sorted(set(page_ids or [])),
        created_by=created_by,
        granted_by=granted_by,
    )
    known = set(organization.status_pages.filter(id__in=page_ids).values_list("id", flat=True))
    missing = [page_id for page_id in page_ids if page_id not in known]
    if missing:
        raise ValidationError(f"Unknown page(s) for this organization: {', '.join(missing)}")
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        organization=organization,
        name=name,
        scopes=scopes,
        page_ids=page_ids,
        expires_at=expires_at,
        created_by=created_by,
        created_by_key=granted_by,
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
    key = (
        ApiKey.objects.select_related("organization", "created_by__user")
        .filter(id=f"key_{key_body}")
        .first()
    )
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


# ---- members and invitations --------------------------------------------------------------


@transaction.atomic
def member_add(*, organization: Organization, user, role: str = Role.OWNER) -> Membership:
    """Make an existing account an active member at once, without an invitation (the demo's
    development superuser); a membership it already has is kept as it is."""
    membership, _ = Membership.objects.get_or_create(
        organization=organization,
        user=user,
        defaults={"role": Role(role), "status": MembershipStatus.ACTIVE},
    )
    return membership


class MemberConflict(ValidationError):
    """A change the organization's membership cannot take (the API answers 409)."""


def _refuse_losing_last_owner(membership: Membership) -> None:
    # Locked, so two requests demoting the last two owners cannot both pass.
    owners = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.OWNER)
        .values_list("id", flat=True)
    )
    if owners == [membership.id]:
        raise MemberConflict(
            "An organization keeps at least one owner: make another member owner first."
        )


def _invitation_link(membership: Membership, secret: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/invitations/{membership.id}/{secret}"


def _send_invitation(membership: Membership) -> None:
    """A fresh one-time link (the previous one stops working), mailed after commit."""
    secret = secrets.token_urlsafe(32)
    membership.invitation_hash = _secret_hash(secret)
    membership.invitation_expires_at = timezone.now() + timedelta(days=Membership.INVITATION_DAYS)
    membership.save(update_fields=["invitation_hash", "invitation_expires_at", "updated_at"])
    context = {
        "organization": membership.organization,
        "role": Role(membership.role).label,
        "link": _invitation_link(membership, secret),
        "days": Membership.INVITATION_DAYS,
    }
    subject = f"You are invited to {membership.organization.name}'s status pages"
    body = render_to_string("accounts/invitation_email.txt", context)
    recipient = membership.email
    # A mail server failure is logged, not the request's failure: the admin can resend.
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient]), robust=True
    )


@transaction.atomic
def member_invite(
    *, organization: Organization, email: str, role: str, invited_by: Membership | None = None
) -> Membership:
    """Invite ``email`` (a new account, or the existing one with that address) with ``role``;
    they get a one-time link, valid for a week, to set a password and join."""
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email.strip())
    already = MemberConflict({"email": ["This address is already a member or invited."]})
    try:
        # A savepoint: two invitations racing for one address end in one row and a 409.
        with transaction.atomic():
            user = user_model.objects.filter(
                Q(email__iexact=email) | Q(username__iexact=email)
            ).first()
            if user is None:
                user = user_model.objects.create_user(username=email, email=email, is_staff=True)
            elif Membership.objects.filter(organization=organization, user=user).exists():
                raise already
            membership = Membership.objects.create(
                organization=organization,
                user=user,
                role=Role(role),
                status=MembershipStatus.INVITED,
                invited_by=invited_by,
            )
    except IntegrityError:
        raise already from None
    _send_invitation(membership)
    return membership


@transaction.atomic
def invitation_resend(*, membership: Membership) -> Membership:
    if membership.status != MembershipStatus.INVITED:
        raise MemberConflict("This member has already joined.")
    _send_invitation(membership)
    return membership


def invitation_for_link(membership_id: str, secret: str) -> Membership | None:
    """The pending, unexpired invitation the link is for; None for any other link."""
    membership = (
        Membership.objects.select_related("organization", "user")
        .filter(id=membership_id, status=MembershipStatus.INVITED)
        .first()
    )
    expected = membership.invitation_hash if membership else ""
    matches = hmac.compare_digest(_secret_hash(secret), expected or _secret_hash(""))
    if membership is None or not expected or not matches:
        return None
    if (
        membership.invitation_expires_at is None
        or membership.invitation_expires_at <= timezone.now()
    ):
        return None
    return membership


def invitation_needs_password(membership: Membership) -> bool:
    return not membership.user.has_usable_password()


@transaction.atomic
def invitation_accept(*, membership: Membership, password: str | None = None) -> Membership:
    """Join: the link is spent, the member is active, and a new account gets its password."""
    claimed = Membership.objects.filter(
        id=membership.id,
        status=MembershipStatus.INVITED,
        invitation_hash=membership.invitation_hash,
    ).update(status=MembershipStatus.ACTIVE, invitation_hash="", accepted_at=timezone.now())
    if claimed != 1:
        raise MemberConflict("This invitation has already been used.")
    user = membership.user
    if invitation_needs_password(membership):
        if not password:
            raise ValidationError({"password": ["Choose a password."]})
        validate_password(password, user)
        user.set_password(password)
    user.is_staff = True  # members work in the admin site
    user.save()
    membership.refresh_from_db()
    return membership


@transaction.atomic
def member_update(*, membership: Membership, role: str) -> Membership:
    if membership.role == Role.OWNER and role != Role.OWNER:
        _refuse_losing_last_owner(membership)
    membership.role = Role(role)
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    """Removes the member; the API keys they made are revoked with them."""
    if membership.role == Role.OWNER:
        _refuse_losing_last_owner(membership)
    ApiKey.objects.filter(created_by=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), updated_at=timezone.now()
    )
    membership.delete()


def membership_of(user, organization: Organization) -> Membership | None:
    return Membership.objects.filter(
        user=user, organization=organization, status=MembershipStatus.ACTIVE
    ).first()
