"""Monitors for operators: made, changed, paused and rotated through the services; their state
and last results read-only."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.admin import PAGE_FILTER, OrganizationScopedAdmin, adopt_created, stored
from monitors.models import Monitor, MonitorKind
from monitors.scheduling import monitor_check_now
from monitors.services import (
    monitor_create,
    monitor_delete,
    monitor_rotate_ping_url,
    monitor_update,
    ping_url,
)

LAST_RESULTS = 10
# Form fields → the service's arguments (the heartbeat's two are nested there).
FORM_TO_SERVICE = {
    "name": "name",
    "target": "target",
    "interval_seconds": "interval_seconds",
    "timeout_seconds": "timeout_seconds",
    "http": "http",
    "dns": "dns",
    "locations": "locations",
    "failure_threshold": "failure_threshold",
    "recovery_threshold": "recovery_threshold",
    "component": "component_id",
    "down_status": "down_status",
    "open_incident": "open_incident",
    "notify_subscribers": "notify_subscribers",
    "publish_latency": "publish_latency",
    "paused": "paused",
}
HEARTBEAT_FIELDS = ("period_seconds", "grace_seconds")


class MonitorForm(forms.ModelForm):
    # The service fills what is left empty (the kind's defaults).
    http = forms.JSONField(required=False, help_text="HTTP monitors: settings (README).")
    dns = forms.JSONField(required=False, help_text='DNS monitors: {"record_type", "expected"}.')
    locations = forms.JSONField(required=False, initial=["default"])

    class Meta:
        model = Monitor
        fields = ("page", "kind", *FORM_TO_SERVICE, *HEARTBEAT_FIELDS)


def _service_arguments(form, names) -> dict:
    data = form.cleaned_data
    arguments = {}
    for name in names:
        if name in FORM_TO_SERVICE and name in data:
            value = data[name]
            if name == "component":
                value = value.id if value is not None else None
            if name in ("http", "dns", "locations") and value in (None, ""):
                continue
            arguments[FORM_TO_SERVICE[name]] = value
    heartbeat = {name: data[name] for name in HEARTBEAT_FIELDS if data.get(name) is not None}
    if heartbeat and set(heartbeat) & set(names):
        arguments["heartbeat"] = heartbeat
    return arguments


@admin.register(Monitor)
class MonitorAdmin(OrganizationScopedAdmin):
    form = MonitorForm
    organization_field = "page__organization"
    list_display = ("name", "kind", "page", "state", "component", "last_checked_at", "paused")
    list_filter = (PAGE_FILTER, "kind", "state", "paused")
    list_select_related = ("page", "component")
    search_fields = ("name", "id", "target")
    actions = ("check_now",)
    service_field_names = {
        "component_id": "component",
        "heartbeat.period_seconds": "period_seconds",
        "heartbeat.grace_seconds": "grace_seconds",
    }
    fields = (
        "page",
        "kind",
        "name",
        "target",
        "interval_seconds",
        "timeout_seconds",
        "http",
        "dns",
        "period_seconds",
        "grace_seconds",
        "locations",
        "failure_threshold",
        "recovery_threshold",
        "component",
        "down_status",
        "open_incident",
        "notify_subscribers",
        "publish_latency",
        "paused",
    )
    readonly_fields = (
        "id",
        "state",
        "state_changed_at",
        "last_checked_at",
        "ping_url_hint",
        "rotate_link",
        "last_results",
        "created_at",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (
            "id",
            "state",
            "state_changed_at",
            "last_checked_at",
            "ping_url_hint",
            "rotate_link",
            *self.fields,
            "last_results",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.readonly_fields, "page", "kind")

    @admin.display(description="ping URL")
    def ping_url_hint(self, monitor):
        if monitor.kind != MonitorKind.HEARTBEAT:
            return "—"
        return f"…/ping/{monitor.ping_token_hint}… (shown once; rotate for a new one)"

    @admin.display(description="")
    def rotate_link(self, monitor):
        if monitor.kind != MonitorKind.HEARTBEAT:
            return ""
        url = reverse("admin:monitors_monitor_rotate", args=[monitor.pk])
        return format_html('<a class="button" href="{}">Rotate ping URL</a>', url)

    @admin.display(description="last results")
    def last_results(self, monitor):
        results = monitor.results.order_by("-checked_at", "-id")[:LAST_RESULTS]
        if not results:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} · {} · {}</li>",
                (
                    (
                        f"{r.checked_at:%Y-%m-%d %H:%M:%S}",
                        r.location,
                        "ok" if r.ok else "failed",
                        f"{r.latency_ms} ms" if r.latency_ms is not None else "—",
                        r.error or (r.status_code or ""),
                    )
                    for r in results
                ),
            ),
        )

    @admin.action(description="Check now (once from each location)", permissions=("change",))
    def check_now(self, request, queryset):
        sent = {monitor.name: monitor_check_now(monitor) for monitor in queryset}
        checked = sum(1 for count in sent.values() if count)
        if checked:
            messages.success(
                request,
                f"{checked} monitor(s) checked from {sum(sent.values())} location(s); the "
                "results appear under “last results” as each location's worker answers.",
            )
        skipped = sorted(name for name, count in sent.items() if not count)
        if skipped:
            messages.warning(
                request, f"Heartbeats wait for their job's ping, not checked: {', '.join(skipped)}."
            )

    def save_model(self, request, obj, form, change):
        if change:
            monitor_update(monitor=stored(obj), **_service_arguments(form, set(form.changed_data)))
            return
        data = form.cleaned_data
        monitor, token = monitor_create(
            page=data["page"],
            kind=data["kind"],
            **_service_arguments(form, set(FORM_TO_SERVICE) | set(HEARTBEAT_FIELDS)),
        )
        adopt_created(obj, monitor)
        obj.plain_token = token  # for this response only; never stored

    def delete_model(self, request, obj):
        monitor_delete(monitor=obj)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "plain_token", None):
            return self._ping_url_page(request, obj, obj.plain_token, "Your new heartbeat")
        return super().response_add(request, obj, post_url_continue)

    def _ping_url_page(self, request, monitor, token, title):
        # Rendered, never stored or redirected: the URL exists only in this response.
        return self.render_page(
            request,
            "admin/monitors/monitor/ping_url.html",
            title=title,
            monitor=monitor,
            ping_url=ping_url(token),
        )

    def get_urls(self):
        return [
            path(
                "<str:object_id>/rotate-ping-url/",
                self.admin_site.admin_view(self.rotate_view),
                name="monitors_monitor_rotate",
            ),
            *super().get_urls(),
        ]

    def rotate_view(self, request, object_id):
        monitor = self.get_queryset(request).filter(pk=object_id).first()
        if monitor is None or not self.has_change_permission(request, monitor):
            raise Http404("No such monitor.")
        if request.method != "POST":
            return self.render_page(
                request,
                "admin/monitors/monitor/rotate.html",
                title=f"Rotate the ping URL of “{monitor.name}”",
                monitor=monitor,
            )
        monitor, token = monitor_rotate_ping_url(monitor=monitor)
        self.log_change(request, monitor, "Rotated the ping URL.")
        messages.success(request, "The old ping URL answers 404 from now on.")
        return self._ping_url_page(request, monitor, token, "The new ping URL")
