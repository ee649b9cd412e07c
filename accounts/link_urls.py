"""Pages people reach outside the API: an invitation link, and the admin's two-factor step."""

from django.urls import path

from accounts import views

urlpatterns = [
    path(
        "invitations/<str:membership_id>/<str:secret>",
        views.invitation_view,
        name="invitation-accept",
    ),
    path("account/two-factor/", views.two_factor_view, name="two-factor"),
]
