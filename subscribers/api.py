"""Management endpoints for subscribers (personal data: own scopes)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.errors import Conflict
from core.languages import Language
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField
from statuspages.api_base import PageApiView
from subscribers import selectors, services
from subscribers.models import Channel

SUBSCRIBER_TAGS = ["Subscribers"]
READ, WRITE = Scope.SUBSCRIBERS_READ.value, Scope.SUBSCRIBERS_WRITE.value
SCOPES = {"GET": READ, "POST": WRITE, "PATCH": WRITE, "DELETE": WRITE}

# ---- output ---------------------------------------------------------------------------------


class SubscriberOut(serializers.Serializer):
    id = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    email = serializers.CharField(allow_null=True)
    phone_number = serializers.CharField(allow_null=True, help_text="E.164.")
    phone_country = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-2.")
    endpoint = serializers.CharField(allow_null=True)
    component_ids = serializers.ListField(
        child=serializers.CharField(), help_text="Empty: every component."
    )
    incident_id = serializers.CharField(
        allow_null=True, help_text="Set: this incident only, until it resolves."
    )
    language = serializers.ChoiceField(
        choices=Language.choices,
        allow_blank=True,
        help_text="The language of this subscriber's emails and SMS; empty: the page's "
        "`default_language` at the time of each message.",
    )
    confirmed_at = TimestampField(allow_null=True)
    quarantined_at = TimestampField(allow_null=True)
    created_at = TimestampField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("email", "phone_number", "phone_country", "endpoint"):
            data[name] = data[name] or None
        return data


class SubscriberCreatedOut(SubscriberOut):
    signing_secret = serializers.CharField(
        required=False,
        help_text="Webhooks only, shown this once: `whsec_` + base64 key for the Standard "
        "Webhooks signature (`webhook-signature: v1,<base64 HMAC-SHA256 of "
        '"{webhook-id}.{webhook-timestamp}.{body}">`).',
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.signing_secret:
            data["signing_secret"] = instance.signing_secret
        else:
            data.pop("signing_secret", None)
        return data


# ---- input ----------------------------------------------------------------------------------


class SubscriberIn(StrictInputSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="Required for `email`; a contact for webhooks.",
    )
    phone_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="Required for `sms`: E.164 (`+14155550100`) or national with `phone_country`.",
    )
    phone_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    endpoint = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2048,
        help_text="Required for webhook, slack, teams, discord and google_chat: an https URL "
        "whose host resolves to public addresses only.",
    )
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )
    incident_id = serializers.CharField(required=False, allow_null=True, max_length=64)
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text="The language of the subscriber's emails and SMS; default: the page's "
        "`default_language` at the time of each message.",
    )
    confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Operators may create email and SMS subscribers already confirmed; otherwise "
        "they get a confirmation link and receive nothing until they follow it.",
    )

    def resolve(self, page) -> dict:
        data = dict(self.validated_data)
        incident_id = data.pop("incident_id", None)
        data["incident"] = None
        if incident_id:
            data["incident"] = selectors.incident_on_page(page, incident_id)
            if data["incident"] is None:
                raise serializers.ValidationError(
                    {"incident_id": ["No such incident on this page."]}
                )
        return data


class SubscriberPatchIn(StrictInputSerializer):
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )
    quarantined = serializers.BooleanField(
        required=False, help_text="`false` lifts a quarantine and resets the failure count."
    )


# ---- views ----------------------------------------------------------------------------------


class SubscriberListView(PageApiView):
    required_scopes = SCOPES

    @extend_schema(
        operation_id="subscribers_list",
        tags=SUBSCRIBER_TAGS,
        description="The page's subscribers, oldest first; `channel` keeps one kind. Holds "
        "personal data, hence the scope.",
        parameters=paginated_parameters(OpenApiParameter("channel", str, enum=Channel.values)),
        responses=list_response(SubscriberOut),
    )
    def get(self, request, page_id):
        subscribers = selectors.subscribers_for_page(
            self.page, channel=request.query_params.get("channel")
        )
        return self.paginated(subscribers, SubscriberOut, ordering=("id",))

    @extend_schema(
        operation_id="subscribers_create",
        tags=SUBSCRIBER_TAGS,
        description="Subscribes an address to the page (or, with `incident_id`, to one "
        "incident until it resolves). Email and SMS subscribers are sent a confirmation link "
        "and receive nothing until they confirm; a webhook subscriber's `signing_secret` is "
        "in this response only.",
        request=SubscriberIn,
        responses={201: SubscriberCreatedOut},
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(SubscriberIn)
        subscriber = services.subscriber_create(page=page, **body.resolve(page))
        return Response(SubscriberCreatedOut(subscriber).data, status=201)


class SubscriberDetailView(PageApiView):
    required_scopes = SCOPES

    @extend_schema(
        operation_id="subscribers_retrieve",
        tags=SUBSCRIBER_TAGS,
        responses=SubscriberOut,
        description="A subscriber, with when it confirmed and whether it is quarantined.",
    )
    def get(self, request, page_id, subscriber_id):
        return Response(SubscriberOut(selectors.subscriber_for_page(self.page, subscriber_id)).data)

    @extend_schema(
        operation_id="subscribers_update",
        tags=SUBSCRIBER_TAGS,
        description="Changes the fields given (which components the subscriber follows).",
        request=SubscriberPatchIn,
        responses=SubscriberOut,
    )
    def patch(self, request, page_id, subscriber_id):
        subscriber = selectors.subscriber_for_page(self.page, subscriber_id)
        body = self.validated(SubscriberPatchIn)
        subscriber = services.subscriber_update(subscriber=subscriber, **body.validated_data)
        return Response(SubscriberOut(subscriber).data)

    @extend_schema(
        operation_id="subscribers_destroy",
        tags=SUBSCRIBER_TAGS,
        responses={204: None},
        description="Unsubscribes; delivery records stay.",
    )
    def delete(self, request, page_id, subscriber_id):
        subscriber = selectors.subscriber_for_page(self.page, subscriber_id)
        services.subscriber_delete(subscriber=subscriber)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResendConfirmationView(PageApiView):
    required_scopes = {"POST": WRITE}

    @extend_schema(
        operation_id="subscribers_resend_confirmation",
        tags=SUBSCRIBER_TAGS,
        request=None,
        responses={202: None},
        description="Sends the confirmation link again to an email or SMS "
        "subscriber that has not confirmed; 409 `conflict` otherwise.",
    )
    def post(self, request, page_id, subscriber_id):
        subscriber = selectors.subscriber_for_page(self.page, subscriber_id)
        if not services.subscriber_confirmation_resend(subscriber=subscriber):
            raise Conflict(
                "This subscriber needs no confirmation.", {"subscriber_id": subscriber.id}
            )
        return Response(status=status.HTTP_202_ACCEPTED)
