"""Operators open, update and resolve incidents here, through the same services as the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import OrganizationScopedAdmin, PublishedUpdatesInline, user_organization_ids
from incidents import services
from incidents.models import Incident, IncidentStatus, IncidentUpdate
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


class IncidentOpenForm(forms.Form):
    page = forms.ModelChoiceField(queryset=StatusPage.objects.none())
    name = forms.CharField(max_length=255)
    status = forms.ChoiceField(choices=IncidentStatus.choices, initial=IncidentStatus.INVESTIGATING)
    message = forms.CharField(widget=forms.Textarea, max_length=25_000, required=False)
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
            _component_fields(self, page, {})


class IncidentPublishForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices)
    message = forms.CharField(widget=forms.Textarea, max_length=25_000, required=False)
    notify_subscribers = forms.BooleanField(initial=True, required=False)

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].initial = incident.status
        current = {link.component_id: link.status for link in incident.component_links.all()}
        _component_fields(self, incident.page, current)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == IncidentStatus.RESOLVED and _component_statuses(cleaned):
            raise ValidationError(
                "Resolving resets this incident's components to operational: "
                "leave the components unchanged."
            )
        return cleaned


class IncidentUpdateInline(PublishedUpdatesInline):
    model = IncidentUpdate


@admin.register(Incident)
class IncidentAdmin(OrganizationScopedAdmin):
    organization_field = "page__organization"
    list_display = ("name", "page", "status", "impact", "started_at", "resolved_at", "publish_link")
    list_filter = ("status", "impact", "page")
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

    def get_urls(self):
        return [
            path(
                "<str:incident_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="incidents_incident_publish",
            ),
            *super().get_urls(),
        ]

    def _pages(self, request):
        pages = StatusPage.objects.all()
        if not request.user.is_superuser:
            pages = pages.filter(organization__in=user_organization_ids(request.user))
        return pages

    @admin.display(description="")
    def publish_link(self, incident):
        url = reverse("admin:incidents_incident_publish", args=[incident.id])
        return format_html('<a class="button" href="{}">Publish update</a>', url)

    @admin.display(description="public link")
    def shortlink_link(self, incident):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            incident.shortlink,
            incident.shortlink,
        )

    def add_view(self, request, form_url="", extra_context=None):
        pages = self._pages(request)
        page = pages.filter(id=request.POST.get("page") or request.GET.get("page")).first()
        if page is None and pages.count() == 1:
            page = pages.first()
        form = IncidentOpenForm(request.POST or None, pages=pages, page=page)
        if request.method == "POST" and page is not None and form.is_valid():
            data = form.cleaned_data
            try:
                incident = services.incident_create(
                    page=data["page"],
                    name=data["name"],
                    status=data["status"],
                    message=data["message"],
                    impact_override=data["impact_override"] or None,
                    notify_subscribers=data["notify_subscribers"],
                    component_statuses=_component_statuses(data),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.log_addition(request, incident, [{"added": {}}])
                messages.success(request, f"Incident “{incident.name}” is open and published.")
                return HttpResponseRedirect(
                    reverse("admin:incidents_incident_change", args=[incident.id])
                )
        return TemplateResponse(
            request,
            "admin/publish_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Open an incident",
                "form": form,
                "choose_page": page is None,
                "incident": None,
                "submit_label": "Open incident",
            },
        )

    def publish_view(self, request, incident_id):
        incident = self.get_queryset(request).select_related("page").filter(id=incident_id).first()
        if incident is None:
            raise Http404("No such incident.")
        form = IncidentPublishForm(request.POST or None, incident=incident)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.incident_update_publish(
                    incident=incident,
                    status=data["status"],
                    message=data["message"],
                    notify_subscribers=data["notify_subscribers"],
                    component_statuses=_component_statuses(data),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.log_change(request, incident, f"Published a {data['status']} update.")
                messages.success(request, f"Update published on “{incident.name}”.")
                return HttpResponseRedirect(
                    reverse("admin:incidents_incident_change", args=[incident.id])
                )
        return TemplateResponse(
            request,
            "admin/publish_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Publish an update: {incident.name}",
                "form": form,
                "incident": incident,
                "original": incident,
                "submit_label": "Publish update",
            },
        )

    def save_model(self, request, obj, form, change):
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.CHANGEABLE_FIELDS
        }
        services.incident_change(incident=Incident.objects.get(pk=obj.pk), **changed)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ChangeForm(form):
            def clean_postmortem(self):
                postmortem = self.cleaned_data.get("postmortem")
                if postmortem and obj is not None and not obj.is_resolved:
                    raise ValidationError(
                        "A postmortem can be added once the incident is resolved."
                    )
                return postmortem

        return ChangeForm

    def delete_model(self, request, obj):
        services.incident_delete(incident=obj)

    def delete_queryset(self, request, queryset):
        for incident in queryset:
            services.incident_delete(incident=incident)

    @admin.action(description="Resolve the selected incidents (notifies subscribers)")
    def resolve(self, request, queryset):
        resolved = 0
        for incident in queryset.exclude(status=IncidentStatus.RESOLVED):
            services.incident_resolve(incident=incident, message="This incident has been resolved.")
            resolved += 1
        messages.success(request, f"Resolved {resolved} incident(s).")
