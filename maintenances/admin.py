"""Maintenance windows for operators, through the same services as the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import OrganizationScopedAdmin, PublishedUpdatesInline
from maintenances import services
from maintenances.models import Maintenance, MaintenanceStatus, MaintenanceUpdate


class MaintenanceForm(forms.ModelForm):
    message = forms.CharField(
        widget=forms.Textarea,
        max_length=25_000,
        required=False,
        help_text="Published as the first update.",
    )
    notify_subscribers = forms.BooleanField(initial=True, required=False)

    class Meta:
        model = Maintenance
        fields = ("page", "name", "start_at", "end_at", "auto_transition", "components")

    def clean(self):
        cleaned = super().clean()
        start_at, end_at = cleaned.get("start_at"), cleaned.get("end_at")
        if start_at and end_at and end_at <= start_at:
            raise ValidationError({"end_at": "The window must end after it starts."})
        page = cleaned.get("page") or getattr(self.instance, "page", None)
        for component in cleaned.get("components") or []:
            if page and component.page_id != page.id:
                raise ValidationError({"components": f"{component} is on another page."})
        return cleaned


class MaintenancePublishForm(forms.Form):
    status = forms.ChoiceField(choices=MaintenanceStatus.choices)
    message = forms.CharField(widget=forms.Textarea, max_length=25_000, required=False)
    notify_subscribers = forms.BooleanField(initial=True, required=False)


class MaintenanceUpdateInline(PublishedUpdatesInline):
    model = MaintenanceUpdate


@admin.register(Maintenance)
class MaintenanceAdmin(OrganizationScopedAdmin):
    organization_field = "page__organization"
    form = MaintenanceForm
    list_display = (
        "name",
        "page",
        "status",
        "start_at",
        "end_at",
        "auto_transition",
        "publish_link",
    )
    list_filter = ("status", "page")
    search_fields = ("name", "id")
    list_select_related = ("page",)
    filter_horizontal = ("components",)
    readonly_fields = ("status", "started_at", "completed_at")
    inlines = [MaintenanceUpdateInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            return (
                "page",
                "name",
                "start_at",
                "end_at",
                "auto_transition",
                "components",
                "message",
                "notify_subscribers",
            )
        return (
            "page",
            "name",
            "status",
            "start_at",
            "end_at",
            "auto_transition",
            "components",
            "started_at",
            "completed_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "page") if obj is not None else ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "components" and not request.user.is_superuser:
            from core.admin import user_organization_ids

            field.queryset = field.queryset.filter(
                page__organization__in=user_organization_ids(request.user)
            )
        return field

    def get_urls(self):
        return [
            path(
                "<str:maintenance_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="maintenances_maintenance_publish",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="")
    def publish_link(self, maintenance):
        url = reverse("admin:maintenances_maintenance_publish", args=[maintenance.id])
        return format_html('<a class="button" href="{}">Publish update</a>', url)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changed = {
                name: data[name] for name in form.changed_data if name in services.CHANGEABLE_FIELDS
            }
            if "components" in form.changed_data:
                changed["component_ids"] = [c.id for c in data["components"]]
            services.maintenance_change(maintenance=Maintenance.objects.get(pk=obj.pk), **changed)
        else:
            created = services.maintenance_create(
                page=data["page"],
                name=data["name"],
                start_at=data["start_at"],
                end_at=data["end_at"],
                auto_transition=data["auto_transition"],
                component_ids=[c.id for c in data["components"]],
                message=data["message"],
                notify_subscribers=data["notify_subscribers"],
            )
            obj.__dict__.update(created.__dict__)

    def delete_model(self, request, obj):
        services.maintenance_delete(maintenance=obj)

    def delete_queryset(self, request, queryset):
        for maintenance in queryset:
            services.maintenance_delete(maintenance=maintenance)

    def publish_view(self, request, maintenance_id):
        maintenance = self.get_queryset(request).filter(id=maintenance_id).first()
        if maintenance is None:
            raise Http404("No such maintenance.")
        form = MaintenancePublishForm(request.POST or None, initial={"status": maintenance.status})
        if request.method == "POST" and form.is_valid():
            services.maintenance_update_publish(maintenance=maintenance, **form.cleaned_data)
            self.log_change(
                request, maintenance, f"Published a {form.cleaned_data['status']} update."
            )
            messages.success(request, f"Update published on “{maintenance.name}”.")
            return HttpResponseRedirect(
                reverse("admin:maintenances_maintenance_change", args=[maintenance.id])
            )
        return TemplateResponse(
            request,
            "admin/publish_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Publish an update: {maintenance.name}",
                "form": form,
                "incident": None,
                "submit_label": "Publish update",
            },
        )
