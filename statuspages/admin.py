"""Pages with their groups and components, edited through the same services as the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from core.admin import OrganizationScopedAdmin, ScopedInline
from core.validators import validate_url
from statuspages import services
from statuspages.models import Component, ComponentGroup, StatusPage
from statuspages.selectors import page_status_map

GROUP_FIELDS = ("name", "description", "position")
COMPONENT_FIELDS = (
    "name",
    "description",
    "group",
    "position",
    "manual_status",
    "only_show_if_degraded",
    "showcase",
    "start_date",
)


class StatusPageForm(forms.ModelForm):
    url_override = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=2048,
        validators=[validate_url],
        help_text="Where the page is published; empty: its address on this service.",
    )

    class Meta:
        model = StatusPage
        fields = ("organization", "name", "slug", "time_zone", "custom_domain", "url_override")

    def clean_custom_domain(self):
        domain = (self.cleaned_data.get("custom_domain") or "").strip().lower() or None
        services.validate_custom_domain(domain)
        return domain

    def clean_time_zone(self):
        from core.validators import validate_time_zone

        return validate_time_zone(self.cleaned_data["time_zone"])


class ComponentGroupInline(ScopedInline):
    model = ComponentGroup
    fields = GROUP_FIELDS
    ordering = ("position", "id")


class ComponentInline(ScopedInline):
    model = Component
    fields = COMPONENT_FIELDS
    ordering = ("group__position", "position", "id")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        page_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if db_field.name == "group" and field is not None:
            field.queryset = ComponentGroup.objects.filter(page_id=page_id)
        return field


@admin.register(StatusPage)
class StatusPageAdmin(OrganizationScopedAdmin):
    form = StatusPageForm
    list_display = ("name", "slug", "organization", "current_status", "public_link")
    list_filter = ("organization",)
    search_fields = ("name", "slug", "custom_domain")
    inlines = [ComponentGroupInline, ComponentInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # groups and components once it exists

    @admin.display(description="status")
    def current_status(self, page):
        # A few queries per row: an organization has a handful of pages, not hundreds.
        return page_status_map([page])[page.id]["description"]

    @admin.display(description="public page")
    def public_link(self, page):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', page.public_url, page.public_url
        )

    def save_model(self, request, obj, form, change):
        if change:
            changed = {
                name: getattr(obj, name)
                for name in form.changed_data
                if name in services.PAGE_FIELDS
            }
            services.status_page_update(page=obj, **changed)
        else:
            created = services.status_page_create(
                organization=obj.organization,
                name=obj.name,
                slug=obj.slug,
                time_zone=obj.time_zone,
                custom_domain=obj.custom_domain,
                url_override=obj.url_override,
            )
            obj.__dict__.update(created.__dict__)

    def delete_model(self, request, obj):
        services.status_page_delete(page=obj)

    def save_formset(self, request, form, formset, change):
        page = form.instance
        # What the admin's change message reads; our saves bypass formset.save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is ComponentGroup:
            self._save_groups(page, formset)
        elif formset.model is Component:
            self._save_components(request, page, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _save_groups(self, page, formset):
        for inline_form in formset.forms:
            group = inline_form.instance
            if not inline_form.has_changed() and not formset._should_delete_form(inline_form):
                continue
            exists = not group._state.adding  # ids are set at instantiation, so pk is no guide
            if formset._should_delete_form(inline_form):
                if exists:
                    services.component_group_delete(group=group)
                    formset.deleted_objects.append(group)
            elif exists:
                services.component_group_update(
                    group=group,
                    **{
                        name: inline_form.cleaned_data[name]
                        for name in inline_form.changed_data
                        if name in GROUP_FIELDS
                    },
                )
                formset.changed_objects.append((group, inline_form.changed_data))
            else:
                formset.new_objects.append(
                    services.component_group_create(
                        page=page,
                        **{
                            name: inline_form.cleaned_data.get(name)
                            for name in GROUP_FIELDS
                            if inline_form.cleaned_data.get(name) is not None
                        },
                    )
                )

    def _save_components(self, request, page, formset):
        for inline_form in formset.forms:
            component = inline_form.instance
            exists = not component._state.adding
            if formset._should_delete_form(inline_form):
                if exists:
                    try:
                        services.component_delete(component=component)
                        formset.deleted_objects.append(component)
                    except services.ComponentInUse as exc:
                        messages.error(request, f"{component.name} was kept: {exc}")
                continue
            if not inline_form.has_changed():
                continue
            data = {name: inline_form.cleaned_data.get(name) for name in COMPONENT_FIELDS}
            try:
                if exists:
                    changed = {
                        name: data[name]
                        for name in inline_form.changed_data
                        if name in COMPONENT_FIELDS
                    }
                    services.component_update(
                        component=Component.objects.get(pk=component.pk), **changed
                    )
                    formset.changed_objects.append((component, list(changed)))
                else:
                    formset.new_objects.append(
                        services.component_create(
                            page=page,
                            **{name: value for name, value in data.items() if value is not None},
                        )
                    )
            except ValidationError as exc:
                messages.error(request, f"{data['name']}: {'; '.join(exc.messages)}")
