from django.urls import path

from notifications import api

urlpatterns = [
    path("status-pages/<str:page_id>/deliveries", api.DeliveryListView.as_view()),
    path("status-pages/<str:page_id>/notification-events", api.NotificationEventListView.as_view()),
    path(
        "status-pages/<str:page_id>/notification-events/<str:event_id>",
        api.NotificationEventDetailView.as_view(),
    ),
]
