"""Confirm and unsubscribe links from messages: ``/subscriptions/...`` (config/urls.py)."""

from django.urls import path

from subscribers import views

urlpatterns = [
    path("confirm/<str:token>", views.confirm_view, name="subscription-confirm"),
    path("unsubscribe/<str:token>", views.unsubscribe_view, name="subscription-unsubscribe"),
]
