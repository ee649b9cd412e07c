"""Operators open, update and resolve incidents here, through the same services as the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from core.admin import (
    PAGE_FILTER,
    PublishedUpdatesInline,
    PublishingAdmin,
    changed_values,
    stored,
    writable_scoped,
)
from incidents import services
from incidents.models import Incident, IncidentStatus, IncidentUpdate
from pagetemplates.forms import FROM_TEMPLATE, add_template_fields, chosen_template
from pagetemplates.models import IncidentTemplate
from statuspages.fields import MessageFormField
from statuspages.models import Component, ComponentStatus, Impact, StatusPage

UNCHANGED = ""


def _component_fields(form: forms.Form, page: StatusPage, current: dict[str, str]) -> None:
    """One select per component: leave unchanged, or give it a status within this incident."""
    for component in Component.objects.filter(page=page).order_by("position", "id"):
        label = component.name
        if component.id in current:
            label += f" (now {current[component.id].replace('_', ' ')} in this incident)"
        form.fields[f"component_{component.id}"] = forms.ChoiceField(
            label=label,
            required=False,
            choices=[(UNCHANGED, "— not affected / unchanged —"), *ComponentStatus.choices],
        )


def _component_statuses(cleaned: dict) -> list[dict]:
    return [
        {"component_id": name.removeprefix("component_"), "status": value}
        for name, value in cleaned.items()
        if name.startswith("component_") and value != UNCHANGED
    ]


def _given(cleaned: dict, **fields) -> dict:
    """The fields the operator filled in: with a template, empty ones are the template's."""
    if cleaned.get("template") is None:
        return {name: value for name, value in fields.items() if value != FROM_TEMPLATE}
    return {name: value for name, value in fields.items() if value not in (FROM_TEMPLATE, [])}


class IncidentOpenForm(forms.Form):
    page = forms.ModelChoiceField(queryset=StatusPage.objects.none())
    name = forms.CharField(max_length=255, required=False)
    status = forms.ChoiceField(
        choices=[
            (FROM_TEMPLATE, "— the template's, else investigating —"),
            *IncidentStatus.choices,
        ],
        initial=IncidentStatus.INVESTIGATING,
        required=False,
    )
    message = MessageFormField()
    impact_override = forms.ChoiceField(
        choices=[("", "— derived from components —"), *Impact.choices], required=False
    )
    notify_subscribers = forms.BooleanField(initial=True, required=False)

    def __init__(self, *args, pages, page=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page"].queryset = pages
        if page is not None:
            self.fields["page"].initial = page.id
            self.fields["page"].widget = forms.HiddenInput()
            add_template_fields(self, IncidentTemplate, page)
            _component_fields(self, page, {})


class IncidentPublishForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(FROM_TEMPLATE, "— the template's —"), *IncidentStatus.choices], required=False
    )
    message = MessageFormField()
    notify_subscribers = forms.BooleanField(initial=True, required=False)

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].initial = incident.status
        current = {link.component_id: link.status for link in incident.component_links.all()}
        add_template_fields(self, IncidentTemplate, incident.page)
        _component_fields(self, incident.page, current)


class IncidentUpdateInline(PublishedUpdatesInline):
    model = IncidentUpdate


@admin.register(Incident)
class IncidentAdmin(PublishingAdmin):
    list_display = ("name", "page", "status", "impact", "started_at", "resolved_at", "publish_link")
    list_filter = ("status", "impact", PAGE_FILTER)
    search_fields = ("name", "id")
    list_select_related = ("page",)
    date_hierarchy = "started_at"
    fields = (
        "id",
        "page",
        "name",
        "status",
        "impact",
        "impact_override",
        "started_at",
        "monitoring_at",
        "resolved_at",
        "postmortem",
        "shortlink_link",
    )
    readonly_fields = (
        "id",
        "page",
        "status",
        "impact",
        "started_at",
        "monitoring_at",
        "resolved_at",
        "shortlink_link",
    )
    inlines = [IncidentUpdateInline]
    actions = ["resolve"]
    change_form_template = "admin/incidents/incident/change_form.html"

    @admin.display(description="public link")
    def shortlink_link(self, incident):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            incident.shortlink,
            incident.shortlink,
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        pages = writable_scoped(StatusPage.objects.all(), request.user, Incident)
        page = pages.filter(id=request.POST.get("page") or request.GET.get("page")).first()
        if page is None and pages.count() == 1:
            page = pages.first()
        form = IncidentOpenForm(request.POST or None, pages=pages, page=page)
        if page is not None:
            incident = self.submit_to_service(request, form, self._open)
            if incident is not None:
                self.log_addition(request, incident, [{"added": {}}])
                messages.success(request, f"Incident “{incident.name}” is open and published.")
                return HttpResponseRedirect(
                    reverse("admin:incidents_incident_change", args=[incident.id])
                )
        return self.render_form_page(
            request,
            title="Open an incident",
            form=form,
            submit_label="Open incident",
            choose_page=page is None,
        )

    def _open(self, data):
        template_id, values = chosen_template(data)
        explicit = _given(
            data,
            name=data["name"],
            status=data["status"],
            message=data["message"],
            component_statuses=_component_statuses(data),
        )
        common = {
            "page": data["page"],
            "impact_override": data["impact_override"],
            "notify_subscribers": data["notify_subscribers"],
        }
        return services.incident_create(
            template_id=template_id, template_values=values, **common, **explicit
        )

    def publish_form(self, request, incident):
        return IncidentPublishForm(request.POST or None, incident=incident)

    def publish(self, incident, cleaned_data):
        template_id, values = chosen_template(cleaned_data)
        explicit = _given(
            cleaned_data,
            status=cleaned_data["status"],
            message=cleaned_data["message"],
            component_statuses=_component_statuses(cleaned_data),
        )
        return services.incident_update_publish(
            incident=incident,
            template_id=template_id,
            template_values=values,
            notify_subscribers=cleaned_data["notify_subscribers"],
            **explicit,
        )

    def publish_context(self, incident):
        return {"incident": incident}

    def save_model(self, request, obj, form, change):
        changed = changed_values(form, services.CHANGEABLE_FIELDS)
        services.incident_change(incident=stored(obj), **changed)

    @admin.action(description="Resolve the selected incidents (notifies subscribers)")
    def resolve(self, request, queryset):
        resolved = 0
        for incident in queryset.exclude(status=IncidentStatus.RESOLVED):
            services.incident_resolve(incident=incident, message="This incident has been resolved.")
            resolved += 1
        messages.success(request, f"Resolved {resolved} incident(s).")
