from django.urls import path

from metrics import api

urlpatterns = [
    path("status-pages/<str:page_id>/metrics", api.MetricListView.as_view()),
    path("status-pages/<str:page_id>/metrics/<str:metric_id>", api.MetricDetailView.as_view()),
    path("status-pages/<str:page_id>/metrics/<str:metric_id>/data", api.MetricDataView.as_view()),
]
