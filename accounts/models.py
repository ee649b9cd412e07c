from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.models import AUDIT_READ_SCOPE
from core.models import TimestampedModel, id_field


class Scope(models.TextChoices):
    INCIDENTS_WRITE = "incidents:write", "Create, update and delete incidents and maintenances"
    PAGES_WRITE = "pages:write", "Create, update and delete pages, components and groups"
    SUBSCRIBERS_READ = "subscribers:read", "List and show subscribers and deliveries"
    SUBSCRIBERS_WRITE = "subscribers:write", "Create, update and delete subscribers"
    AUDIT_READ = AUDIT_READ_SCOPE, "Read the activity log"


# A scope also grants the scopes listed for it.
IMPLIED_SCOPES = {Scope.SUBSCRIBERS_WRITE.value: {Scope.SUBSCRIBERS_READ.value}}


class Organization(TimestampedModel):
    id = id_field("org")
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organizations"
    )

    def __str__(self):
        return self.name


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

    class Meta:
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.token_hint})"

    # DRF treats the authenticated key as the request's user.
    is_authenticated = True

    @property
    def token_hint(self) -> str:
        return f"{self.TOKEN_PREFIX}_{self.id.removeprefix('key_')}_…"

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
