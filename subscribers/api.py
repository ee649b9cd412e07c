"""Management endpoints for subscribers (personal data: own scopes)."""

from django.http import StreamingHttpResponse
from django.utils.http import parse_header_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.api import FileResponseNegotiation
from core.errors import Conflict
from core.languages import Language
from core.parsers import CsvParser
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField
from statuspages.api_base import PageApiView
from subscribers import csvfile, imports, selectors, services
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


# ---- the CSV file: export and import (README, "Subscribers CSV") -----------------------------

# Rows fetched at a time while the export streams (a server-side cursor on PostgreSQL): the
# export's memory is this many rows, however many subscribers the page has.
EXPORT_CHUNK_SIZE = 2000
CSV_COLUMNS_TEXT = ",".join(csvfile.COLUMNS)
CSV_DESCRIPTION = (
    f"Columns `{CSV_COLUMNS_TEXT}`, comma-separated, UTF-8, one subscriber a record. "
    "`email` is the address of an `email` subscriber and the (optional) contact of a webhook; "
    "`phone_number` (E.164) and `phone_country` (ISO 3166-1 alpha-2) are an `sms` "
    "subscriber's; `endpoint` is the URL a `webhook`, `slack`, `teams`, `discord` or "
    "`google_chat` subscriber is posted to. `component_ids` are space-separated (empty: every "
    "component); `confirmed` is `true` or `false`. A cell a spreadsheet would run as a formula "
    "(starting with `=`, `+`, `-`, `@`, a tab or a carriage return: every E.164 number) is "
    "written behind an apostrophe (`'+14155550100`), as is one starting with an apostrophe, "
    "and the import removes that apostrophe, so an exported file imports unchanged."
)


class SubscribersCsvExportView(PageApiView):
    required_scopes = {"GET": READ}
    # Whatever the client accepts (``text/csv``), an error is the JSON envelope.
    content_negotiation_class = FileResponseNegotiation

    @extend_schema(
        operation_id="subscribers_export_csv",
        tags=SUBSCRIBER_TAGS,
        description="The page's subscribers as a CSV file, oldest first, streamed (a page "
        "of any size is exported in constant memory). " + CSV_DESCRIPTION + " Every state is "
        "exported (unconfirmed and quarantined subscribers too; no column says quarantined, "
        "so an imported one starts afresh); subscribers following a "
        "single incident are not (the file cannot say which, and they end with it). Secrets "
        "are never exported: a webhook's signing secret is not in the file. Chat and webhook "
        "URLs are, as the subscriber list shows them to this scope: they post to their "
        "channel, so keep the file as you would a credential.",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, page_id):
        page = self.page
        subscribers = selectors.subscribers_for_export(page)
        response = StreamingHttpResponse(
            csvfile.export_lines(subscribers.iterator(chunk_size=EXPORT_CHUNK_SIZE)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="subscribers-{page.slug}.csv"'
        response["Cache-Control"] = "private, no-store"  # personal data
        return response


class ImportRefusalOut(serializers.Serializer):
    line = serializers.IntegerField(
        help_text="The physical line of the file the record starts on (the header is 1; a "
        "quoted field may hold line breaks, so a record may span lines)."
    )
    message = serializers.CharField(help_text="`field: why` for each refused field.")


class SubscribersImportedOut(serializers.Serializer):
    created = serializers.IntegerField()
    skipped = serializers.IntegerField(
        help_text="Rows whose channel and address the page already has (or an earlier line "
        "of the file): the existing subscription is left as it is."
    )
    errors = ImportRefusalOut(many=True, help_text="One per refused line, in file order.")


class SubscribersCsvImportView(PageApiView):
    required_scopes = {"POST": WRITE}
    parser_classes = [CsvParser]

    @extend_schema(
        operation_id="subscribers_import_csv",
        tags=SUBSCRIBER_TAGS,
        description="Subscribes each record of a CSV file (`Content-Type: text/csv`; other "
        "types: 415) to the page. "
        + CSV_DESCRIPTION
        + " Line 1 names the columns (any order; only `channel` is required, a missing "
        "column is empty; an unknown one is a 400 naming it). Each record passes the rules of "
        "`POST .../subscribers` (channel, email address, phone number, endpoint URL with its "
        "address checks, components of this page); a refused record is reported in `errors` "
        "with its line and never stops the others. A record whose channel and address the "
        "page already has is `skipped`, so importing a file again creates nothing twice. "
        "Nobody is sent anything: unconfirmed email and SMS subscribers get no confirmation "
        "link (an import must not message a whole list; `POST "
        ".../subscribers/{id}/resend-confirmation` sends one) and receive nothing until they "
        "confirm. `confirmed=true` on an email or SMS record is accepted only with "
        "`?attest_confirmed=true`, by which the caller attests that the owners opted in; "
        "without it each such record is an error line and nothing is imported from it (send "
        "the file again with the attestation: the rest is skipped). Webhook and chat "
        "subscribers need no opt-in and are active either way, as when created one by one. "
        "Each import is one entry `status_page.subscribers_imported` in the activity log, "
        "naming the key that made it and whether it attested, beside one `subscriber.created` "
        "per subscriber. An imported webhook gets a new signing secret, which is never shown "
        "(create the subscriber with `POST .../subscribers` when its receiver verifies "
        "signatures); the language of imported subscribers is the page's. A file is at most "
        "`MAX_REQUEST_BODY_BYTES` (1 MiB by default, some 15,000 email subscribers): larger "
        "is a 413 `payload_too_large` (split the file).",
        parameters=[
            OpenApiParameter(
                "attest_confirmed",
                str,
                enum=["true", "false"],
                description="`true`: import `confirmed=true` email and SMS records as "
                "confirmed; you attest that their owners opted in (recorded in the activity "
                "log with your key). Default `false`.",
            )
        ],
        request={"text/csv": OpenApiTypes.STR},
        responses={200: SubscribersImportedOut},
    )
    def post(self, request, page_id):
        page = self.page
        imported = imports.subscribers_import(
            page=page,
            rows=csvfile.rows_read(_csv_text(request)),
            attest_confirmed=request.query_params.get("attest_confirmed") == "true",
        )
        return Response(SubscribersImportedOut(imported).data)


def _csv_text(request) -> str:
    """The uploaded file's text; an empty body has no parser to refuse its media type."""
    data = request.data
    if isinstance(data, str):
        return data
    if parse_header_parameters(request.content_type or "")[0] != CsvParser.media_type:
        raise exceptions.UnsupportedMediaType(request.content_type)
    return ""
