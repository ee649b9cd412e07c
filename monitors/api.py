"""Thin HTTP layer: the management API of monitors, and the heartbeat ping URLs."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.errors import envelope
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField
from monitors import checks, selectors, services
from monitors.heartbeats import ping_accept
from monitors.models import MonitorKind, MonitorState
from statuspages.api_base import PageApiView

TAGS = ["Monitors"]

# ---- output ---------------------------------------------------------------------------------


class HttpSettingsOut(serializers.Serializer):
    method = serializers.ChoiceField(choices=checks.HTTP_METHODS)
    headers = serializers.DictField(child=serializers.CharField())
    body = serializers.CharField(allow_blank=True)
    expected_statuses = serializers.CharField(help_text="Codes and ranges, e.g. `200-399`.")
    keyword = serializers.CharField(allow_blank=True, help_text="Must be in the body.")
    keyword_absent = serializers.CharField(allow_blank=True, help_text="Must not be in the body.")
    json_path = serializers.CharField(allow_blank=True, help_text="JSONPath (RFC 9535).")
    json_expected = serializers.CharField(allow_null=True, help_text="Compared as a string.")
    latency_degraded_ms = serializers.IntegerField(
        allow_null=True, help_text="A slower success makes the monitor `degraded`."
    )
    tls_expiry_days = serializers.IntegerField(
        allow_null=True, help_text="Degraded this many days before the certificate expires."
    )


class DnsSettingsOut(serializers.Serializer):
    record_type = serializers.ChoiceField(choices=checks.DNS_RECORD_TYPES)
    expected = serializers.CharField(allow_blank=True, help_text="Empty: any answer.")


class HeartbeatSettingsOut(serializers.Serializer):
    period_seconds = serializers.IntegerField()
    grace_seconds = serializers.IntegerField()
    ping_url = serializers.CharField(
        help_text="`{PUBLIC_BASE_URL}/ping/{token}`: in full only in the answers to create and "
        "rotate-ping-url; elsewhere the token's first characters and `…`. `GET|POST` it (200 "
        "`OK`; `/start`, `/fail`): a ping makes the monitor up with no threshold. With Redis "
        "and a worker the ping is queued and applied by beat within MONITORS_DISPATCH_SECONDS "
        "(1 s), each at the time it came (the contract's 'at once', read as 'without "
        "thresholds'); without them it is applied before the answer."
    )


class MonitorOut(serializers.Serializer):
    id = serializers.CharField()
    page_id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=MonitorKind.choices)
    target = serializers.CharField(
        allow_blank=True,
        help_text="URL (http), host:port (tcp), host name (dns), empty (heartbeat).",
    )
    interval_seconds = serializers.IntegerField()
    timeout_seconds = serializers.IntegerField()
    http = serializers.SerializerMethodField()
    dns = serializers.SerializerMethodField()
    heartbeat = serializers.SerializerMethodField()
    locations = serializers.ListField(child=serializers.CharField())
    failure_threshold = serializers.IntegerField()
    recovery_threshold = serializers.IntegerField()
    component_id = serializers.CharField(allow_null=True)
    down_status = serializers.ChoiceField(choices=checks.DOWN_STATUSES)
    open_incident = serializers.BooleanField()
    notify_subscribers = serializers.BooleanField()
    publish_latency = serializers.BooleanField()
    paused = serializers.BooleanField()
    state = serializers.ChoiceField(choices=MonitorState.choices)
    state_changed_at = TimestampField(allow_null=True)
    last_checked_at = TimestampField(allow_null=True)
    created_at = TimestampField()

    @extend_schema_field(HttpSettingsOut(allow_null=True))
    def get_http(self, monitor):
        return HttpSettingsOut(monitor.http).data if monitor.kind == MonitorKind.HTTP else None

    @extend_schema_field(DnsSettingsOut(allow_null=True))
    def get_dns(self, monitor):
        return DnsSettingsOut(monitor.dns).data if monitor.kind == MonitorKind.DNS else None

    @extend_schema_field(HeartbeatSettingsOut(allow_null=True))
    def get_heartbeat(self, monitor):
        if monitor.kind != MonitorKind.HEARTBEAT:
            return None
        token = self.context.get("token")
        url = (
            services.ping_url(token)
            if token
            else f"{settings.PUBLIC_BASE_URL}/ping/{monitor.ping_token_hint}…"
        )
        return {
            "period_seconds": monitor.period_seconds,
            "grace_seconds": monitor.grace_seconds,
            "ping_url": url,
        }


class MonitorResultOut(serializers.Serializer):
    id = serializers.CharField()
    monitor_id = serializers.CharField()
    location = serializers.CharField()
    checked_at = TimestampField()
    ok = serializers.BooleanField()
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


# ---- input ----------------------------------------------------------------------------------


class HttpSettingsIn(StrictInputSerializer):
    method = serializers.CharField(required=False, help_text="Default `GET`.")
    headers = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    expected_statuses = serializers.CharField(required=False, help_text="Default `200-399`.")
    keyword = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    keyword_absent = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    json_path = serializers.CharField(required=False, allow_blank=True)
    json_expected = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    latency_degraded_ms = serializers.IntegerField(
        required=False, allow_null=True, help_text="1 .. timeout_seconds × 1000."
    )
    tls_expiry_days = serializers.IntegerField(required=False, allow_null=True, help_text="1..365.")


class DnsSettingsIn(StrictInputSerializer):
    record_type = serializers.CharField(required=False, help_text="Default `A`.")
    expected = serializers.CharField(required=False, allow_blank=True)


class HeartbeatSettingsIn(StrictInputSerializer):
    period_seconds = serializers.IntegerField(required=False, help_text="≥ 30; default 86400.")
    grace_seconds = serializers.IntegerField(required=False, help_text="≥ 0; default 3600.")


class MonitorPatchIn(StrictInputSerializer):
    name = serializers.CharField(required=False)
    target = serializers.CharField(required=False, allow_blank=True)
    interval_seconds = serializers.IntegerField(required=False, help_text="30..86400.")
    timeout_seconds = serializers.IntegerField(
        required=False, help_text="1..30, less than the interval."
    )
    http = HttpSettingsIn(required=False, help_text="Only for `http`; merged over the stored.")
    dns = DnsSettingsIn(required=False, help_text="Only for `dns`; merged over the stored.")
    heartbeat = HeartbeatSettingsIn(required=False, help_text="Only for `heartbeat`.")
    locations = serializers.ListField(
        child=serializers.CharField(), required=False, help_text='Default `["default"]`.'
    )
    failure_threshold = serializers.IntegerField(required=False, help_text="1..10; default 2.")
    recovery_threshold = serializers.IntegerField(required=False, help_text="1..10; default 2.")
    component_id = serializers.CharField(required=False, allow_null=True)
    down_status = serializers.ChoiceField(choices=checks.DOWN_STATUSES, required=False)
    open_incident = serializers.BooleanField(required=False)
    notify_subscribers = serializers.BooleanField(required=False)
    publish_latency = serializers.BooleanField(required=False)
    paused = serializers.BooleanField(required=False)

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        for name in ("http", "dns", "heartbeat"):
            if name in data:
                data[name] = dict(data[name])
        if "http" in data and "headers" in data["http"]:
            data["http"]["headers"] = dict(data["http"]["headers"])
        return data


class MonitorIn(MonitorPatchIn):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=MonitorKind.choices)


class ResultFiltersIn(StrictInputSerializer):
    location = serializers.CharField(required=False, max_length=64)
    since = TimestampField(required=False)


# ---- views ----------------------------------------------------------------------------------


def _monitor_out(monitor, token: str | None = None) -> dict:
    return MonitorOut(monitor, context={"token": token}).data


class MonitorApiView(PageApiView):
    """Every valid key reads monitors and results; writing needs `pages:write`."""

    write_scope = Scope.PAGES_WRITE

    def monitor(self, monitor_id):
        return selectors.monitor_for_page(self.page, monitor_id)


class MonitorListView(MonitorApiView):
    # A replay of a create never shows the ping URL again.
    idempotency_unstored_fields = ("heartbeat.ping_url",)

    @extend_schema(
        operation_id="monitors_list",
        tags=TAGS,
        parameters=paginated_parameters(),
        responses=list_response(MonitorOut),
        description="Newest first.",
    )
    def get(self, request, page_id):
        return self.paginated(
            selectors.monitors_for_page(self.page), MonitorOut, ordering=("-created_at", "-id")
        )

    @extend_schema(
        operation_id="monitors_create",
        tags=TAGS,
        request=MonitorIn,
        responses={201: MonitorOut},
        description="Creates a monitor (state `pending` until its first result). A heartbeat's "
        "`ping_url` is shown in full only in this answer (and rotate-ping-url's).",
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(MonitorIn)
        monitor, token = services.monitor_create(page=page, **body.service_arguments())
        return Response(_monitor_out(monitor, token), status=status.HTTP_201_CREATED)


class MonitorDetailView(MonitorApiView):
    @extend_schema(operation_id="monitors_retrieve", tags=TAGS, responses=MonitorOut)
    def get(self, request, page_id, monitor_id):
        return Response(_monitor_out(self.monitor(monitor_id)))

    @extend_schema(
        operation_id="monitors_update",
        tags=TAGS,
        request=MonitorPatchIn,
        responses=MonitorOut,
        description="Changes the given fields (the kind stays). Pausing takes back what the "
        "monitor says about its component; resuming starts again from `pending`.",
    )
    def patch(self, request, page_id, monitor_id):
        monitor = self.monitor(monitor_id)
        body = self.validated(MonitorPatchIn)
        monitor = services.monitor_update(monitor=monitor, **body.service_arguments())
        return Response(_monitor_out(monitor))

    @extend_schema(
        operation_id="monitors_destroy",
        tags=TAGS,
        responses={204: None},
        description="Deletes the monitor and its results; an incident it opened stays.",
    )
    def delete(self, request, page_id, monitor_id):
        services.monitor_delete(monitor=self.monitor(monitor_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MonitorRotatePingUrlView(MonitorApiView):
    @extend_schema(
        operation_id="monitors_rotate_ping_url",
        tags=TAGS,
        request=None,
        responses=MonitorOut,
        description="A new ping URL for a heartbeat, shown in full in this answer only; the "
        "old one answers 404 from now on.",
    )
    def post(self, request, page_id, monitor_id):
        monitor, token = services.monitor_rotate_ping_url(monitor=self.monitor(monitor_id))
        return Response(_monitor_out(monitor, token))


class MonitorResultListView(MonitorApiView):
    @extend_schema(
        operation_id="monitor_results_list",
        tags=TAGS,
        parameters=paginated_parameters(
            OpenApiParameter("location", str, description="One location's results."),
            OpenApiParameter(
                "since", {"type": "string", "format": "date-time"}, description="Inclusive."
            ),
        ),
        responses=list_response(MonitorResultOut),
        description="Check results, newest first (kept 90 days).",
    )
    def get(self, request, page_id, monitor_id):
        monitor = self.monitor(monitor_id)
        params = request.query_params
        filters = ResultFiltersIn(
            data={name: params[name] for name in ResultFiltersIn().fields if name in params}
        )
        filters.is_valid(raise_exception=True)
        return self.paginated(
            selectors.results_of_monitor(monitor, **filters.validated_data),
            MonitorResultOut,
            ordering=("-checked_at", "-id"),
        )


# ---- heartbeat pings ------------------------------------------------------------------------


def _ping(request, token: str, signal: str):
    if not ping_accept(token_hash=services.ping_token_hash(token), signal=signal):
        request_id = getattr(request, "request_id", None)
        body = envelope("not_found", "Unknown ping URL.", {}, request_id)
        return JsonResponse(body, status=404)
    return HttpResponse("OK", content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping_view(request, token: str):
    """No API key: the secret token in the URL is the credential."""
    return _ping(request, token, "ping")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping_start_view(request, token: str):
    return _ping(request, token, "start")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping_fail_view(request, token: str):
    return _ping(request, token, "fail")
