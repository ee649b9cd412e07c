from django.urls import path

from statuspages import api

urlpatterns = [
    path("status-pages", api.StatusPageListView.as_view()),
    path("status-pages/<str:page_id>", api.StatusPageDetailView.as_view()),
    path("status-pages/<str:page_id>/structure", api.StructureView.as_view()),
    path("status-pages/<str:page_id>/components", api.ComponentListView.as_view()),
    path(
        "status-pages/<str:page_id>/components/<str:component_id>",
        api.ComponentDetailView.as_view(),
    ),
    path("status-pages/<str:page_id>/component-groups", api.GroupListView.as_view()),
    path(
        "status-pages/<str:page_id>/component-groups/<str:group_id>", api.GroupDetailView.as_view()
    ),
]
