from django.urls import path

from subscribers import api

urlpatterns = [
    path("status-pages/<str:page_id>/subscribers", api.SubscriberListView.as_view()),
    path("status-pages/<str:page_id>/subscribers.csv", api.SubscribersCsvExportView.as_view()),
    # Before the subscriber's own path, which would take "import" for an id.
    path("status-pages/<str:page_id>/subscribers/import", api.SubscribersCsvImportView.as_view()),
    path(
        "status-pages/<str:page_id>/subscribers/<str:subscriber_id>",
        api.SubscriberDetailView.as_view(),
    ),
    path(
        "status-pages/<str:page_id>/subscribers/<str:subscriber_id>/resend-confirmation",
        api.ResendConfirmationView.as_view(),
    ),
]
