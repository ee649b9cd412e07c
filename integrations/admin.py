"""Integrations for operators: made, changed and rotated through the services; their events
read-only, with the payload and what was matched and done."""

import json

from django.contrib import admin, messages
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.admin import PAGE_FILTER, OrganizationScopedAdmin, adopt_created, changed_values, stored
from integrations.models import Integration, IntegrationEvent
from integrations.services import (
    CHANGEABLE_FIELDS,
    inbound_url,
    integration_change,
    integration_create,
    integration_delete,
    integration_rotate_token,
)


@admin.register(Integration)
class IntegrationAdmin(OrganizationScopedAdmin):
    organization_field = "page__organization"
    list_display = ("name", "kind", "page", "inbound_url_hint", "created_at")
    list_filter = (PAGE_FILTER, "kind")
    search_fields = ("name", "id")
    fields = (
        "page",
        "kind",
        "name",
        "rules",
        "notify_subscribers",
        "auto_resolve",
        "open_after_seconds",
        "incident_name_template",
        "incident_message_template",
        "signing_secret",
    )
    readonly_fields = ("id", "inbound_url_hint", "rotate_link", "recent_events", "created_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return ("id", "inbound_url_hint", "rotate_link", *self.fields, "recent_events")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.readonly_fields, "page", "kind")

    @admin.display(description="inbound URL")
    def inbound_url_hint(self, integration):
        return f"…/integrations/{integration.token_hint}… (shown once; rotate for a new one)"

    @admin.display(description="")
    def rotate_link(self, integration):
        url = reverse("admin:integrations_integration_rotate", args=[integration.pk])
        return format_html('<a class="button" href="{}">Rotate token</a>', url)

    @admin.display(description="last events")
    def recent_events(self, integration):
        url = reverse("admin:integrations_integrationevent_changelist")
        return format_html(
            '<a href="{}?integration__id__exact={}">Events of this integration</a>',
            url,
            integration.pk,
        )

    def save_model(self, request, obj, form, change):
        if change:
            integration_change(integration=stored(obj), **changed_values(form, CHANGEABLE_FIELDS))
            return
        data = form.cleaned_data
        integration, token = integration_create(
            page=data["page"],
            kind=data["kind"],
            name=data["name"],
            **{name: data[name] for name in CHANGEABLE_FIELDS - {"name"} if name in data},
        )
        adopt_created(obj, integration)
        obj.plain_token = token  # for this response only; never stored

    def delete_model(self, request, obj):
        integration_delete(integration=obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._token_page(request, obj, obj.plain_token, "Your new integration")

    def _token_page(self, request, integration, token, title):
        # Rendered, never stored or redirected: the URL exists only in this response.
        return self.render_page(
            request,
            "admin/integrations/integration/token.html",
            title=title,
            integration=integration,
            inbound_url=inbound_url(token),
        )

    def get_urls(self):
        return [
            path(
                "<str:object_id>/rotate-token/",
                self.admin_site.admin_view(self.rotate_view),
                name="integrations_integration_rotate",
            ),
            *super().get_urls(),
        ]

    def rotate_view(self, request, object_id):
        integration = self.get_queryset(request).filter(pk=object_id).first()
        if integration is None or not self.has_change_permission(request, integration):
            raise Http404("No such integration.")
        if request.method != "POST":
            return self.render_page(
                request,
                "admin/integrations/integration/rotate.html",
                title=f"Rotate the inbound URL of “{integration.name}”",
                integration=integration,
            )
        integration, token = integration_rotate_token(integration=integration)
        self.log_change(request, integration, "Rotated the inbound URL token.")
        messages.success(request, "The old inbound URL answers 404 from now on.")
        return self._token_page(request, integration, token, "The new inbound URL")


@admin.register(IntegrationEvent)
class IntegrationEventAdmin(OrganizationScopedAdmin):
    organization_field = "integration__page__organization"
    list_display = ("received_at", "integration", "kind", "status", "summary", "incident")
    list_filter = ("status", "kind")
    list_select_related = ("integration", "incident")
    fields = (
        "id",
        "integration",
        "received_at",
        "kind",
        "status",
        "summary",
        "incident",
        "what_was_done",
        "payload_pretty",
    )
    readonly_fields = fields

    @admin.display(description="matched and done")
    def what_was_done(self, event):
        if not event.actions:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((a,) for a in event.actions))
        )

    @admin.display(description="payload")
    def payload_pretty(self, event):
        try:
            text = json.dumps(json.loads(event.payload), indent=2, ensure_ascii=False)
        except ValueError:
            text = event.payload
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', text)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
