"""What of an event each subscriber of a non-public page may read, checked again at send
time (README, "Page visibility"): a subscriber whose address the page no longer admits is
skipped, and on an audience page a message leaves out the components their groups may not see.
"""

from collections import defaultdict

from notifications.models import NotificationEvent
from statuspages.access import email_audiences
from statuspages.models import Component
from subscribers.models import Channel, Subscriber

NOT_ADMITTED = "The page does not admit this subscriber."


def reader_views(
    pairs: list[tuple[NotificationEvent, Subscriber]],
) -> dict[tuple[str, str], frozenset[str] | None]:
    """For each (event, subscriber) of a non-public page: the ids of the event's components
    the subscriber may not see, or None when the page does not admit them at all. Pairs of
    public pages are absent. No query for public pages; a fixed number per non-public page in
    the batch. The events come with their ``page``."""
    pages = {event.page_id: event.page for event, _ in pairs if not event.page.is_public}
    if not pages:
        return {}
    emails: dict[str, set[str]] = defaultdict(set)
    component_ids: set[str] = set()
    for event, subscriber in pairs:
        if event.page_id in pages:
            emails[event.page_id].add(subscriber.email)
            component_ids.update(change.id for change in event.published.components)
    audiences = {
        page_id: email_audiences(pages[page_id], addresses) for page_id, addresses in emails.items()
    }
    groups: dict[str, set[str]] = defaultdict(set)
    links = Component.audience_groups.through.objects.filter(component_id__in=component_ids)
    for component_id, group_id in links.values_list("component_id", "readergroup_id"):
        groups[component_id].add(group_id)
    views = {}
    for event, subscriber in pairs:
        if event.page_id not in pages:
            continue
        audience = audiences[event.page_id].get(subscriber.email.lower())
        if subscriber.channel != Channel.EMAIL or audience is None:
            views[(event.id, subscriber.id)] = None
            continue
        views[(event.id, subscriber.id)] = frozenset(
            change.id
            for change in event.published.components
            if not audience.sees(groups[change.id])
        )
    return views
