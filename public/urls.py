"""Public routes of one status page. ``urlpatterns`` mounts them under ``/pages/{slug}/``;
``host_urlpatterns`` is the same list for ``/`` when the Host names the page (config/urls.py
includes it after every other route)."""

from django.urls import include, path, re_path

from public import api, embed_urls, feeds, readers, views
from public.documents import DOCUMENTS
from subscribers import public_urls as subscriber_urls

api_v2_patterns = [
    *[path(name, api.document_view, {"document": name}) for name in DOCUMENTS],
    path("uptime.json", api.uptime_view),
    path("metrics.json", api.metrics_view),
    *subscriber_urls.api_patterns,
    # Anything else under api/v2/ is a JSON 404, whichever way the page was addressed.
    re_path(r"^.*$", api.not_found_view),
]

page_patterns = [
    path("", views.status_page_view, name="public-status-page"),
    path("incidents/<str:incident_id>", views.incident_view, name="public-incident"),
    path("history.rss", feeds.history_feed_view, {"kind": "rss"}, name="public-history-rss"),
    path("history.atom", feeds.history_feed_view, {"kind": "atom"}, name="public-history-atom"),
    path("api/v2/", include(api_v2_patterns)),
    *subscriber_urls.page_patterns,
    *embed_urls.page_patterns,
    # How readers of a non-public page get in (README, "Page visibility").
    path("sign-in", readers.sign_in_view, name="public-reader-sign-in"),
    path(
        "sign-in/<str:sign_in_id>/<str:secret>",
        readers.sign_in_link_view,
        name="public-reader-sign-in-link",
    ),
    path("share/<str:token>", readers.share_link_view, name="public-reader-share-link"),
    path("sign-out", readers.sign_out_view, name="public-reader-sign-out"),
]

# Any slug reaches the views, so an impossible one is the same 404 as an unknown one.
urlpatterns = [path("pages/<str:slug>/", include(page_patterns))]
host_urlpatterns = page_patterns
