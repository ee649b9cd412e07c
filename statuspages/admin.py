"""Pages with their groups and components, edited through the same services as the API."""

from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import (
    ORGANIZATION_FILTER,
    PAGE_FILTER,
    OrganizationScopedAdmin,
    ScopedInline,
    adopt_created,
    changed_values,
    stored,
)
from statuspages import reader_admin, services
from statuspages.models import (
    Component,
    ComponentGroup,
    ComponentStatus,
    StatusPage,
    Visibility,
)
from statuspages.reader_admin import DomainsField
from statuspages.selectors import page_status_map
from statuspages.upstreams import UpstreamUnavailable, upstream_page_read, upstream_url_checked


def _in_model_order(model, names) -> tuple[str, ...]:
    """The fields a service may change, in the order the model declares them."""
    return tuple(field.name for field in model._meta.get_fields() if field.name in names)


GROUP_FIELDS = _in_model_order(ComponentGroup, services.GROUP_FIELDS)
COMPONENT_FIELDS = _in_model_order(Component, services.COMPONENT_FIELDS)


class StatusPageForm(forms.ModelForm):
    url_override = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=2048,
        help_text="Where the page is published; empty: its address on this service.",
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        required=False,
        help_text="Private and audience pages answer 404 to anyone they do not admit.",
    )
    reader_domains = DomainsField(
        required=False,
        help_text="Non-public pages: addresses at these email domains may sign in, e.g. acme.com.",
    )
    notify_on_upstream = forms.BooleanField(
        required=False,
        label="Notify on upstream changes",
        help_text="Subscribers hear of the status changes of components that mirror a vendor's "
        "page (off: the page shows them, nobody is told).",
    )

    class Meta:
        model = StatusPage
        fields = (
            "organization",
            "name",
            "slug",
            "time_zone",
            "default_language",
            "custom_domain",
            "url_override",
            "visibility",
            "reader_domains",
            "notify_on_upstream",
        )

    def clean_visibility(self):
        # Left out of a submitted form: the page keeps its visibility.
        return self.cleaned_data.get("visibility") or self.instance.visibility


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


@contextmanager
def _naming_the_row(obj):
    """A service's refusal of one inline row says which row it was."""
    try:
        yield
    except ValidationError as refusal:
        raise ValidationError(f"{obj}: {'; '.join(refusal.messages)}") from refusal
    except services.ComponentInUse as refusal:
        raise ValidationError(f"{obj} was kept: {refusal}") from refusal


# For each inline: the service keyword naming the row, the fields it takes, and its services.
_INLINE_SERVICES = {
    ComponentGroup: (
        "group",
        services.GROUP_FIELDS,
        services.component_group_create,
        services.component_group_update,
        services.component_group_delete,
    ),
    Component: (
        "component",
        services.COMPONENT_FIELDS,
        services.component_create,
        services.component_update,
        services.component_delete,
    ),
}


# Registered with this module: readers, reader groups and share links.
__all__ = ["reader_admin"]


@admin.register(StatusPage)
class StatusPageAdmin(OrganizationScopedAdmin):
    form = StatusPageForm
    list_display = ("name", "slug", "organization", "current_status", "public_link")
    list_filter = (ORGANIZATION_FILTER,)
    search_fields = ("name", "slug", "custom_domain")
    inlines = [ComponentGroupInline, ComponentInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # groups and components once it exists

    def get_readonly_fields(self, request, obj=None):
        return ("organization",) if obj is not None else ()  # the services never move a page

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
        data = form.cleaned_data
        if change:
            changed = changed_values(form, services.PAGE_FIELDS)
            services.status_page_update(page=stored(obj), **changed)
        else:
            created = services.status_page_create(
                organization=data["organization"],
                name=data["name"],
                slug=data["slug"],
                time_zone=data["time_zone"],
                default_language=data["default_language"],
                custom_domain=data["custom_domain"],
                url_override=data["url_override"],
                visibility=data["visibility"],
                reader_domains=data["reader_domains"],
                notify_on_upstream=data["notify_on_upstream"],
            )
            adopt_created(obj, created)

    def delete_model(self, request, obj):
        services.status_page_delete(page=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model not in _INLINE_SERVICES:
            return super().save_formset(request, form, formset, change)
        keyword, field_names, create, update, delete = _INLINE_SERVICES[formset.model]
        # Writes nothing; sorts the rows into deleted, changed and new (the change message).
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            with _naming_the_row(obj):
                delete(**{keyword: obj})
        for obj, changed in formset.changed_objects:
            with _naming_the_row(obj):
                update(
                    **{keyword: stored(obj)},
                    **{name: getattr(obj, name) for name in changed if name in field_names},
                )
        for obj in formset.new_objects:
            values = {name: getattr(obj, name) for name in field_names}
            with _naming_the_row(obj):
                create(
                    page=form.instance,
                    **{name: value for name, value in values.items() if value is not None},
                )
        return None


UPSTREAM_FIELDS = ("upstream_url", "upstream_component_id")


class ComponentForm(forms.ModelForm):
    upstream_url = forms.CharField(
        label="Upstream page",
        required=False,
        max_length=1024,
        help_text="Mirror a vendor's Statuspage page, e.g. https://www.githubstatus.com (polled "
        "once a minute); empty: mirror nothing.",
    )
    upstream_component_id = forms.CharField(
        label="Upstream component id",
        required=False,
        max_length=255,
        help_text="The vendor's component to mirror (see “Pick from this page”); empty: the "
        "page's overall status.",
    )

    class Meta:
        model = Component
        fields = (*COMPONENT_FIELDS, *UPSTREAM_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "group" in self.fields:
            self.fields["group"].queryset = self.fields["group"].queryset.filter(
                page_id=self.instance.page_id
            )


def upstream_changed(form) -> dict:
    """``upstream`` for the service when the operator changed either of its fields."""
    if not set(UPSTREAM_FIELDS) & set(form.changed_data):
        return {}
    url = form.cleaned_data["upstream_url"].strip()
    component_id = form.cleaned_data["upstream_component_id"].strip() or None
    return {"upstream": {"url": url, "component_id": component_id} if url else None}


class UpstreamChoiceForm(forms.Form):
    url = forms.CharField(max_length=1024)
    component_id = forms.CharField(max_length=255, required=False)


class ComponentStatusForm(forms.Form):
    manual_status = forms.ChoiceField(label="New status", choices=ComponentStatus.choices)


@admin.register(Component)
class ComponentAdmin(OrganizationScopedAdmin):
    """Every component of the operator's pages in one list; added and removed on their page."""

    organization_field = "page__organization"
    form = ComponentForm
    service_field_names = {
        "group_id": "group",
        "upstream": "upstream_url",
        "upstream.url": "upstream_url",
        "upstream.component_id": "upstream_component_id",
    }
    list_display = ("name", "page", "group", "manual_status", "showcase", "updated_at")
    list_filter = (PAGE_FILTER, "manual_status")
    search_fields = ("name",)
    list_select_related = ("page", "group")
    ordering = ("page__name", "group__position", "position", "id")
    fieldsets = (
        (None, {"fields": ("id", "page", *COMPONENT_FIELDS)}),
        (
            "Mirror a vendor's status",
            {
                "fields": (
                    *UPSTREAM_FIELDS,
                    "upstream_picker",
                    "upstream_status",
                    "upstream_checked_at",
                    "upstream_error",
                )
            },
        ),
    )
    readonly_fields = (
        "id",
        "page",
        "upstream_picker",
        "upstream_status",
        "upstream_checked_at",
        "upstream_error",
    )
    actions = ["change_status"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = changed_values(form, services.COMPONENT_FIELDS)
        services.component_update(component=stored(obj), **changed, **upstream_changed(form))

    def get_urls(self):
        return [
            path(
                "<str:object_id>/upstream/",
                self.admin_site.admin_view(self.upstream_view),
                name="statuspages_component_upstream",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="")
    def upstream_picker(self, component):
        url = reverse("admin:statuspages_component_upstream", args=[component.pk])
        return format_html('<a class="button" href="{}">Pick from this page…</a>', url)

    def upstream_view(self, request, object_id):
        """ "Pick from this page": the upstream page's components, one to mirror."""
        component = self.get_queryset(request).select_related("page").filter(pk=object_id).first()
        if component is None:
            raise Http404("No such component.")
        if not self.has_change_permission(request, component):
            raise PermissionDenied
        form = UpstreamChoiceForm(request.POST if request.method == "POST" else None)
        chosen = self.submit_to_service(
            request,
            form,
            lambda data: services.component_update(
                component=component,
                upstream={"url": data["url"], "component_id": data["component_id"] or None},
            ),
        )
        if chosen is not None:
            self.log_change(request, component, f"Mirrors {chosen.upstream_url}.")
            messages.success(request, f"“{component.name}” mirrors {chosen.upstream_url}.")
            change = reverse("admin:statuspages_component_change", args=[component.pk])
            return HttpResponseRedirect(change)
        given = (request.POST if request.method == "POST" else request.GET).get("url")
        url = (given if given is not None else component.upstream_url).strip()
        upstream, error = None, ""
        if url:
            try:
                upstream = upstream_page_read(upstream_url_checked(url, field="url"))
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            except UpstreamUnavailable as unavailable:
                error = str(unavailable)
        mirrored = (
            component.upstream_component_id
            if upstream and (upstream.url == component.upstream_url)
            else None
        )
        return self.render_page(
            request,
            "admin/statuspages/component/upstream.html",
            title=f"Pick from this page: {component.name}",
            original=component,
            form=form,
            url=url,
            upstream=upstream,
            error=error,
            mirrored=mirrored,
        )

    @admin.action(description="Change the status of the selected components")
    def change_status(self, request, queryset):
        form = ComponentStatusForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            status = form.cleaned_data["manual_status"]
            changed = 0
            for component in queryset.select_related("page").exclude(manual_status=status):
                services.component_update(component=component, manual_status=status)
                self.log_change(request, component, f"Status set to {status}.")
                changed += 1
            label = ComponentStatus(status).label
            messages.success(request, f"{changed} component(s) are now “{label}”.")
            return None
        return self.render_page(
            request,
            "admin/statuspages/component/change_status.html",
            title="Change the status of components",
            form=form,
            components=queryset.select_related("page"),
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )
