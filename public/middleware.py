"""Cached public documents served before the rest of the stack.

A status page is read hardest while something is broken, and almost every such read asks for
a document that has not changed. This middleware sits right after the request checks
(settings.MIDDLEWARE): for ``GET`` of a page's JSON documents or human page (path- or
host-routed) it names the route and document from the path alone (and, for the human page, the
language the request asks for: core.languages), asks the cache once, and
on a current document answers at once (200 or 304), skipping sessions, CSRF, authentication,
URL resolution and the view. Anything else, a miss included, goes on down the stack as before,
and the view builds the document without asking the cache a second time. The response is the
one the view gives (a test compares them header by header)."""

import re

from django.conf import settings

from public.api import JSON
from public.documents import DOCUMENTS
from public.http import cached_lookup, conditional_response
from public.views import HTML, human_document_name, human_response, page_base
from statuspages.routing import page_route

_DOCUMENT = "|".join(re.escape(name) for name in DOCUMENTS)
_PATH = re.compile(rf"(?:/pages/(?P<slug>[^/]+))?/(?:api/v2/(?P<document>{_DOCUMENT}))?")


def _target(request) -> tuple[str, str, str] | None:
    """(route, document name, content type) of a cacheable public read, without a query."""
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return None
    match = _PATH.fullmatch(request.path_info)
    if match is None:
        return None
    slug, document = match.group("slug"), match.group("document")
    route = page_route(request, slug)
    if route is None:
        return None
    if document:
        return route, document, JSON
    return route, human_document_name(f"index.html:{page_base(slug)}", request), HTML


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = _target(request)
        if target is not None:
            route, name, content_type = target
            document = cached_lookup(request, route, name)
            if document is not None:
                if content_type == HTML:
                    response = human_response(request, document)
                else:
                    response = conditional_response(request, document, content_type)
                # What the middleware below would add to the view's response.
                response["Content-Length"] = str(len(response.content))
                response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
                return response
        return self.get_response(request)
