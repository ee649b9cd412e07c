from django.urls import path

from monitors import api

urlpatterns = [
    path("status-pages/<str:page_id>/monitors", api.MonitorListView.as_view()),
    path("status-pages/<str:page_id>/monitors/<str:monitor_id>", api.MonitorDetailView.as_view()),
    path(
        "status-pages/<str:page_id>/monitors/<str:monitor_id>/rotate-ping-url",
        api.MonitorRotatePingUrlView.as_view(),
    ),
    path(
        "status-pages/<str:page_id>/monitors/<str:monitor_id>/results",
        api.MonitorResultListView.as_view(),
    ),
]

ping_urlpatterns = [
    path("ping/<str:token>", api.ping_view),
    path("ping/<str:token>/start", api.ping_start_view),
    path("ping/<str:token>/fail", api.ping_fail_view),
]
