from django.urls import path

from integrations import api

urlpatterns = [
    path("status-pages/<str:page_id>/integrations", api.IntegrationListView.as_view()),
    path(
        "status-pages/<str:page_id>/integrations/<str:integration_id>",
        api.IntegrationDetailView.as_view(),
    ),
    path(
        "status-pages/<str:page_id>/integrations/<str:integration_id>/rotate-token",
        api.IntegrationRotateTokenView.as_view(),
    ),
    path(
        "status-pages/<str:page_id>/integrations/<str:integration_id>/events",
        api.IntegrationEventListView.as_view(),
    ),
]

inbound_urlpatterns = [path("integrations/<str:token>", api.InboundView.as_view())]
