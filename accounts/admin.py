"""Organizations and API keys for operators; keys are made and revoked through the services."""

from django import forms
from django.contrib import admin, messages

from accounts.models import ApiKey, Organization, Scope
from accounts.services import api_key_create, api_key_revoke
from core.admin import (
    ORGANIZATION_FILTER,
    OrganizationScopedAdmin,
    adopt_created,
    organization_scoped,
    user_organization_ids,
)


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_field = ""
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    filter_horizontal = ("members",)
    readonly_fields = ("id", "created_at", "updated_at")

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not request.user.is_superuser and form.instance.id in user_organization_ids(
            request.user
        ):
            # An operator may not remove themselves from the organization they are editing.
            form.instance.members.add(request.user)


class ApiKeyCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: a read-only key (it may read everything that needs no scope).",
    )
    # Page ids, read through the organizations: accounts sits below statuspages (no import).
    pages = forms.MultipleChoiceField(
        choices=(),
        required=False,
        help_text="Limit the key to these pages; none: every page of the organization.",
    )

    class Meta:
        model = ApiKey
        fields = ("organization", "name", "scopes", "pages", "expires_at")


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    list_display = (
        "name",
        "token_hint",
        "organization",
        "scope_list",
        "last_used_at",
        "expires_at",
        "state",
    )
    list_filter = (ORGANIZATION_FILTER,)
    search_fields = ("name", "id")
    readonly_fields = (
        "id",
        "token_hint",
        "organization",
        "scopes",
        "page_ids",
        "last_used_at",
        "revoked_at",
        "created_at",
    )
    fields = (
        "id",
        "token_hint",
        "name",
        "organization",
        "scopes",
        "page_ids",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_at",
    )
    actions = ["revoke"]

    @admin.display(description="scopes")
    def scope_list(self, key):
        return ", ".join(key.scopes) or "read-only"

    @admin.display(description="state")
    def state(self, key):
        if key.revoked_at:
            return "revoked"
        return "active" if key.is_active else "expired"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = super().get_form(request, obj, change=change, form=ApiKeyCreateForm, **kwargs)
        pages = list(
            organization_scoped(Organization.objects.all(), request.user, "id__in")
            .filter(status_pages__isnull=False)
            .order_by("name", "status_pages__name")
            .values_list("status_pages__id", "status_pages__name")
        )

        class ScopedPagesForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, **inner)
                self.fields["pages"].choices = pages

        return ScopedPagesForm

    def get_fields(self, request, obj=None):
        return (
            ("organization", "name", "scopes", "pages", "expires_at")
            if obj is None
            else self.fields
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        key, token = api_key_create(
            organization=data["organization"],
            name=data["name"],
            scopes=list(data["scopes"]),
            page_ids=list(data["pages"]),
            expires_at=data["expires_at"],
        )
        adopt_created(obj, key)
        obj.plain_token = token  # for this response only; never stored
        return None

    def response_add(self, request, obj, post_url_continue=None):
        # Rendered, never stored or redirected: the token exists only in this response.
        return self.render_page(
            request,
            "admin/accounts/apikey/token.html",
            title="Your new API key",
            key=obj,
            token=obj.plain_token,
        )

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(api_key=key)
        messages.success(request, "The selected keys are revoked; requests with them get 401.")
