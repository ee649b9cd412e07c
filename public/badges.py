"""Shields-style SVG status badges: ``{page}/badge.svg`` and ``{page}/components/{id}/badge.svg``.

A badge is a public document like the others (``public.http``): cached per route, invalidated on
commit, ETag/304 and CORS. Its text is measured with Verdana's advance widths at 11 px (the
font shields.io badges are drawn in), so the two halves fit their words in any renderer."""

import hashlib
import math
import re
import unicodedata
from xml.sax.saxutils import escape, quoteattr

from django.http import Http404

from public import selectors
from public.http import cached_document, conditional_response
from statuspages.models import ComponentStatus, StatusPage

SVG = "image/svg+xml; charset=utf-8"
LABEL_MAX = 64  # characters shown of a label; longer ones end with an ellipsis
_COMPONENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# XML 1.0 refuses these characters outright; a name containing one must not break the image.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# The status page's own colours (public/templates/public/base.html), darkened where white
# text on them would be hard to read.
INDICATOR_COLOURS = {
    "none": "#1f9d55",
    "minor": "#b7791f",
    "major": "#dd6b20",
    "critical": "#e53e3e",
    "maintenance": "#2b6cb0",
}
INDICATOR_TEXT = {
    "none": "operational",
    "minor": "degraded",
    "major": "partial outage",
    "critical": "major outage",
    "maintenance": "maintenance",
}
STATUS_COLOURS = {
    ComponentStatus.OPERATIONAL: "#1f9d55",
    ComponentStatus.UNDER_MAINTENANCE: "#2b6cb0",
    ComponentStatus.DEGRADED_PERFORMANCE: "#b7791f",
    ComponentStatus.PARTIAL_OUTAGE: "#dd6b20",
    ComponentStatus.MAJOR_OUTAGE: "#e53e3e",
}
LABEL_COLOUR = "#555"

# Verdana's advance widths at 11 px for printable ASCII, " " (32) to "~" (126).
_ASCII_WIDTHS = (
    3.87, 4.33, 5.05, 9.0, 6.99, 11.84, 7.99, 2.95, 5.0, 5.0, 6.99, 9.0, 4.0, 5.0, 4.0, 5.0,
    6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 5.0, 5.0, 9.0, 9.0, 9.0, 6.0,
    11.0, 7.52, 7.54, 7.68, 8.48, 6.96, 6.32, 8.53, 8.27, 4.63, 5.0, 7.62, 6.12, 9.27, 8.23,
    8.66, 6.63, 8.66, 7.65, 7.52, 6.78, 8.05, 7.52, 10.88, 7.54, 6.77, 7.54, 5.0, 5.0, 5.0,
    9.0, 6.99, 6.99, 6.61, 6.85, 5.73, 6.85, 6.55, 3.87, 6.85, 6.96, 3.02, 3.79, 6.51, 3.02,
    10.7, 6.96, 6.68, 6.85, 6.85, 4.69, 5.73, 4.33, 6.96, 6.51, 9.0, 6.51, 6.51, 5.78, 6.98,
    5.0, 6.98, 9.0,
)  # fmt: skip
_WIDE = 11.0  # CJK and other full-width characters: one em
_OTHER = 7.0  # any other character: about an average Verdana letter
_PADDING = 5  # on each side of each half, as shields.io draws them


def _char_width(char: str) -> float:
    if unicodedata.combining(char):
        return 0.0
    base = unicodedata.normalize("NFD", char)[0]  # "é" is as wide as "e"
    if " " <= base <= "~":
        return _ASCII_WIDTHS[ord(base) - 32]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE
    return _OTHER


def text_width(text: str) -> int:
    """The width in pixels of ``text`` in 11 px Verdana, rounded up."""
    return math.ceil(sum(_char_width(char) for char in text))


def badge_text(text: str) -> str:
    """User text as a badge shows it: XML-safe characters, whitespace collapsed, at most
    ``LABEL_MAX`` characters."""
    text = " ".join(_NOT_XML.sub("", text).split())
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1].rstrip() + "…"


def render_badge(label: str, message: str, colour: str) -> bytes:
    """A flat badge: ``label`` on grey, ``message`` on ``colour``. Both are escaped here."""
    label, message = badge_text(label) or "status", badge_text(message)
    label_width = text_width(label) + 2 * _PADDING
    message_width = text_width(message) + 2 * _PADDING
    width = label_width + message_width
    title = f"{label}: {message}"

    def text(value: str, centre: float, length: int) -> str:
        # Drawn at 10x and scaled down, as shields.io does, for sub-pixel placement.
        x, span, body = round(centre * 10), length * 10, escape(value)
        return (
            f'<text aria-hidden="true" x="{x}" y="150" fill="#010101" fill-opacity=".3" '
            f'transform="scale(.1)" textLength="{span}">{body}</text>'
            f'<text x="{x}" y="140" transform="scale(.1)" fill="#fff" '
            f'textLength="{span}">{body}</text>'
        )

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f"aria-label={quoteattr(title)}><title>{escape(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{label_width}" height="20" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{label_width}" width="{message_width}" height="20" fill="{colour}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'text-rendering="geometricPrecision" font-size="110">'
        f"{text(label, label_width / 2, label_width - 2 * _PADDING)}"
        f"{text(message, label_width + message_width / 2, message_width - 2 * _PADDING)}"
        "</g></svg>"
    )
    return svg.encode()


def _label_override(request) -> str | None:
    """``?label=`` replaces the name on the badge; empty or blank means no override."""
    label = badge_text(request.GET.get("label", ""))
    return label or None


def _document_name(base: str, label: str | None) -> str:
    # The label is user input: its cache key is a hash, so any label makes a plain key.
    if label is None:
        return base
    return f"{base}:label={hashlib.sha256(label.encode()).hexdigest()[:32]}"


def page_badge(page: StatusPage, label: str | None = None) -> bytes:
    state = selectors.page_state(page)
    indicator = state.status["indicator"]
    return render_badge(label or page.name, INDICATOR_TEXT[indicator], INDICATOR_COLOURS[indicator])


def component_badge(page: StatusPage, component_id: str, label: str | None = None) -> bytes:
    state = selectors.page_state(page)
    component = state.by_id.get(component_id)
    if component is None:
        raise Http404("No such component.")
    status = state.statuses[component.id]
    return render_badge(label or component.name, status.replace("_", " "), STATUS_COLOURS[status])


def page_badge_view(request, slug: str | None = None):
    label = _label_override(request)
    document = cached_document(
        request, slug, _document_name("badge.svg", label), lambda page: page_badge(page, label)
    )
    return conditional_response(request, document, SVG)


def component_badge_view(request, component_id: str, slug: str | None = None):
    if not _COMPONENT_ID.fullmatch(component_id):  # no id looks otherwise; keeps keys plain
        raise Http404("No such component.")
    label = _label_override(request)
    document = cached_document(
        request,
        slug,
        _document_name(f"badge.svg:{component_id}", label),
        lambda page: component_badge(page, component_id, label),
    )
    return conditional_response(request, document, SVG)
