from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularJSONAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from accounts.api import MeView
from core import views as core_views
from core.prometheus import metrics_view
from integrations.urls import inbound_urlpatterns
from monitors.urls import ping_urlpatterns
from public import urls as public_urls

api_v1 = [
    path("me", MeView.as_view()),
    path("", include("accounts.urls")),
    path("", include("statuspages.urls")),
    path("", include("incidents.urls")),
    path("", include("maintenances.urls")),
    path("", include("subscribers.urls")),
    path("", include("notifications.urls")),
    path("", include("uptime.urls")),
    path("", include("metrics.urls")),
    path("", include("integrations.urls")),
    path("", include("monitors.urls")),
    path("", include("pagetemplates.urls")),
    path("", include("audit.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
]

urlpatterns = [
    path("healthz", core_views.healthz),
    path("readyz", core_views.readyz),
    path("metrics", metrics_view),
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="openapi-schema"), name="redoc"),
    path("admin/", admin.site.urls),
    # Statuspage's management API v1, for scripts written against it (README).
    path("v1/", include("dialects.statuspage_v1.urls")),
    # incident.io's Status Pages V2 API, for its SDK and scripts (README).
    path("incident-io/", include("dialects.incident_io.urls")),
    # Instatus's API, for clients written against https://api.instatus.com (README).
    path("instatus/", include("dialects.instatus.urls")),
    path("subscriptions/", include("subscribers.link_urls")),
    path("", include(inbound_urlpatterns)),
    # Heartbeat monitors' ping URLs (no API key: the token is the credential).
    path("", include(ping_urlpatterns)),
    path("", include("accounts.link_urls")),
    path("", include(public_urls.urlpatterns)),
    # Host-routed pages ({slug}.PUBLIC_BASE_DOMAIN or a custom domain) last: they claim "/".
    path("", include(public_urls.host_urlpatterns)),
]
