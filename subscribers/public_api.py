"""Statuspage-compatible public subscriber endpoints: JSON or form fields ``subscriber[...]``.

No listing, and subscribing an address twice answers exactly like the first time (a new
unconfirmed subscription; confirming it replaces the old one), so nothing can be enumerated.
Rate-limited per client address.
"""

import re

from django.http import QueryDict
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.languages import language_requested
from core.parsers import FormParser, JsonParser, MultiPartParser
from core.serializers import TimestampField
from core.throttling import PublicRateThrottle
from statuspages.routing import resolve_page
from subscribers import selectors, services
from subscribers.models import Channel, Subscriber

_FIELD = re.compile(r"^subscriber\[(\w+)\](\[\])?$")
_MODES = {Channel.EMAIL: "email", Channel.SMS: "sms", Channel.WEBHOOK: "webhook"}


def subscriber_fields(data) -> dict:
    """``subscriber[email]`` form fields, ``{"subscriber": {...}}`` or a flat JSON object."""
    if isinstance(data, QueryDict):
        fields = {}
        for key in data:
            match = _FIELD.match(key)
            if match:
                many = match.group(2) or match.group(1) == "component_ids"
                fields[match.group(1)] = data.getlist(key) if many else data.get(key)
        return fields
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"subscriber": ["Expected an object."]})
    if isinstance(data.get("subscriber"), dict):
        return data["subscriber"]
    fields = {}
    for key, value in data.items():
        match = _FIELD.match(key)
        fields[match.group(1) if match else key] = value
    return fields


class PublicSubscriberIn(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    phone_number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    phone_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    endpoint = serializers.CharField(required=False, allow_blank=True, max_length=2048)
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )

    def validate(self, attrs):
        if attrs.get("endpoint"):
            if not attrs.get("email"):
                raise serializers.ValidationError(
                    {"email": ["A contact email is required with a webhook endpoint."]}
                )
            attrs["channel"] = Channel.WEBHOOK
        elif attrs.get("phone_number"):
            attrs["channel"] = Channel.SMS
        elif attrs.get("email"):
            attrs["channel"] = Channel.EMAIL
        else:
            raise serializers.ValidationError(
                {
                    "email": [
                        "Give subscriber[email], subscriber[phone_number] with "
                        "subscriber[phone_country], or subscriber[endpoint] with "
                        "subscriber[email]."
                    ]
                }
            )
        return attrs


class PublicSubscriberOut(serializers.Serializer):
    id = serializers.CharField()
    mode = serializers.SerializerMethodField()
    email = serializers.CharField()
    phone_number = serializers.CharField()
    phone_country = serializers.CharField()
    endpoint = serializers.CharField()
    component_ids = serializers.ListField(child=serializers.CharField())
    incident_id = serializers.CharField(allow_null=True)
    created_at = TimestampField()

    def get_mode(self, subscriber) -> str:
        return _MODES.get(subscriber.channel, subscriber.channel)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("email", "phone_number", "phone_country", "endpoint"):
            data[name] = data[name] or None
        # Never whether a confirmed subscription exists; only whether this one needs a link.
        data["confirmation_required"] = instance.channel in (Channel.EMAIL, Channel.SMS)
        if instance.channel == Channel.WEBHOOK and self.context.get("created"):
            data["signing_secret"] = instance.signing_secret
        return data


class PublicSubscriberView(APIView):
    schema = None  # the public v2 API is Statuspage's, documented there, not in /api/v1
    authentication_classes: list = []
    permission_classes: list = []
    parser_classes = [JsonParser, FormParser, MultiPartParser]
    throttle_classes = [PublicRateThrottle]

    def _created(self, page, incident=None):
        body = PublicSubscriberIn(data=subscriber_fields(self.request.data))
        body.is_valid(raise_exception=True)
        subscriber = services.subscriber_create(
            page=page,
            incident=incident,
            # A reader subscribing from a browser hears in the language it asks for.
            language=language_requested(self.request) or "",
            **body.validated_data,
        )
        out = PublicSubscriberOut(subscriber, context={"created": True}).data
        return Response({"subscriber": out}, status=201)


class SubscribeView(PublicSubscriberView):
    def post(self, request, slug=None):
        return self._created(resolve_page(request, slug))


class IncidentSubscribeView(PublicSubscriberView):
    def post(self, request, incident_id, slug=None):
        page = resolve_page(request, slug)
        incident = selectors.incident_on_page(page, incident_id)
        if incident is None:
            raise exceptions.NotFound("No such incident on this page.")
        if incident.is_resolved:
            raise exceptions.ValidationError(
                {"incident_id": ["This incident is resolved; subscribe to the page instead."]}
            )
        return self._created(page, incident)


class SubscriberView(PublicSubscriberView):
    """The id (130 random bits) is the capability: whoever holds it may change or remove it."""

    def _subscriber(self, request, slug, subscriber_id) -> Subscriber:
        page = resolve_page(request, slug)
        subscriber = selectors.subscriber_on_page(page, subscriber_id)
        if subscriber is None:
            raise exceptions.NotFound("No such subscriber.")
        return subscriber

    def patch(self, request, subscriber_id, slug=None):
        subscriber = self._subscriber(request, slug, subscriber_id)
        fields = subscriber_fields(request.data)
        component_ids = fields.get("component_ids")
        valid = isinstance(component_ids, list) and all(isinstance(c, str) for c in component_ids)
        if not valid:
            raise exceptions.ValidationError({"component_ids": ["Give a list of component ids."]})
        subscriber = services.subscriber_update(subscriber=subscriber, component_ids=component_ids)
        return Response({"subscriber": PublicSubscriberOut(subscriber).data})

    def delete(self, request, subscriber_id, slug=None):
        services.subscriber_delete(subscriber=self._subscriber(request, slug, subscriber_id))
        return Response(status=204)
