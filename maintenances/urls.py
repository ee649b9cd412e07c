from django.urls import path

from maintenances import api

urlpatterns = [
    path("status-pages/<str:page_id>/maintenances", api.MaintenanceListView.as_view()),
    path(
        "status-pages/<str:page_id>/maintenances/<str:maintenance_id>",
        api.MaintenanceDetailView.as_view(),
    ),
    path(
        "status-pages/<str:page_id>/maintenances/<str:maintenance_id>/updates",
        api.MaintenanceUpdateListView.as_view(),
    ),
]
