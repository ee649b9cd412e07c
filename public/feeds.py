"""``history.rss`` (RSS 2.0) and ``history.atom`` (Atom 1.0): incidents and maintenances,
newest first, each item carrying its updates as escaped HTML.

Built-in words are in the page's default language, or in the one ``?lang=`` names: a feed
reader subscribes to a URL and sends no preferences worth following, so the URL decides."""

from django.utils import feedgenerator, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.languages import language_selected
from public import selectors
from public.http import cached_document, conditional_response
from public.templatetags.public_tags import moment, status_label
from public.views import page_zone

FEED_LIMIT = 50
FEED_CLASSES = {
    "rss": (feedgenerator.Rss201rev2Feed, "application/rss+xml; charset=utf-8"),
    "atom": (feedgenerator.Atom1Feed, "application/atom+xml; charset=utf-8"),
}


def _updates_html(updates, zone) -> str:
    parts = []
    for update in updates:
        with timezone.override(zone):
            when = moment(update.created_at)
        parts.append(
            f"<p><small>{escape(when)}</small><br><strong>{escape(status_label(update.status))}"
            f"</strong> - {escape(update.message).replace(chr(10), '<br>')}</p>"
        )
    return "".join(parts)


def _feed_items(page):
    items = [
        (
            incident.created_at,
            incident.name,
            incident.shortlink,
            incident.updated_at,
            list(incident.updates.all()),
        )
        for incident in selectors.incidents_recent(page, FEED_LIMIT)
    ]
    items += [
        (
            maintenance.created_at,
            maintenance.name,
            maintenance.shortlink,
            maintenance.updated_at,
            list(maintenance.updates.all()),
        )
        for maintenance in selectors.maintenances_recent(page, FEED_LIMIT)
    ]
    items.sort(key=lambda item: item[0], reverse=True)
    return items[:FEED_LIMIT]


def render_feed(page, kind: str, language: str | None = None) -> bytes:
    language = language or page.default_language
    with translation.override(language):
        return _feed(page, kind, language)


def _feed(page, kind: str, language: str) -> bytes:
    feed_class = FEED_CLASSES[kind][0]
    zone = page_zone(page)
    base_url = page.public_url
    feed = feed_class(
        title=_("%(name)s Status - Incident History") % {"name": page.name},
        link=base_url,
        description=_("Incident and maintenance history for %(name)s") % {"name": page.name},
        language=language,
        feed_url=f"{base_url}/history.{kind}",
        feed_guid=f"{base_url}/history.{kind}",
    )
    for created_at, name, link, updated_at, updates in _feed_items(page):
        feed.add_item(
            title=name,
            link=link,
            description=_updates_html(updates, zone),
            unique_id=link,
            unique_id_is_permalink=True,
            pubdate=created_at,
            updateddate=updated_at,
        )
    return feed.writeString("utf-8").encode()


def history_feed_view(request, kind: str, slug: str | None = None):
    language = language_selected(request)
    document = cached_document(
        request,
        slug,
        f"history.{kind}:{language or 'default'}",
        lambda page: render_feed(page, kind, language),
    )
    return conditional_response(request, document, FEED_CLASSES[kind][1])
