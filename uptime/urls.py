from django.urls import path

from uptime import api

urlpatterns = [path("status-pages/<str:page_id>/uptime", api.UptimeView.as_view())]
