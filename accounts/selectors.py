"""Reads about organizations and their members."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import ApiKey, Membership, MembershipStatus
from tenancy.models import Organization


def user_requires_two_factor(user) -> bool:
    return Organization.objects.filter(
        memberships__user=user,
        memberships__status=MembershipStatus.ACTIVE,
        require_two_factor=True,
    ).exists()


def user_roles(user) -> dict[str, str]:
    """Organization id → the user's role there (active memberships only), read once a request."""
    cached = getattr(user, "_organization_roles", None)
    if cached is None:
        cached = dict(
            Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values_list(
                "organization_id", "role"
            )
        )
        user._organization_roles = cached
    return cached


def members_for_organization(organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user")


def member_for_organization(organization: Organization, member_id: str) -> Membership:
    """The member, or Http404 (another organization's member does not exist here)."""
    return get_object_or_404(members_for_organization(organization), id=member_id)


def api_keys_for_organization(organization: Organization) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(organization=organization).select_related("created_by__user")


def api_key_for_organization(organization: Organization, key_id: str) -> ApiKey:
    return get_object_or_404(api_keys_for_organization(organization), id=key_id)
