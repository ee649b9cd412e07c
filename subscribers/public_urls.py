"""Public (unauthenticated) subscriber routes, included by public/urls.py.

``api_patterns`` sit under each page's ``api/v2/``; ``page_patterns`` under the page root
(``/pages/{slug}/`` or ``/`` by host). Views take ``slug=None`` and find the page with
``statuspages.routing.resolve_page(request, slug)``.
"""

from django.urls import path

from subscribers import public_api, views

api_patterns: list = [
    path("subscribers.json", public_api.SubscribeView.as_view()),
    path(
        "incidents/<str:incident_id>/subscribers.json", public_api.IncidentSubscribeView.as_view()
    ),
    path("subscribers/<str:subscriber_id>.json", public_api.SubscriberView.as_view()),
]
page_patterns: list = [
    path("subscribe", views.subscribe_form_view, name="public-subscribe-form"),
    path(
        "resend_confirmation/<str:subscriber_id>",
        views.resend_confirmation_view,
        name="public-resend-confirmation",
    ),
]
