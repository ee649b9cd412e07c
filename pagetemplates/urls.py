from django.urls import path

from pagetemplates import api

_PAGE = "status-pages/<str:page_id>"

urlpatterns = [
    path(f"{_PAGE}/incident-templates", api.IncidentTemplateListView.as_view()),
    path(
        f"{_PAGE}/incident-templates/<str:template_id>",
        api.IncidentTemplateDetailView.as_view(),
    ),
    path(f"{_PAGE}/maintenance-templates", api.MaintenanceTemplateListView.as_view()),
    path(
        f"{_PAGE}/maintenance-templates/<str:template_id>",
        api.MaintenanceTemplateDetailView.as_view(),
    ),
]
