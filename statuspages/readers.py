"""Every write to a page's readers, reader groups, share links and sign-in links. One
transaction each; a change of who may read what makes the page's cached documents stale."""

import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

from statuspages.access import email_audiences, email_domains
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import Reader, ReaderGroup, ReaderSignIn, ShareLink, StatusPage

SIGN_IN_MINUTES = 30
SHARE_LINK_SALT = "statuspages.share-link"
_SIGN_IN_HASH_SALT = "statuspages.reader-sign-in"


class ReaderExists(Exception):
    pass


class ReaderGroupInUse(Exception):
    pass


def _groups_of_page(page: StatusPage, group_ids: list[str] | None) -> list[ReaderGroup]:
    if not group_ids:
        return []
    if len(set(group_ids)) != len(group_ids):
        raise ValidationError({"group_ids": ["Each group may be listed once."]})
    found = {group.id: group for group in ReaderGroup.objects.filter(page=page, id__in=group_ids)}
    missing = [group_id for group_id in group_ids if group_id not in found]
    if missing:
        raise ValidationError({"group_ids": [f"No such reader group on this page: {missing[0]}."]})
    return [found[group_id] for group_id in group_ids]


# ---- readers ------------------------------------------------------------------------------


@transaction.atomic
def reader_invite(*, page: StatusPage, email: str, group_ids: list[str] | None = None) -> Reader:
    """Admit ``email`` to the page (they sign in with an emailed link). ReaderExists when
    the address already reads it."""
    groups = _groups_of_page(page, group_ids)
    try:
        with transaction.atomic():
            reader = Reader.objects.create(page=page, email=email.strip().lower())
    except IntegrityError as exc:
        raise ReaderExists("This address already reads this page.") from exc
    reader.groups.set(groups)
    page_invalidate_on_commit(page.id)
    return reader


@transaction.atomic
def reader_update(*, reader: Reader, group_ids: list[str]) -> Reader:
    reader.groups.set(_groups_of_page(reader.page, group_ids))
    reader.save(update_fields=["updated_at"])
    page_invalidate_on_commit(reader.page_id)
    return reader


@transaction.atomic
def reader_delete(*, reader: Reader) -> None:
    """The address is no longer admitted (unless its domain is): its reader cookie stops
    working on the next request, and its subscriptions hear nothing more."""
    page_invalidate_on_commit(reader.page_id)
    reader.delete()


# ---- reader groups ------------------------------------------------------------------------


@transaction.atomic
def reader_group_create(
    *, page: StatusPage, name: str, domains: list[str] | None = None
) -> ReaderGroup:
    group = ReaderGroup.objects.create(page=page, name=name, domains=email_domains(domains))
    page_invalidate_on_commit(page.id)
    return group


@transaction.atomic
def reader_group_update(*, group: ReaderGroup, **changes) -> ReaderGroup:
    unknown = set(changes) - {"name", "domains"}
    if unknown:
        raise TypeError(f"reader_group_update got unknown fields: {sorted(unknown)}")
    if "domains" in changes:
        changes["domains"] = email_domains(changes["domains"])
    for name, value in changes.items():
        setattr(group, name, value)
    group.save()
    page_invalidate_on_commit(group.page_id)
    return group


def reader_group_in_use(group: ReaderGroup) -> str | None:
    """Why the group may not be deleted: deleting it would show every reader the items
    limited to it alone."""
    for items, noun in (
        (group.components, "components"),
        (group.incidents, "incidents"),
        (group.maintenances, "maintenances"),
    ):
        if items.exists():
            return f"Some {noun} are limited to this group: give them other groups first."
    return None


@transaction.atomic
def reader_group_delete(*, group: ReaderGroup) -> None:
    """Refused (ReaderGroupInUse) while components, incidents or maintenances are limited to
    the group: deleting it would make them visible to every reader of the page."""
    reason = reader_group_in_use(group)
    if reason:
        raise ReaderGroupInUse(reason)
    page_invalidate_on_commit(group.page_id)
    group.delete()


@transaction.atomic
def audience_groups_set(*, item, group_ids: list[str]) -> None:
    """Limit a component, incident or maintenance to these reader groups of its page (none:
    every reader of the page sees it)."""
    item.audience_groups.set(_groups_of_page(item.page, group_ids))
    page_invalidate_on_commit(item.page_id)


# ---- share links --------------------------------------------------------------------------


def share_link_url(link: ShareLink) -> str:
    token = signing.dumps({"page": link.page_id, "link": link.id}, salt=SHARE_LINK_SALT)
    return f"{link.page.served_url}/share/{token}"


@transaction.atomic
def share_link_create(
    *,
    page: StatusPage,
    expires_at: datetime,
    name: str = "",
    group_ids: list[str] | None = None,
) -> tuple[ShareLink, str]:
    """A link that admits whoever holds it until ``expires_at``; returns it with its URL
    (signed; shown once, though it can be made again from the row while the row exists)."""
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["Give a moment in the future."]})
    groups = _groups_of_page(page, group_ids)
    link = ShareLink.objects.create(page=page, name=name, expires_at=expires_at)
    link.groups.set(groups)
    return link, share_link_url(link)


@transaction.atomic
def share_link_delete(*, link: ShareLink) -> None:
    """Revokes the link: whoever opened it is refused from their next request on."""
    link.delete()


def share_link_for_token(page: StatusPage, token: str) -> ShareLink | None:
    """The live share link of ``page`` this token names; None when tampered with, for
    another page, deleted or expired."""
    try:
        claims = signing.loads(token, salt=SHARE_LINK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or claims.get("page") != page.id:
        return None
    return ShareLink.objects.filter(
        page=page, id=claims.get("link"), expires_at__gt=timezone.now()
    ).first()


# ---- sign-in links ------------------------------------------------------------------------


def _secret_hash(secret: str) -> str:
    return salted_hmac(_SIGN_IN_HASH_SALT, secret, algorithm="sha256").hexdigest()


def reader_sign_in_request(*, page: StatusPage, email: str) -> bool:
    """Email a one-time sign-in link (valid ``SIGN_IN_MINUTES``) if the page is not public
    and admits ``email``; False (nothing sent) otherwise. The caller answers the same either
    way, so the form tells nobody who may read the page."""
    email = email.strip().lower()
    if page.is_public or not email_audiences(page, [email]):
        return False
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        sign_in = ReaderSignIn.objects.create(
            page=page,
            email=email,
            secret_hash=_secret_hash(secret),
            expires_at=timezone.now() + timedelta(minutes=SIGN_IN_MINUTES),
        )
        context = {
            "page": page,
            "link": f"{page.served_url}/sign-in/{sign_in.id}/{secret}",
            "minutes": SIGN_IN_MINUTES,
        }
        subject = f"Sign in to {page.name} status"
        body = render_to_string("statuspages/reader_sign_in_email.txt", context)
        # A mail server failure is logged, not the reader's failure: they may ask again.
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]), robust=True
        )
    return True


def reader_sign_in_for_link(page: StatusPage, sign_in_id: str, secret: str) -> ReaderSignIn | None:
    """The unused, unexpired sign-in of ``page`` this link names; None otherwise."""
    sign_in = ReaderSignIn.objects.filter(
        id=sign_in_id, page=page, used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    expected = sign_in.secret_hash if sign_in else _secret_hash("")
    if not hmac.compare_digest(_secret_hash(secret), expected) or sign_in is None:
        return None
    return sign_in


def reader_sign_in_redeem(*, sign_in: ReaderSignIn) -> bool:
    """Spend the link (once: a second use, or a race, gets False)."""
    claimed = ReaderSignIn.objects.filter(
        id=sign_in.id, used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    return claimed == 1
