"""Thin HTTP layer: the management API of integrations, and the inbound URL senders post to."""

import json

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Scope
from core.errors import envelope
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField
from integrations import formats, selectors, services
from integrations.models import IntegrationEventStatus, IntegrationKind
from integrations.receiving import Rejected, integration_for_token, integration_receive
from integrations.signatures import SIGNATURE_HEADERS
from statuspages.api_base import PageApiView

TAGS = ["Integrations"]
_KINDS_HELP = (
    "`alertmanager` (Alertmanager webhook v4), `grafana` (Grafana alerting webhook), "
    "`datadog` (Datadog webhook with the payload in the README), `pagerduty` (PagerDuty v3 "
    "webhook), `uptime_robot` (Uptime Robot webhook: JSON, form fields or query parameters), "
    "`generic` (the `GenericAlert` schema of `POST /integrations/{token}`)."
)

# ---- rules ----------------------------------------------------------------------------------


class RuleIn(StrictInputSerializer):
    match = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        required=False,
        default=dict,
        help_text="Alert label name (`alertname` included) → value; a value starting with `~` "
        "is a regular expression matched against the whole label value. Every entry must fit; "
        "empty: every alert.",
    )
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=100
    )
    status = serializers.ChoiceField(choices=[s.value for s in services.RULE_STATUSES])
    notify_subscribers = serializers.BooleanField(
        required=False, help_text="Default: the integration's."
    )
    auto_resolve = serializers.BooleanField(
        required=False,
        help_text="Default: the integration's. False: recovery leaves the incident open for a "
        "human to resolve.",
    )
    open_after_seconds = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=services.MAX_OPEN_AFTER_SECONDS,
        help_text="Default: the integration's. Open only once the alert has fired this long.",
    )


class RuleOut(RuleIn):
    pass


# ---- integrations ---------------------------------------------------------------------------


class IntegrationOut(serializers.Serializer):
    id = serializers.CharField()
    page_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=IntegrationKind.choices, help_text=_KINDS_HELP)
    name = serializers.CharField()
    inbound_url = serializers.SerializerMethodField(
        help_text="`{PUBLIC_BASE_URL}/integrations/{token}`: in full only in the answers to "
        "create and rotate-token; elsewhere the token's first characters and `…`."
    )
    rules = RuleOut(many=True, help_text="First match wins; unmatched alerts change nothing.")
    notify_subscribers = serializers.BooleanField()
    auto_resolve = serializers.BooleanField()
    open_after_seconds = serializers.IntegerField()
    incident_name_template = serializers.CharField()
    incident_message_template = serializers.CharField()
    signature_header = serializers.SerializerMethodField(
        help_text="The header whose HMAC-SHA256 signature is checked, when a signing secret is "
        "set (`X-PagerDuty-Signature` for pagerduty, `X-Grafana-Alerting-Signature` for "
        "grafana, `X-Signature-256` for generic)."
    )
    created_at = TimestampField()
    updated_at = TimestampField()

    def get_inbound_url(self, integration) -> str:
        token = self.context.get("token")
        if token:
            return services.inbound_url(token)
        return f"{settings.PUBLIC_BASE_URL}/integrations/{integration.token_hint}…"

    def get_signature_header(self, integration) -> str | None:
        if not integration.signing_secret:
            return None
        return SIGNATURE_HEADERS.get(integration.kind)


_TEMPLATE_HELP = (
    "`{{ label }}` placeholders take the first alert's labels and annotations "
    "(`alertname`, `summary`, `description`, `status`, any label)."
)


class IntegrationPatchIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255, required=False)
    rules = RuleIn(many=True, required=False, max_length=services.MAX_RULES)
    notify_subscribers = serializers.BooleanField(required=False)
    auto_resolve = serializers.BooleanField(required=False)
    open_after_seconds = serializers.IntegerField(
        required=False, min_value=0, max_value=services.MAX_OPEN_AFTER_SECONDS
    )
    incident_name_template = serializers.CharField(
        max_length=255, required=False, help_text=_TEMPLATE_HELP
    )
    incident_message_template = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text=_TEMPLATE_HELP
    )
    signing_secret = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Shared secret of the sender's HMAC signature (pagerduty, grafana and "
        "generic only); "
        "never returned. Empty or null: no signature check.",
    )

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        if "rules" in data:
            data["rules"] = [
                {**rule, "match": dict(rule.get("match", {}))} for rule in data["rules"]
            ]
        return data


class IntegrationIn(IntegrationPatchIn):
    kind = serializers.ChoiceField(choices=IntegrationKind.choices, help_text=_KINDS_HELP)
    name = serializers.CharField(max_length=255)
    notify_subscribers = serializers.BooleanField(default=True)
    auto_resolve = serializers.BooleanField(default=True)
    open_after_seconds = serializers.IntegerField(
        default=0, min_value=0, max_value=services.MAX_OPEN_AFTER_SECONDS
    )


class IntegrationEventOut(serializers.Serializer):
    id = serializers.CharField()
    received_at = TimestampField()
    kind = serializers.ChoiceField(choices=IntegrationKind.choices)
    status = serializers.ChoiceField(
        choices=IntegrationEventStatus.choices,
        help_text="`matched`: it changed alert state; `unmatched`: no rule matches; "
        "`rejected`: unreadable or badly signed (400/401); `duplicate`: already known.",
    )
    incident_id = serializers.CharField(allow_null=True)
    summary = serializers.CharField()


def _integration_out(integration, token: str | None = None) -> dict:
    return IntegrationOut(integration, context={"token": token}).data


class IntegrationApiView(PageApiView):
    """Integrations hold the rules that open incidents: reading them needs the scope too."""

    write_scope = Scope.INCIDENTS_WRITE
    required_scopes = {"GET": Scope.INCIDENTS_WRITE}

    def integration(self, integration_id):
        return selectors.integration_for_page(self.page, integration_id)


class IntegrationListView(IntegrationApiView):
    @extend_schema(
        operation_id="integrations_list",
        tags=TAGS,
        parameters=paginated_parameters(),
        responses=list_response(IntegrationOut),
        description="Newest first.",
    )
    def get(self, request, page_id):
        return self.paginated(
            selectors.integrations_for_page(self.page),
            IntegrationOut,
            ordering=("-created_at", "-id"),
        )

    @extend_schema(
        operation_id="integrations_create",
        tags=TAGS,
        request=IntegrationIn,
        responses={201: IntegrationOut},
        description="Creates an integration. Its `inbound_url` is shown in full only in this "
        "answer (and rotate-token's): give it to the sender.",
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(IntegrationIn)
        integration, token = services.integration_create(page=page, **body.service_arguments())
        return Response(_integration_out(integration, token), status=status.HTTP_201_CREATED)


class IntegrationDetailView(IntegrationApiView):
    @extend_schema(operation_id="integrations_retrieve", tags=TAGS, responses=IntegrationOut)
    def get(self, request, page_id, integration_id):
        return Response(_integration_out(self.integration(integration_id)))

    @extend_schema(
        operation_id="integrations_update",
        tags=TAGS,
        request=IntegrationPatchIn,
        responses=IntegrationOut,
        description="Changes the name, rules, options, templates or signing secret. The kind "
        "and the inbound URL stay (rotate-token changes the URL).",
    )
    def patch(self, request, page_id, integration_id):
        integration = self.integration(integration_id)
        body = self.validated(IntegrationPatchIn)
        integration = services.integration_change(
            integration=integration, **body.service_arguments()
        )
        return Response(_integration_out(integration))

    @extend_schema(
        operation_id="integrations_destroy",
        tags=TAGS,
        responses={204: None},
        description="Deletes the integration and its events; incidents it opened stay.",
    )
    def delete(self, request, page_id, integration_id):
        integration = self.integration(integration_id)
        services.integration_delete(integration=integration)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IntegrationRotateTokenView(IntegrationApiView):
    @extend_schema(
        operation_id="integrations_rotate_token",
        tags=TAGS,
        request=None,
        responses=IntegrationOut,
        description="A new secret inbound URL, shown in full in this answer only; the old one "
        "answers 404 from now on.",
    )
    def post(self, request, page_id, integration_id):
        integration = self.integration(integration_id)
        integration, token = services.integration_rotate_token(integration=integration)
        return Response(_integration_out(integration, token))


class IntegrationEventListView(IntegrationApiView):
    @extend_schema(
        operation_id="integration_events_list",
        tags=TAGS,
        parameters=paginated_parameters(),
        responses=list_response(IntegrationEventOut),
        description="The last 100 deliveries to the inbound URL, newest first.",
    )
    def get(self, request, page_id, integration_id):
        integration = self.integration(integration_id)
        return self.paginated(
            selectors.events_of_integration(integration),
            IntegrationEventOut,
            ordering=("-received_at", "-id"),
        )


# ---- inbound --------------------------------------------------------------------------------


class GenericAlertIn(serializers.Serializer):
    id = serializers.CharField(help_text="Your id for the alert; its state is kept under it.")
    status = serializers.ChoiceField(choices=["firing", "resolved"])
    name = serializers.CharField(help_text="Matched by rules as the label `alertname`.")
    labels = serializers.DictField(child=serializers.CharField(), required=False)
    summary = serializers.CharField(required=False, help_text="`{{ summary }}` in templates.")
    group = serializers.CharField(
        required=False, help_text="Alerts of one group share one incident. Default: `id`."
    )
    event_id = serializers.CharField(
        required=False, help_text="Your id for this delivery: a re-send with it changes nothing."
    )
    started_at = TimestampField(required=False)


class InboundAcceptedOut(serializers.Serializer):
    event_id = serializers.CharField()
    status = serializers.ChoiceField(choices=IntegrationEventStatus.choices)
    incident_id = serializers.CharField(allow_null=True)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


class InboundView(APIView):
    """No API key: the secret token in the URL is the credential."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="integrations_inbound",
        tags=["Inbound integrations"],
        auth=[],
        request={"application/json": GenericAlertIn},
        responses={
            202: InboundAcceptedOut,
            400: _error("`parse_error`: a payload this integration's sender would not send."),
            401: _error(
                "`unauthenticated`: the signing secret is set and the signature is "
                "missing or wrong (HMAC-SHA256 of the body, hex: pagerduty "
                "`X-PagerDuty-Signature: v1=<hex>`, grafana `X-Grafana-Alerting-Signature: "
                "<hex>` (of `<timestamp>:<body>` with `X-Grafana-Alerting-Timestamp`), "
                "generic `X-Signature-256: sha256=<hex>`)."
            ),
            404: _error("`not_found`: unknown or rotated token."),
            413: _error("`payload_too_large`."),
        },
        description="Where a monitoring tool posts its alerts; the body is the sender's own "
        f"payload: {_KINDS_HELP} The schema shown is the `generic` one, e.g. "
        f"`{json.dumps(formats.GENERIC_EXAMPLE)}`. Unreadable payloads are kept as `rejected` "
        "events. A re-sent payload changes nothing (its event is `duplicate`).",
    )
    def post(self, request, token):
        integration = integration_for_token(token)
        if integration is None:
            return self._error(request, 404, "not_found", "Unknown integration URL.")
        try:
            event = integration_receive(
                integration=integration,
                body=request.body,
                query=request.query_params.dict(),
                headers=request.headers,
            )
        except Rejected as rejected:
            code = "unauthenticated" if rejected.status_code == 401 else "parse_error"
            return self._error(request, rejected.status_code, code, rejected.message)
        return Response(
            InboundAcceptedOut(
                {"event_id": event.id, "status": event.status, "incident_id": event.incident_id}
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(exclude=True)
    def put(self, request, token):
        """Grafana's webhook contact point may be set to PUT."""
        return self.post(request, token)

    @staticmethod
    def _error(request, status_code: int, code: str, message: str) -> Response:
        request_id = getattr(request._request, "request_id", None)
        return Response(envelope(code, message, {}, request_id), status=status_code)
