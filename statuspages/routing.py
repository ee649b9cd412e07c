"""Which status page a public request is for: by path slug, by ``{slug}.PUBLIC_BASE_DOMAIN``,
or by a page's ``custom_domain``."""

import re

from django.conf import settings
from django.http import Http404

from statuspages.access import request_audience
from statuspages.models import StatusPage

_SLUG = re.compile(r"[a-z0-9-]{1,64}")
_DOMAIN = re.compile(r"[a-z0-9._-]{1,253}")


def request_host(request) -> str:
    """The Host header without port, lower-cased (no ALLOWED_HOSTS check: pages are dynamic)."""
    host = request.META.get("HTTP_HOST", "") or request.META.get("SERVER_NAME", "")
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0].lstrip("[").lower()
    return host.rsplit(":", 1)[0].lower() if ":" in host else host.lower()


def slug_from_host(host: str) -> str | None:
    base = settings.PUBLIC_BASE_DOMAIN.lower()
    if host.endswith("." + base):
        label = host[: -len(base) - 1]
        if label and "." not in label:
            return label
    return None


def page_route(request, slug: str | None = None) -> str | None:
    """How the request names its page (a ``statuspages.cache`` route), without a query; None
    when nothing it names could be a page."""
    if slug is not None:
        return f"slug:{slug}" if _SLUG.fullmatch(slug) else None
    host = request_host(request)
    host_slug = slug_from_host(host)
    if host_slug is not None:
        return f"slug:{host_slug}" if _SLUG.fullmatch(host_slug) else None
    return f"domain:{host}" if _DOMAIN.fullmatch(host) else None


def resolve_page(request, slug: str | None = None) -> StatusPage:
    """The page this request addresses and may read; Http404 if none, or if the page is not
    public and does not admit this reader (the same 404: README, "Page visibility"). The page
    carries what the reader may see (``statuspages.access.page_audience``)."""
    if getattr(request, "status_page", None) is not None:
        return request.status_page
    page = find_page(request, slug)
    audience = request_audience(request, page)
    if audience is None:
        raise Http404("No status page here.")
    page.reader_audience = audience
    request.status_page = page
    return page


def find_page(request, slug: str | None = None) -> StatusPage:
    """The page this request addresses, whoever may read it; Http404 if none."""
    pages = StatusPage.objects.select_related("organization")
    if slug is not None:
        # Anything that cannot be a slug ("?", NUL, unicode, 3000 characters) is no page.
        page = pages.filter(slug=slug).first() if _SLUG.fullmatch(slug) else None
    else:
        host = request_host(request)
        host_slug = slug_from_host(host)
        if host_slug is not None:
            page = pages.filter(slug=host_slug).first()
        else:
            page = pages.filter(custom_domain=host).first() if host else None
    if page is None:
        raise Http404("No status page here.")
    return page
