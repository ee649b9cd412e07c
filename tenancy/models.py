"""The organization: the tenant that every page, member, API key and log entry belongs to."""

from django.db import models

from core.models import TimestampedModel, id_field


class Organization(TimestampedModel):
    """Who belongs to it is accounts' business: ``organization.memberships`` (accounts.Membership)
    and ``accounts.selectors.members_for_organization``."""

    id = id_field("org")
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    require_two_factor = models.BooleanField(
        default=False,
        help_text="Members must sign in to the admin with a one-time code (TOTP) as well.",
    )

    class Meta:
        # The model moved here from accounts; its table and rows stayed where they were.
        db_table = "accounts_organization"

    def __str__(self):
        return self.name
