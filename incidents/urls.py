from django.urls import path

from incidents import api

urlpatterns = [
    path("status-pages/<str:page_id>/incidents", api.IncidentListView.as_view()),
    path(
        "status-pages/<str:page_id>/incidents/<str:incident_id>", api.IncidentDetailView.as_view()
    ),
    path(
        "status-pages/<str:page_id>/incidents/<str:incident_id>/updates",
        api.IncidentUpdateListView.as_view(),
    ),
]
