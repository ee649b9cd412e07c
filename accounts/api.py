from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Scope
from core.api import ApiView
from core.serializers import TimestampField


class MeOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    organization = serializers.CharField(source="organization.slug", help_text="Organization slug.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    pages = serializers.ListField(
        source="page_ids",
        child=serializers.CharField(),
        help_text="Page ids this key is limited to; empty: every page of the organization.",
    )
    expires_at = TimestampField(allow_null=True)


class MeView(ApiView):
    @extend_schema(
        operation_id="me",
        responses=MeOut,
        tags=["API keys"],
        description="The API key making the request.",
    )
    def get(self, request):
        return Response(MeOut(self.api_key).data)
