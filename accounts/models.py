from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.models import AUDIT_READ_SCOPE
from core.models import TimestampedModel, id_field
from tenancy.models import Organization


class Scope(models.TextChoices):
    INCIDENTS_WRITE = "incidents:write", "Create, update and delete incidents and maintenances"
    PAGES_WRITE = "pages:write", "Create, update and delete pages, components and groups"
    SUBSCRIBERS_READ = "subscribers:read", "List and show subscribers and deliveries"
    SUBSCRIBERS_WRITE = "subscribers:write", "Create, update and delete subscribers"
    AUDIT_READ = AUDIT_READ_SCOPE, "Read the activity log"
    MEMBERS_WRITE = "members:write", "Invite, change and remove the organization's members"
    KEYS_WRITE = "keys:write", "Create and revoke API keys"


# A scope also grants the scopes listed for it.
IMPLIED_SCOPES = {Scope.SUBSCRIBERS_WRITE.value: {Scope.SUBSCRIBERS_READ.value}}


class Role(models.TextChoices):
    """Ordered from most to least rights; see accounts.roles for what each may do."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class MembershipStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"


class Membership(TimestampedModel):
    """A user's place in an organization. An invitation is a membership with status
    ``invited`` and a one-time link (only a keyed hash of its secret is kept)."""

    INVITATION_DAYS = 7

    id = id_field("mem")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    # A member made without a role runs the organization fully, as every member did before roles.
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OWNER)
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    invited_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invitation_hash = models.CharField(max_length=64, blank=True, editable=False)
    invitation_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_user")
        ]

    def __str__(self):
        return f"{self.user.email or self.user.get_username()} ({self.role}, {self.organization})"

    @property
    def email(self) -> str:
        return self.user.email or self.user.get_username()


class Invitation(Membership):
    """The admin's list of pending invitations (memberships still ``invited``)."""

    class Meta:
        proxy = True


class ApiKey(TimestampedModel):
    """A bearer key. The token ``spk_<id body>_<secret>`` is shown once; only a keyed hash stays."""

    TOKEN_PREFIX = "spk"

    id = id_field("key")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=255)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, blank=True)
    # Empty: every page of the organization.
    page_ids = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The member who made it; through the API, the member behind the key that made it.
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_key = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.token_hint})"

    # DRF treats the authenticated key as the request's user.
    is_authenticated = True

    @property
    def token_prefix(self) -> str:
        return f"{self.TOKEN_PREFIX}_{self.id.removeprefix('key_')}_"

    @property
    def token_hint(self) -> str:
        return f"{self.token_prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    def has_scope(self, scope: str) -> bool:
        granted = set(self.scopes)
        for held in self.scopes:
            granted |= IMPLIED_SCOPES.get(held, set())
        return scope in granted

    def may_access_page(self, page_id: str) -> bool:
        return not self.page_ids or page_id in self.page_ids
