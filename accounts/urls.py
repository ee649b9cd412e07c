from django.urls import path

from accounts import api

urlpatterns = [
    path("members", api.MemberListView.as_view()),
    path("members/<str:member_id>", api.MemberDetailView.as_view()),
    path("api-keys", api.ApiKeyListView.as_view()),
    path("api-keys/<str:key_id>", api.ApiKeyDetailView.as_view()),
]
