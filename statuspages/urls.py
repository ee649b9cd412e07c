from django.urls import path

from statuspages import readers_api, views

urlpatterns = [
    path("status-pages", views.StatusPageListView.as_view()),
    path("status-pages/<str:page_id>", views.StatusPageDetailView.as_view()),
    path("status-pages/<str:page_id>/structure", views.StructureView.as_view()),
    path("status-pages/<str:page_id>/components", views.ComponentListView.as_view()),
    path(
        "status-pages/<str:page_id>/components/<str:component_id>",
        views.ComponentDetailView.as_view(),
    ),
    path("status-pages/<str:page_id>/upstream-components", views.UpstreamComponentsView.as_view()),
    path("status-pages/<str:page_id>/component-groups", views.GroupListView.as_view()),
    path(
        "status-pages/<str:page_id>/component-groups/<str:group_id>",
        views.GroupDetailView.as_view(),
    ),
    path("status-pages/<str:page_id>/readers", readers_api.ReaderListView.as_view()),
    path(
        "status-pages/<str:page_id>/readers/<str:reader_id>",
        readers_api.ReaderDetailView.as_view(),
    ),
    path("status-pages/<str:page_id>/reader-groups", readers_api.ReaderGroupListView.as_view()),
    path(
        "status-pages/<str:page_id>/reader-groups/<str:group_id>",
        readers_api.ReaderGroupDetailView.as_view(),
    ),
    path("status-pages/<str:page_id>/share-links", readers_api.ShareLinkListView.as_view()),
    path(
        "status-pages/<str:page_id>/share-links/<str:link_id>",
        readers_api.ShareLinkDetailView.as_view(),
    ),
]
