"""Who may read a non-public page, and which of its items they see (README, "Page visibility").

A reader is admitted by the page when they are an active member of its organization (signed in
to this site), when the reader cookie set by a magic link names an email address the page
admits (an invited reader, an allowed domain, a reader group's domain, or a member's address),
or when it names a share link that still exists and has not expired. On an ``audience`` page a
reader sees the unrestricted components, incidents and maintenances plus those of their groups.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Membership, MembershipStatus
from statuspages.models import Reader, ReaderGroup, ShareLink, StatusPage, Visibility

READER_COOKIE_SALT = "statuspages.reader"
READER_SESSION_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Audience:
    """What one admitted reader may see: everything, or the unrestricted items and those
    limited to ``group_ids``."""

    everything: bool
    group_ids: frozenset[str] = frozenset()

    def sees(self, item_group_ids) -> bool:
        item_group_ids = set(item_group_ids)
        return self.everything or not item_group_ids or bool(item_group_ids & self.group_ids)


EVERYTHING = Audience(everything=True)


def reader_cookie_name(page: StatusPage) -> str:
    return f"sp_reader_{page.id}"


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def email_domains(domains: list[str] | None) -> list[str]:
    """Email domains as the access checks compare them: lower-case, each once, in order."""
    return list(dict.fromkeys(domain.strip().lower().lstrip("@") for domain in domains or []))


def email_audiences(page: StatusPage, emails) -> dict[str, Audience]:
    """The audience of each of these addresses the page admits (lower-cased keys); addresses
    it does not admit are absent. A fixed number of queries however many addresses."""
    emails = {email.strip().lower() for email in emails if email}
    if not emails:
        return {}
    groups = {email: set() for email in emails}
    admitted = set()
    readers = Reader.objects.filter(page=page, email__in=emails).prefetch_related("groups")
    for reader in readers:
        admitted.add(reader.email)
        groups[reader.email].update(group.id for group in reader.groups.all())
    domains = {domain.lower() for domain in page.reader_domains}
    domain_groups = ReaderGroup.objects.filter(page=page).exclude(domains=[])
    for group in domain_groups.only("id", "domains"):
        for email in emails:
            if email_domain(email) in {domain.lower() for domain in group.domains}:
                admitted.add(email)
                groups[email].add(group.id)
    admitted.update(email for email in emails if email_domain(email) in domains)
    member_emails = set(
        Membership.objects.filter(organization_id=page.organization_id)
        .filter(status=MembershipStatus.ACTIVE)
        .annotate(address=Lower("user__email"))
        .filter(address__in=emails)
        .values_list("address", flat=True)
    )
    audiences = {email: Audience(False, frozenset(groups[email])) for email in admitted}
    audiences.update(dict.fromkeys(member_emails, EVERYTHING))
    return audiences


def share_link_audience(page: StatusPage, link_id: str) -> Audience | None:
    link = (
        ShareLink.objects.filter(page=page, id=link_id, expires_at__gt=timezone.now())
        .prefetch_related("groups")
        .first()
    )
    if link is None:
        return None
    return Audience(False, frozenset(group.id for group in link.groups.all()))


def _cookie_audience(request, page: StatusPage) -> Audience | None:
    try:
        value = request.get_signed_cookie(
            reader_cookie_name(page), salt=READER_COOKIE_SALT, max_age=READER_SESSION_SECONDS
        )
    except (KeyError, signing.BadSignature):
        return None
    kind, _, subject = value.partition(":")
    if kind == "email":
        return email_audiences(page, [subject]).get(subject.lower())
    if kind == "link":
        return share_link_audience(page, subject)
    return None


def _member_audience(request, page: StatusPage) -> Audience | None:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES or not hasattr(request, "user"):
        return None
    session = request.session
    accessed = session.accessed
    user = request.user
    if user.is_authenticated and (
        user.is_superuser
        or Membership.objects.filter(
            organization_id=page.organization_id, user=user, status=MembershipStatus.ACTIVE
        ).exists()
    ):
        return EVERYTHING
    # A refusal must look like a missing page, down to the Vary header reading it would add.
    session.accessed = accessed
    return None


def request_audience(request, page: StatusPage) -> Audience | None:
    """What this request may see of the page: everything on a public page, None when a
    non-public page does not admit it."""
    if page.visibility == Visibility.PUBLIC:
        return EVERYTHING
    request = getattr(request, "_request", request)  # DRF wraps the Django request
    audience = _member_audience(request, page) or _cookie_audience(request, page)
    if audience is not None and page.visibility == Visibility.PRIVATE:
        return EVERYTHING  # a private page has no restricted items
    return audience


def page_audience(page: StatusPage) -> Audience:
    """The audience a page object was resolved for (``routing.resolve_page``)."""
    return getattr(page, "reader_audience", None) or EVERYTHING


def visible_to(queryset: QuerySet, audience: Audience) -> QuerySet:
    """The rows of ``queryset`` (a model with ``audience_groups``) this audience sees."""
    if audience.everything:
        return queryset
    field = queryset.model._meta.get_field("audience_groups")
    links = field.remote_field.through.objects.filter(**{field.m2m_field_name(): OuterRef("pk")})
    limited_to_theirs = links.filter(
        **{f"{field.m2m_reverse_field_name()}__in": audience.group_ids}
    )
    return queryset.filter(~Exists(links) | Exists(limited_to_theirs))
