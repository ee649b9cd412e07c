"""Operator screens for who may read a non-public page: readers, reader groups, share links.
Writes go through ``statuspages.readers``, as the API's do."""

from django import forms
from django.contrib import admin, messages

from core.admin import PAGE_FILTER, OrganizationScopedAdmin, adopt_created, stored
from statuspages import readers
from statuspages.models import Reader, ReaderGroup, ShareLink


class DomainsField(forms.CharField):
    """Email domains as one comma-separated line."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [domain.strip() for domain in text.split(",") if domain.strip()]


class ReaderGroupForm(forms.ModelForm):
    domains = DomainsField(
        required=False, help_text="Addresses at these domains belong to the group, e.g. acme.com."
    )

    class Meta:
        model = ReaderGroup
        fields = ("page", "name", "domains")


@admin.register(ReaderGroup)
class ReaderGroupAdmin(OrganizationScopedAdmin):
    organization_field = "page__organization"
    form = ReaderGroupForm
    list_display = ("name", "page", "created_at")
    list_filter = (PAGE_FILTER,)
    search_fields = ("name",)
    list_select_related = ("page",)

    def get_readonly_fields(self, request, obj=None):
        return ("page",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # Items limited to the group alone would become visible to every reader.
        in_use = obj is not None and readers.reader_group_in_use(obj)
        return not in_use and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the service
        return actions

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            readers.reader_group_update(
                group=stored(obj), name=data["name"], domains=data["domains"]
            )
        else:
            created = readers.reader_group_create(
                page=data["page"], name=data["name"], domains=data["domains"]
            )
            adopt_created(obj, created)

    def delete_model(self, request, obj):
        readers.reader_group_delete(group=obj)


class ReaderForm(forms.ModelForm):
    class Meta:
        model = Reader
        fields = ("page", "email", "groups")


@admin.register(Reader)
class ReaderAdmin(OrganizationScopedAdmin):
    organization_field = "page__organization"
    form = ReaderForm
    list_display = ("email", "page", "created_at")
    list_filter = (PAGE_FILTER,)
    search_fields = ("email",)
    list_select_related = ("page",)

    def get_readonly_fields(self, request, obj=None):
        return ("page", "email") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        pass  # the groups are many-to-many: written with them in save_related

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        group_ids = [group.id for group in data.get("groups", [])]
        if change:
            readers.reader_update(reader=stored(form.instance), group_ids=group_ids)
        else:
            created = readers.reader_invite(
                page=data["page"], email=data["email"], group_ids=group_ids
            )
            adopt_created(form.instance, created)

    def delete_model(self, request, obj):
        readers.reader_delete(reader=obj)


class ShareLinkForm(forms.ModelForm):
    class Meta:
        model = ShareLink
        fields = ("page", "name", "expires_at", "groups")


@admin.register(ShareLink)
class ShareLinkAdmin(OrganizationScopedAdmin):
    """Created here with its URL shown once; revoked by deleting it."""

    organization_field = "page__organization"
    form = ShareLinkForm
    list_display = ("__str__", "page", "expires_at", "created_at")
    list_filter = (PAGE_FILTER,)
    list_select_related = ("page",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        pass  # created with its groups in save_related

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        created, url = readers.share_link_create(
            page=data["page"],
            name=data["name"],
            expires_at=data["expires_at"],
            group_ids=[group.id for group in data.get("groups", [])],
        )
        adopt_created(form.instance, created)
        messages.success(request, f"Share link (shown once): {url}")

    def delete_model(self, request, obj):
        readers.share_link_delete(link=obj)
