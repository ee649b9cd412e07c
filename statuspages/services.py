"""Every write to pages, groups and components. One transaction each; cache bumps on commit."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from core.languages import Language
from core.validation import UNSET, choice_checked, flag_checked, name_checked, refused, text_checked
from core.validators import SLUG_VALIDATOR, validate_hostname, validate_time_zone, validate_url
from statuspages.access import email_domains
from statuspages.cache import page_invalidate_on_commit, page_routes
from statuspages.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    StatusPage,
    Visibility,
)
from statuspages.publishing import ComponentChange, component_change_publish, status_changes_report
from statuspages.readers import audience_groups_set
from statuspages.selectors import page_components_checked
from statuspages.status import effective_statuses
from statuspages.upstreams import upstream_checked, upstream_watch_on_commit

# Checks that say why a component may not be deleted (e.g. "used by an unresolved incident").
ComponentUsageCheck = Callable[[Component], str | None]
_component_usage_checks: list[ComponentUsageCheck] = []


class ComponentInUse(Exception):
    pass


def register_component_usage_check(check: ComponentUsageCheck) -> None:
    if check not in _component_usage_checks:
        _component_usage_checks.append(check)


PAGE_FIELDS = {
    "name",
    "slug",
    "url_override",
    "time_zone",
    "default_language",
    "custom_domain",
    "visibility",
    "reader_domains",
    "notify_on_upstream",
}
GROUP_FIELDS = {"name", "description", "position"}
COMPONENT_FIELDS = {
    "name",
    "description",
    "group",
    "position",
    "manual_status",
    "only_show_if_degraded",
    "showcase",
    "start_date",
}


def validate_custom_domain(custom_domain: str | None) -> None:
    if not custom_domain:
        return
    base = settings.PUBLIC_BASE_DOMAIN.lower()
    if custom_domain == base or custom_domain.endswith("." + base):
        raise ValidationError(
            {"custom_domain": [f"Pages under {base} are served by slug; use your own domain."]}
        )


def _field_checked(field: str, check, value):
    """``check(value)`` with its refusal under ``field``."""
    try:
        return check(value)
    except ValidationError as refusal:
        raise ValidationError({field: refusal.messages}) from refusal


def _custom_domain_checked(custom_domain) -> str | None:
    """Compared and stored lower-case, without surrounding spaces; empty: none."""
    domain = text_checked(custom_domain, field="custom_domain", max_length=253).lower()
    if not domain:
        return None
    return _field_checked("custom_domain", validate_hostname, domain)


MAX_READER_DOMAINS = 100


def _email_domains_checked(domains) -> list[str]:
    if domains is None:
        return []
    if isinstance(domains, str) or not isinstance(domains, list | tuple):
        raise refused("reader_domains", "A list of email domains.")
    if len(domains) > MAX_READER_DOMAINS:
        raise refused("reader_domains", f"At most {MAX_READER_DOMAINS} domains.")
    checked = []
    for domain in email_domains(
        [text_checked(d, field="reader_domains", max_length=253) for d in domains]
    ):
        checked.append(_field_checked("reader_domains", validate_hostname, domain))
    return checked


def _slug_checked(value) -> str:
    slug = text_checked(value, field="slug", max_length=64, required=True)
    _field_checked("slug", SLUG_VALIDATOR, slug)
    return slug


def _time_zone_checked(value) -> str:
    time_zone = text_checked(value, field="time_zone", max_length=64, required=True)
    return _field_checked("time_zone", validate_time_zone, time_zone)


def _url_checked(value) -> str:
    url = text_checked(value, field="url_override", max_length=2048)
    return _field_checked("url_override", validate_url, url) if url else ""


# What each page field must be; each returns the value as stored.
_PAGE_CHECKS = {
    "name": name_checked,
    "slug": _slug_checked,
    "time_zone": _time_zone_checked,
    "default_language": lambda value: choice_checked(
        value, field="default_language", choices=Language.values, what="a language"
    ),
    "custom_domain": _custom_domain_checked,
    "url_override": _url_checked,
    "visibility": lambda value: choice_checked(
        value, field="visibility", choices=Visibility.values, what="a visibility"
    ),
    "reader_domains": _email_domains_checked,
    "notify_on_upstream": lambda value: flag_checked(value, field="notify_on_upstream"),
}


def _page_values_checked(values: dict) -> dict:
    """Each value normalised (time zone, host names and domains lower-case, URL) or refused;
    the refusals of every field at once."""
    checked, errors = {}, {}
    for name, value in values.items():
        try:
            checked[name] = _PAGE_CHECKS[name](value)
        except ValidationError as refusal:
            errors.update(refusal.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked


def _save_page(page: StatusPage) -> StatusPage:
    validate_custom_domain(page.custom_domain)
    taken = StatusPage.objects.exclude(id=page.id)
    if taken.filter(slug=page.slug).exists():
        raise ValidationError({"slug": ["This slug is already taken."]})
    if page.custom_domain and taken.filter(custom_domain=page.custom_domain).exists():
        raise ValidationError({"custom_domain": ["This domain is already used by another page."]})
    # A renamed page (or one moved off its domain) must stop answering at its old address.
    previous = StatusPage.objects.filter(id=page.id).values_list("slug", "custom_domain").first()
    try:
        with transaction.atomic():
            page.save()
    except IntegrityError as exc:  # lost a race with a concurrent create
        raise ValidationError({"slug": ["This slug or domain is already taken."]}) from exc
    page_invalidate_on_commit(page.id, routes=page_routes(*previous) if previous else ())
    return page


@transaction.atomic
def status_page_create(
    *,
    organization,
    name: str,
    slug: str,
    time_zone: str = "UTC",
    default_language: str = Language.ENGLISH,
    custom_domain: str | None = None,
    url_override: str = "",
    visibility: str = Visibility.PUBLIC,
    reader_domains: list[str] | None = None,
    notify_on_upstream: bool = False,
) -> StatusPage:
    values = _page_values_checked(
        {
            "name": name,
            "slug": slug,
            "time_zone": time_zone,
            "default_language": default_language,
            "custom_domain": custom_domain,
            "url_override": url_override,
            "visibility": visibility,
            "reader_domains": reader_domains,
            "notify_on_upstream": notify_on_upstream,
        }
    )
    return _save_page(StatusPage(organization=organization, **values))


@transaction.atomic
def status_page_update(*, page: StatusPage, **changes) -> StatusPage:
    unknown = set(changes) - PAGE_FIELDS
    if unknown:
        raise TypeError(f"status_page_update got unknown fields: {sorted(unknown)}")
    for name, value in _page_values_checked(changes).items():
        setattr(page, name, value)
    return _save_page(page)


@transaction.atomic
def status_page_delete(*, page: StatusPage) -> None:
    page.delete()  # statuspages.cache.page_deleted invalidates its public documents


def _next_position(queryset) -> int:
    current = queryset.aggregate(top=Max("position"))["top"]
    return 0 if current is None else current + 1


DESCRIPTION_MAX_LENGTH = 1000


def _description_checked(description) -> str:
    return text_checked(description, field="description", max_length=DESCRIPTION_MAX_LENGTH)


def _component_status_checked(status) -> str:
    return choice_checked(
        status, field="manual_status", choices=ComponentStatus.values, what="a component status"
    )


def _check_group(page: StatusPage, group: ComponentGroup | None) -> None:
    if group is not None and group.page_id != page.id:
        raise ValidationError({"group_id": ["This group belongs to another page."]})


@transaction.atomic
def component_group_create(
    *,
    page: StatusPage,
    name: str,
    description: str = "",
    position: int | None = None,
    component_ids: list[str] | None = None,
) -> ComponentGroup:
    name = name_checked(name)
    description = _description_checked(description)
    if position is None:
        position = _next_position(ComponentGroup.objects.filter(page=page))
    group = ComponentGroup.objects.create(
        page=page, name=name, description=description, position=position
    )
    if component_ids is not None:
        _group_set_components(group, component_ids)
    page_invalidate_on_commit(page.id)
    return group


@transaction.atomic
def component_group_update(
    *, group: ComponentGroup, component_ids: list[str] | None = None, **changes
) -> ComponentGroup:
    unknown = set(changes) - GROUP_FIELDS
    if unknown:
        raise TypeError(f"component_group_update got unknown fields: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = name_checked(changes["name"])
    if "description" in changes:
        changes["description"] = _description_checked(changes["description"])
    for name, value in changes.items():
        setattr(group, name, value)
    group.save()
    if component_ids is not None:
        _group_set_components(group, component_ids)
    page_invalidate_on_commit(group.page_id)
    return group


def _group_set_components(group: ComponentGroup, component_ids: list[str]) -> None:
    """The group holds exactly these components, in this order; others leave it."""
    if len(set(component_ids)) != len(component_ids):
        raise ValidationError({"component_ids": ["Each component may be listed once."]})
    found = page_components_checked(group.page_id, component_ids, lock=True)
    Component.objects.filter(group=group).exclude(id__in=component_ids).update(group=None)
    for position, component_id in enumerate(component_ids):
        component = found[component_id]
        component.group = group
        component.position = position
    Component.objects.bulk_update(found.values(), ["group", "position"])


@transaction.atomic
def component_group_delete(*, group: ComponentGroup) -> None:
    """Its components stay on the page, ungrouped."""
    page_invalidate_on_commit(group.page_id)
    group.delete()


@transaction.atomic
def component_create(
    *,
    page: StatusPage,
    name: str,
    description: str = "",
    group: ComponentGroup | None = None,
    position: int | None = None,
    manual_status: str = "operational",
    only_show_if_degraded: bool = False,
    showcase: bool = True,
    start_date=None,
    audience_group_ids: list[str] | None = None,
    upstream: dict | None = None,
) -> Component:
    """``upstream``: null, or ``{"url", "component_id"}`` (statuspages.upstreams): the
    component mirrors that Statuspage-v2 page's component (its indicator when null)."""
    name = name_checked(name)
    description = _description_checked(description)
    manual_status = _component_status_checked(manual_status)
    mirrored = upstream_checked(upstream)
    _check_group(page, group)
    if position is None:
        position = _next_position(Component.objects.filter(page=page, group=group))
    component = Component.objects.create(
        page=page,
        name=name,
        description=description,
        group=group,
        position=position,
        manual_status=manual_status,
        only_show_if_degraded=only_show_if_degraded,
        showcase=showcase,
        start_date=start_date,
        upstream_url=mirrored[0] if mirrored else "",
        upstream_component_id=mirrored[1] if mirrored else "",
    )
    if audience_group_ids:
        audience_groups_set(item=component, group_ids=audience_group_ids)
    if mirrored:
        upstream_watch_on_commit(component.upstream_url)
    # A component born out of order starts its uptime history with that status.
    status_changes_report(
        page.id,
        [
            ComponentChange(
                id=component.id,
                name=component.name,
                old_status=ComponentStatus.OPERATIONAL,
                new_status=manual_status,
            )
        ],
    )
    page_invalidate_on_commit(page.id)
    return component


@transaction.atomic
def component_update(
    *,
    component: Component,
    audience_group_ids: list[str] | None = None,
    notify_subscribers: bool = True,
    upstream=UNSET,
    **changes,
) -> Component:
    """Changes the fields given. ``upstream`` (null or ``{"url", "component_id"}``): a new
    upstream starts from no status until its first reading; null stops the mirroring and takes
    the upstream's status back. Subscribers hear of a manual status change, and of what a
    change of upstream did only when the page's ``notify_on_upstream`` is on;
    ``notify_subscribers`` False (an import): nobody hears of either."""
    unknown = set(changes) - COMPONENT_FIELDS
    if unknown:
        raise TypeError(f"component_update got unknown fields: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = name_checked(changes["name"])
    if "description" in changes:
        changes["description"] = _description_checked(changes["description"])
    if "manual_status" in changes:
        changes["manual_status"] = _component_status_checked(changes["manual_status"])
    if "group" in changes:
        _check_group(component.page, changes["group"])
    if upstream is not UNSET:
        changes.update(_upstream_changes(component, upstream_checked(upstream)))
    old_status = None
    if {"manual_status", "upstream_status"} & set(changes):
        old_status = effective_statuses([component])[component.id]
    for name, value in changes.items():
        setattr(component, name, value)
    # Only what changed: the poller writes the upstream fields of this row meanwhile.
    component.save(update_fields=[*changes, "updated_at"])
    if old_status is not None:
        page = component.page
        # Webhook subscribers hear about manual status changes (a component_updated event);
        # any change is reported (uptime).
        component_change_publish(
            component=component,
            old_status=old_status,
            notify_subscribers=notify_subscribers
            and ("manual_status" in changes or page.notify_on_upstream),
        )
    if changes.get("upstream_url"):
        upstream_watch_on_commit(changes["upstream_url"])
    if audience_group_ids is not None:
        audience_groups_set(item=component, group_ids=audience_group_ids)
    page_invalidate_on_commit(component.page_id)
    return component


def _upstream_changes(component: Component, mirrored: tuple[str, str] | None) -> dict:
    """The fields a new ``upstream`` changes: none when it names the same page and component;
    otherwise what was read from the old one goes (under the row's lock, so a poll of the old
    one committing meanwhile cannot write it back)."""
    current = (
        Component.objects.select_for_update()
        .filter(id=component.id)
        .values_list("upstream_url", "upstream_component_id", "upstream_status")
        .first()
    )
    if current is None:
        return {}
    url, component_id, status = current
    component.upstream_status = status  # the status the change starts from
    if mirrored == ((url, component_id) if url else None):
        return {}
    new_url, new_component_id = mirrored or ("", "")
    return {
        "upstream_url": new_url,
        "upstream_component_id": new_component_id,
        "upstream_status": "",
        "upstream_checked_at": None,
        "upstream_error": "",
    }


@transaction.atomic
def component_delete(*, component: Component) -> None:
    """Refused while an unresolved incident or an active maintenance uses the component."""
    for check in _component_usage_checks:
        reason = check(component)
        if reason:
            raise ComponentInUse(reason)
    page_invalidate_on_commit(component.page_id)
    component.delete()
