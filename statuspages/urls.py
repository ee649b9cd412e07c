from django.urls import path

from statuspages import views

urlpatterns = [
    path("status-pages", views.StatusPageListView.as_view()),
    path("status-pages/<str:page_id>", views.StatusPageDetailView.as_view()),
    path("status-pages/<str:page_id>/structure", views.StructureView.as_view()),
    path("status-pages/<str:page_id>/components", views.ComponentListView.as_view()),
    path(
        "status-pages/<str:page_id>/components/<str:component_id>",
        views.ComponentDetailView.as_view(),
    ),
    path("status-pages/<str:page_id>/component-groups", views.GroupListView.as_view()),
    path(
        "status-pages/<str:page_id>/component-groups/<str:group_id>",
        views.GroupDetailView.as_view(),
    ),
]
