"""Routes of what other sites embed (badges, the floating widget, the framed card), mounted
with the page's other public routes (path- and host-routed)."""

from django.urls import path

from public import badges, widgets

page_patterns = [
    path("badge.svg", badges.page_badge_view, name="public-badge"),
    path(
        "components/<str:component_id>/badge.svg",
        badges.component_badge_view,
        name="public-component-badge",
    ),
    path("widget.js", widgets.widget_view, name="public-widget"),
    path("embed", widgets.embed_view, name="public-embed"),
]
