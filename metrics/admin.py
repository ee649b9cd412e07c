"""Metrics for operators, through the same services as the API (points come by API or pull)."""

from django import forms
from django.contrib import admin

from core.admin import PAGE_FILTER, OrganizationScopedAdmin, adopt_created, changed_values, stored
from core.validators import validate_url
from metrics import services
from metrics.models import Metric


class MetricForm(forms.ModelForm):
    prometheus_url = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=2048,
        validators=[validate_url],
        help_text="A Prometheus instant query URL pulled every minute; empty: points come "
        "only through the API.",
    )

    class Meta:
        model = Metric
        fields = (
            "page",
            "name",
            "suffix",
            "decimal_places",
            "y_axis_min",
            "y_axis_max",
            "display",
            "position",
            "prometheus_url",
        )


@admin.register(Metric)
class MetricAdmin(OrganizationScopedAdmin):
    form = MetricForm
    organization_field = "page__organization"
    list_display = ("name", "page", "suffix", "display", "position", "last_pulled_at")
    list_filter = (PAGE_FILTER, "display")
    search_fields = ("name", "id")
    list_select_related = ("page",)
    readonly_fields = ("last_pulled_at", "last_pull_error")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "page") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changed = changed_values(form, services.METRIC_FIELDS)
            services.metric_update(metric=stored(obj), **changed)
        else:
            settings = {name: data[name] for name in services.METRIC_FIELDS if name in data}
            position = settings.pop("position", None)
            created = services.metric_create(page=data["page"], position=position, **settings)
            adopt_created(obj, created)

    def delete_model(self, request, obj):
        services.metric_delete(metric=obj)
