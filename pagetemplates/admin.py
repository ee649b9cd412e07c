"""Templates are edited inline on their page, through the template services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import ScopedInline, stored
from pagetemplates import services
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from pagetemplates.statuses import status_choices
from statuspages.admin import StatusPageAdmin
from statuspages.models import StatusPage


def _template_form(model):
    kind = services.KIND[model]

    class TemplateForm(forms.ModelForm):
        status = forms.ChoiceField(choices=(), required=False)

        class Meta:
            fields = sorted(services.FIELDS[model])
            widgets = {
                "message": forms.Textarea(attrs={"rows": 3, "cols": 40}),
                "component_statuses": forms.Textarea(attrs={"rows": 2, "cols": 30}),
                "component_ids": forms.Textarea(attrs={"rows": 2, "cols": 30}),
            }

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["status"].choices = [("", "—"), *status_choices(kind)]

    TemplateForm.Meta.model = model
    return TemplateForm


class IncidentTemplateInline(ScopedInline):
    model = IncidentTemplate
    form = _template_form(IncidentTemplate)
    fields = ("name", "title", "message", "status", "component_statuses", "notify_subscribers")


class MaintenanceTemplateInline(ScopedInline):
    model = MaintenanceTemplate
    form = _template_form(MaintenanceTemplate)
    fields = ("name", "title", "message", "status", "component_ids", "notify_subscribers")


class StatusPageWithTemplatesAdmin(StatusPageAdmin):
    """The page admin, with its incident and maintenance templates inline."""

    inlines = [*StatusPageAdmin.inlines, IncidentTemplateInline, MaintenanceTemplateInline]

    def save_formset(self, request, form, formset, change):
        if formset.model not in services.FIELDS:
            return super().save_formset(request, form, formset, change)
        field_names = services.FIELDS[formset.model]
        formset.save(commit=False)  # writes nothing; sorts the rows
        for template in formset.deleted_objects:
            services.template_delete(template=template)
        for template, changed in formset.changed_objects:
            _naming(
                template,
                services.template_update,
                template=stored(template),
                **{name: getattr(template, name) for name in changed if name in field_names},
            )
        for template in formset.new_objects:
            _naming(
                template,
                services.template_create,
                model=formset.model,
                page=form.instance,
                **{name: getattr(template, name) for name in field_names},
            )
        return None


def _naming(template, service, **arguments):
    """A refusal of one inline row says which template it was."""
    try:
        return service(**arguments)
    except ValidationError as refusal:
        raise ValidationError(f"Template “{template}”: {'; '.join(refusal.messages)}") from refusal


admin.site.unregister(StatusPage)
admin.site.register(StatusPage, StatusPageWithTemplatesAdmin)
