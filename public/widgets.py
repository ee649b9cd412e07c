"""What another site embeds: ``{page}/widget.js`` (a floating notice while the page is not
operational) and ``{page}/embed`` (a compact status card that may be framed anywhere).

Both are public documents (``public.http``): cached per route, invalidated on commit, ETag/304,
CORS. Neither goes through the early cache middleware, so every response passes through the
clickjacking middleware, which leaves ``X-Frame-Options`` off the embed alone."""

from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt

from core.languages import language_selected
from public import selectors
from public.badges import INDICATOR_COLOURS
from public.http import cached_document, conditional_response
from public.views import HTML
from statuspages.models import StatusPage

JAVASCRIPT = "text/javascript; charset=utf-8"
# The card may be framed by any site; it loads nothing and runs no script itself.
EMBED_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors *"
)
EMBED_INCIDENTS = 3


def widget_view(request, slug: str | None = None):
    """The same script for every page: it finds its page's documents from its own URL, so a
    path-routed and a host-routed page share it. Served per page so an unknown page is a 404."""
    document = cached_document(
        request, slug, "widget.js", lambda page: render_to_string("public/widget.js").encode()
    )
    return conditional_response(request, document, JAVASCRIPT)


def embed_context(page: StatusPage) -> dict:
    state = selectors.page_state(page)
    indicator = state.status["indicator"]
    return {
        "page": page,
        "state": state,
        "colour": INDICATOR_COLOURS[indicator],
        "incidents": selectors.incidents_unresolved(page)[:EMBED_INCIDENTS],
        "maintenances": selectors.maintenances_active(page)[:EMBED_INCIDENTS],
    }


@xframe_options_exempt
def embed_view(request, slug: str | None = None):
    # The embedding site picks the card's language with ?lang= (else the page's default).
    language = language_selected(request)

    def render(page: StatusPage) -> bytes:
        with translation.override(language or page.default_language):
            return render_to_string("public/embed.html", embed_context(page)).encode()

    # Links are absolute (the page's public address), so the card is the same whichever way
    # the page was addressed.
    document = cached_document(request, slug, f"embed.html:{language or 'default'}", render)
    response = conditional_response(request, document, HTML)
    response["Content-Security-Policy"] = EMBED_POLICY
    return response
