"""Polling upstream pages and mirroring them on components (README, "Show a vendor's status").

- **Claiming** (``upstreams_claim``): a poll of a URL is claimed under its row's lock by moving
  ``next_poll_at`` a minute on, so each distinct URL is fetched at most once a minute whoever
  asks (beat's round, a component that starts mirroring it, the "pick from this page" helper),
  the first poll included.
- **Fetching** (``upstreams.reading``): the claimed URLs at once on the process's event loop,
  with ``If-None-Match``, a deadline (``UPSTREAM_TIMEOUT_SECONDS``) and the outbound rules.
- **Recording** (``upstream_poll_record``): a good answer (200, or 304: the reading stands)
  becomes the row's reading; a failure keeps the last reading, says why, and puts the next poll
  off: one minute, then 2, 4, ... up to 30 (or the page's ``Retry-After``, up to an hour).
- **Mirroring** (``upstream_components_reconcile``): every component of the URL is brought to
  what the reading says. A change of status is a status change like any other (uptime, the
  public documents, a ``component_updated`` event when the page's ``notify_on_upstream`` is on),
  in the activity log with the system actor ``upstream``; the time of the reading alone is
  bookkeeping.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.actors import Actor
from audit.context import acting, current
from audit.models import ActorType
from audit.recording import record_many
from channels import outbound
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import Component, ComponentStatus
from statuspages.publishing import ComponentChange, component_change_publish, status_changes_report
from statuspages.status import effective_statuses
from statuspages.upstreams import (
    INDICATOR_STATUSES,
    UpstreamComponent,
    UpstreamPage,
    UpstreamUnavailable,
)
from upstreams.models import Upstream
from upstreams.reading import Fetched, fetch_many

POLL_INTERVAL = timedelta(minutes=1)
BACKOFF_CAP = timedelta(minutes=30)
RETRY_AFTER_CAP = timedelta(hours=1)
# A page no component mirrors any more (or only the helper read) is forgotten after this.
KEPT_UNUSED = timedelta(hours=1)
ERROR_MAX_LENGTH = 1000
CHUNK = 500  # components written per statement


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upstream_actor(url: str) -> Actor:
    """Who changes components in the activity log: the system, as the upstream's poller."""
    return Actor(type=ActorType.SYSTEM, id="upstream", name=f"Upstream {url}"[:255])


# ---- which pages, and when ------------------------------------------------------------------


def _mirrored():
    return Component.objects.filter(upstream_url=OuterRef("url"))


def upstreams_ensure(urls: Iterable[str]) -> None:
    """A row for each of ``urls`` (one INSERT of those missing, or none)."""
    urls = set(urls)
    missing = urls - set(Upstream.objects.filter(url__in=urls).values_list("url", flat=True))
    if missing:
        Upstream.objects.bulk_create(
            [Upstream(url=url) for url in sorted(missing)], ignore_conflicts=True
        )


def upstream_urls_due(*, now: datetime | None = None) -> list[str]:
    """The mirrored URLs whose next poll is due (beat's round), after making rows for new ones."""
    upstreams_ensure(
        Component.objects.exclude(upstream_url="")
        .exclude(upstream_url__in=Upstream.objects.values("url"))
        .values_list("upstream_url", flat=True)
        .distinct()
    )
    now = now or timezone.now()
    due = Upstream.objects.filter(Exists(_mirrored()), next_poll_at__lte=now)
    return list(due.order_by("next_poll_at", "url").values_list("url", flat=True))


def upstreams_claim(urls: Iterable[str], *, now: datetime) -> list[Upstream]:
    """The rows of ``urls`` that are due, claimed: their next poll is a minute from ``now``,
    so whoever claims a URL is the only one to fetch it this minute."""
    with transaction.atomic():
        due = list(
            Upstream.objects.select_for_update(skip_locked=True).filter(
                url__in=list(urls), next_poll_at__lte=now
            )
        )
        if due:
            Upstream.objects.filter(id__in=[row.id for row in due]).update(
                polled_at=now, next_poll_at=now + POLL_INTERVAL
            )
    return due


def _delay_after_failures(failures: int, retry_after: float | None) -> timedelta:
    delay = min(POLL_INTERVAL * 2 ** max(0, failures - 1), BACKOFF_CAP)
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), RETRY_AFTER_CAP))
    return delay


def upstream_poll_record(*, upstream: Upstream, fetched: Fetched, at: datetime) -> None:
    """What one poll brought, on the row claimed at ``upstream.polled_at``."""
    with transaction.atomic():
        row = Upstream.objects.select_for_update().filter(id=upstream.id).first()
        if row is None:
            return
        if fetched.error:
            row.failures += 1
            row.error = fetched.error[:ERROR_MAX_LENGTH]
            claimed_at = row.polled_at or at
            row.next_poll_at = claimed_at + _delay_after_failures(row.failures, fetched.retry_after)
        elif fetched.not_modified and row.read_at is None:
            row.failures += 1
            row.error = "The page answered 304 Not Modified to a first request."
        else:
            row.failures = 0
            row.error = ""
            row.read_at = at
            if fetched.summary is not None:
                row.name = fetched.summary.name
                row.indicator = fetched.summary.indicator
                row.components = fetched.summary.components
                row.etag = fetched.etag
        row.save()


# ---- mirroring ------------------------------------------------------------------------------


def _target(upstream: Upstream | None, component_id: str, status, checked_at) -> tuple:
    """``(upstream_status, upstream_error, upstream_checked_at)`` a component mirroring
    ``component_id`` of ``upstream`` should have; a status that cannot be read keeps the last."""
    error = upstream.error if upstream is not None else ""
    if upstream is None or upstream.read_at is None:
        return status, error, checked_at
    if not component_id:
        return INDICATOR_STATUSES[upstream.indicator], error, upstream.read_at
    found = next((c for c in upstream.components if c["id"] == component_id), None)
    if found is None:
        return status, f"The upstream page lists no component {component_id!r}.", checked_at
    if found["status"] not in ComponentStatus.values:
        message = f"The upstream component's status {found['status']!r} is not one of Statuspage's."
        return status, message, checked_at
    return found["status"], error, upstream.read_at


def upstream_components_reconcile(*, url: str) -> int:
    """Brings every component mirroring ``url`` to what its upstream's row says; returns how
    many changed status. Idempotent: run again, it changes nothing."""
    upstream = Upstream.objects.filter(url=url).first()
    rows = Component.objects.filter(upstream_url=url).values_list(
        "id", "upstream_component_id", "upstream_status", "upstream_error", "upstream_checked_at"
    )
    changed, read = [], []
    for component_id, mirrored, status, error, checked_at in rows:
        target = _target(upstream, mirrored, status, checked_at)
        if target[:2] != (status, error):
            changed.append(component_id)
        elif target[2] != checked_at:
            read.append(component_id)
    if upstream is not None and upstream.read_at is not None:
        _checked_mark(read, url=url, at=upstream.read_at)
    moved = 0
    for ids in _chunks(changed):
        moved += _components_mirror(ids, url=url)
    return moved


def _checked_mark(ids: list[str], *, url: str, at: datetime) -> None:
    """Bookkeeping (no event): when the reading these components show was made. A row another
    writer holds is skipped rather than waited for; the next poll marks it."""
    for chunk in _chunks(ids):
        with transaction.atomic():
            free = Component.objects.select_for_update(skip_locked=True).filter(
                id__in=chunk, upstream_url=url
            )
            Component.objects.filter(id__in=free.values("id")).update(upstream_checked_at=at)


def _components_mirror(ids: list[str], *, url: str) -> int:
    """Under the rows' locks (in id order), the new upstream status and error of these
    components, and what the status changes do: uptime, public documents, notifications."""
    now = timezone.now()
    actor = upstream_actor(url)
    context = current()
    with (
        transaction.atomic(),
        acting(actor=actor, request_id=context.request_id, client_ip=context.client_ip),
    ):
        components = list(
            Component.objects.select_for_update()
            .filter(id__in=ids, upstream_url=url)
            .select_related("page")
            .order_by("id")
        )
        # Read once the rows are held: a reconcile that held them first, with a newer reading,
        # has committed by now, and this one does not put the older reading back.
        upstream = Upstream.objects.filter(url=url).first()
        before = effective_statuses(components)
        events, moved_ids = [], set()
        for component in components:
            status, error, checked_at = _target(
                upstream,
                component.upstream_component_id,
                component.upstream_status,
                component.upstream_checked_at,
            )
            changes = {}
            if status != component.upstream_status:
                changes["upstream_status"] = [component.upstream_status, status]
                component.updated_at = now
                moved_ids.add(component.id)
            if error != component.upstream_error:
                changes["upstream_error"] = [component.upstream_error, error]
            component.upstream_status = status
            component.upstream_error = error
            component.upstream_checked_at = checked_at
            if changes:
                events.append((component, changes))
        Component.objects.bulk_update(
            components,
            ["upstream_status", "upstream_error", "upstream_checked_at", "updated_at"],
        )
        record_many(
            (
                actor,
                {
                    "organization_id": component.page.organization_id,
                    "page_id": component.page_id,
                    "action": "component.updated",
                    "object_type": "component",
                    "object_id": component.id,
                    "changes": changes,
                },
            )
            for component, changes in events
        )
        moved = [c for c in components if c.id in moved_ids]
        _status_changes_tell(moved, before, at=now)
    return len(moved)


def _status_changes_tell(components: list[Component], before: dict, *, at: datetime) -> None:
    """What the new upstream statuses did to the components' effective statuses: uptime always;
    subscribers (a ``component_updated`` event each) only on pages with ``notify_on_upstream``."""
    after = effective_statuses(components)
    by_page: dict[str, list[Component]] = defaultdict(list)
    for component in components:
        by_page[component.page_id].append(component)
    for page_id, on_page in by_page.items():
        page = on_page[0].page
        if page.notify_on_upstream:
            for component in on_page:
                component_change_publish(
                    component=component,
                    old_status=before[component.id],
                    publish_key=f"upstream:{component.id}:{at.isoformat()}:{after[component.id]}",
                )
        else:
            status_changes_report(
                page_id,
                [
                    ComponentChange(c.id, c.name, old_status=before[c.id], new_status=after[c.id])
                    for c in on_page
                ],
            )
        page_invalidate_on_commit(page_id)


# ---- polling --------------------------------------------------------------------------------


def upstreams_poll(urls: Iterable[str]) -> int:
    """Polls those of ``urls`` that are due (claimed here), all at once on the process's event
    loop, records what each brought, then brings every component of ``urls`` to its reading
    (one polled a moment ago by someone else included). Returns how many were fetched."""
    urls = sorted(set(urls))
    upstreams_ensure(urls)
    claimed = upstreams_claim(urls, now=timezone.now())
    fetched = outbound.run(
        fetch_many(
            [(row.url, row.etag if row.read_at else "") for row in claimed],
            timeout=settings.UPSTREAM_TIMEOUT_SECONDS,
        )
    )
    at = timezone.now()
    for row, outcome in zip(claimed, fetched, strict=True):
        upstream_poll_record(upstream=row, fetched=outcome, at=at)
    for url in urls:
        upstream_components_reconcile(url=url)
    return len(claimed)


def upstreams_purge(*, now: datetime | None = None) -> int:
    """Rows no component mirrors, not polled for ``KEPT_UNUSED`` (the helper's, those given
    up), go."""
    cutoff = (now or timezone.now()) - KEPT_UNUSED
    unused = Upstream.objects.filter(~Exists(_mirrored()), created_at__lt=cutoff)
    stale = unused.filter(polled_at__isnull=True) | unused.filter(polled_at__lt=cutoff)
    return stale.delete()[0]


# ---- the "pick from this page" helper -------------------------------------------------------


def upstream_page(upstream: Upstream) -> UpstreamPage:
    """The row's last good reading as ``statuspages.upstreams`` shows it."""
    names = {c["id"]: c["name"] for c in upstream.components if c.get("group")}
    return UpstreamPage(
        url=upstream.url,
        name=upstream.name,
        indicator=upstream.indicator,
        components=tuple(
            UpstreamComponent(
                id=c["id"],
                name=c["name"],
                status=c["status"],
                group=c["group"],
                group_id=c["group_id"],
                group_name=names.get(c["group_id"]) if c["group_id"] else None,
            )
            for c in upstream.components
        ),
        read_at=upstream.read_at,
        error=upstream.error,
    )


def upstream_page_read(url: str) -> UpstreamPage:
    """The page at ``url`` (checked by the caller), polled now unless it was within the minute;
    UpstreamUnavailable when it has never been read."""
    upstreams_poll([url])
    upstream = Upstream.objects.filter(url=url).first()
    if upstream is None or upstream.read_at is None:
        reason = upstream.error if upstream is not None else ""
        raise UpstreamUnavailable(
            f"Could not read {url}/api/v2/summary.json: {reason}"
            if reason
            else "The page is being read right now; ask again in a few seconds."
        )
    return upstream_page(upstream)
