"""Public (unauthenticated) subscriber routes, included by public/urls.py.

``api_patterns`` sit under each page's ``api/v2/``; ``page_patterns`` under the page root
(``/pages/{slug}/`` or ``/`` by host). Views take ``slug=None`` and find the page with
``public.routing.resolve_page(request, slug)``.
"""

api_patterns: list = []
page_patterns: list = []
