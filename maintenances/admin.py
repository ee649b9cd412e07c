"""Maintenance windows for operators, through the same services as the API."""

from django import forms
from django.contrib import admin

from core.admin import (
    PAGE_FILTER,
    PublishedUpdatesInline,
    PublishingAdmin,
    adopt_created,
    changed_values,
    stored,
)
from maintenances import services
from maintenances.models import Maintenance, MaintenanceStatus, MaintenanceUpdate
from pagetemplates.forms import FROM_TEMPLATE, add_template_fields, chosen_template
from pagetemplates.models import MaintenanceTemplate
from statuspages.fields import MessageFormField


class MaintenanceForm(forms.ModelForm):
    message = MessageFormField(help_text="Published as the first update.")
    notify_subscribers = forms.BooleanField(initial=True, required=False)

    class Meta:
        model = Maintenance
        fields = ("page", "name", "start_at", "end_at", "auto_transition", "components")


class MaintenancePublishForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(FROM_TEMPLATE, "— the template's —"), *MaintenanceStatus.choices],
        required=False,
    )
    message = MessageFormField()
    notify_subscribers = forms.BooleanField(initial=True, required=False)

    def __init__(self, *args, maintenance: Maintenance, **kwargs):
        super().__init__(*args, initial={"status": maintenance.status}, **kwargs)
        add_template_fields(self, MaintenanceTemplate, maintenance.page)


class MaintenanceUpdateInline(PublishedUpdatesInline):
    model = MaintenanceUpdate


@admin.register(Maintenance)
class MaintenanceAdmin(PublishingAdmin):
    form = MaintenanceForm
    service_field_names = {"component_ids": "components"}
    list_display = (
        "name",
        "page",
        "status",
        "start_at",
        "end_at",
        "auto_transition",
        "publish_link",
    )
    list_filter = ("status", PAGE_FILTER)
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

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        component_ids = [component.id for component in data["components"]]
        if change:
            changed = changed_values(form, services.CHANGEABLE_FIELDS)
            if "components" in form.changed_data:
                changed["component_ids"] = component_ids
            services.maintenance_change(maintenance=stored(obj), **changed)
        else:
            created = services.maintenance_create(
                page=data["page"],
                name=data["name"],
                start_at=data["start_at"],
                end_at=data["end_at"],
                auto_transition=data["auto_transition"],
                component_ids=component_ids,
                message=data["message"],
                notify_subscribers=data["notify_subscribers"],
            )
            adopt_created(obj, created)

    def save_related(self, request, form, formsets, change):
        # The service set the components; the form's own many-to-many save would bypass it.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        services.maintenance_delete(maintenance=obj)

    def publish_form(self, request, maintenance):
        return MaintenancePublishForm(request.POST or None, maintenance=maintenance)

    def publish(self, maintenance, cleaned_data):
        template_id, values = chosen_template(cleaned_data)
        # An empty field is one the operator left to the template (or to the service).
        explicit = {
            name: cleaned_data[name]
            for name in ("status", "message")
            if cleaned_data[name] != FROM_TEMPLATE
        }
        return services.maintenance_update_publish(
            maintenance=maintenance,
            template_id=template_id,
            template_values=values,
            notify_subscribers=cleaned_data["notify_subscribers"],
            **explicit,
        )
