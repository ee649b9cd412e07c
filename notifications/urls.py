from django.urls import path

from notifications import api

urlpatterns = [
    path("status-pages/<str:page_id>/deliveries", api.DeliveryListView.as_view()),
]
