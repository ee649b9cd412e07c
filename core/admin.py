"""The operator admin site's shared edge: tenancy (staff see and touch only their organizations'
rows) and showing a service's refusal as form errors. Rules stay in the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

admin.site.site_header = "Status pages — operator console"
admin.site.site_title = "Status pages"
admin.site.index_title = "Operate your status pages"

# Where a service's refusal of a save waits while the admin shows the form again.
_REFUSAL = "operator_admin_refusal"


class AdminAccess:
    """Which organizations a staff user acts in, and where they may change a model's rows.
    core knows no members, so this default places staff in no organization; accounts installs
    the policy read from members' roles (``use_admin_access``) in its AppConfig.ready."""

    def organization_ids(self, user) -> list[str]:
        return []

    def may_change(self, user, model, organization_id: str | None) -> bool:
        """``organization_id`` None: in at least one of the user's organizations."""
        return True

    def writable_organization_ids(self, user, model) -> list[str]:
        return self.organization_ids(user)


_access = AdminAccess()


def use_admin_access(access: AdminAccess) -> None:
    global _access
    _access = access


def user_organization_ids(user) -> list[str]:
    cached = getattr(user, "_organization_ids", None)
    if cached is None:
        cached = _access.organization_ids(user)
        user._organization_ids = cached
    return cached


def organization_scoped(queryset, user, lookup: str = "organization__in"):
    """``queryset`` limited to the user's organizations through ``lookup``; superusers see all."""
    if user.is_superuser:
        return queryset
    return queryset.filter(**{lookup: user_organization_ids(user)})


def may_change(request, model, organization_id: str | None = None) -> bool:
    """Whether the operator may change ``model``'s rows (in ``organization_id``, or in one of
    their organizations when None); reading needs only being an operator."""
    return is_operator(request) and _access.may_change(request.user, model, organization_id)


def writable_scoped(queryset, user, model, lookup: str = "organization__in"):
    """``queryset`` limited to the organizations where ``user`` may change ``model``'s rows."""
    if user.is_superuser:
        return queryset
    return queryset.filter(**{lookup: _access.writable_organization_ids(user, model)})


def organization_id_of(obj, organization_field: str) -> str:
    """The id of ``obj``'s organization, following ``organization_field`` ("" for itself)."""
    if not organization_field:
        return obj.pk
    *path, last = organization_field.split("__")
    for name in path:
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id")


def is_operator(request) -> bool:
    return request.user.is_active and request.user.is_staff


def show_refusal(form, refusal: ValidationError, field_names: dict[str, str] | None = None):
    """A service's ValidationError on ``form``: under the field it names (renamed through
    ``field_names`` from the service's argument to the form's field), else above the form."""
    field_names = field_names or {}
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal.messages)
        return
    for name, errors in refusal.message_dict.items():
        field = field_names.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


def changed_values(form, allowed) -> dict:
    """What the operator changed in ``form``, limited to the fields a service may change."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}


def stored(obj):
    """``obj`` as the database holds it: the admin's form has already written the new values
    onto ``obj``, and a service compares the old row with the changes it is given."""
    return type(obj).objects.get(pk=obj.pk)


def adopt_created(obj, created) -> None:
    """The admin goes on with the object its form built; make it the row a service created."""
    obj.pk = created.pk
    obj.refresh_from_db()


# Filters by page or organization list only the operator's own (the plain one lists every row).
PAGE_FILTER = ("page", admin.RelatedOnlyFieldListFilter)
ORGANIZATION_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)

# Choices offered in a foreign-key field are limited to the operator's organizations: model
# label → the lookup from that model to its organization, filled by the apps (scope_choices).
_FOREIGN_KEY_SCOPES: dict[str, str] = {}


def scope_choices(model, lookup: str) -> None:
    """Offer ``model``'s rows in admin foreign-key fields only where ``lookup`` (from the model to
    its organization's id) is one of the operator's organizations; apps call this in ready."""
    _FOREIGN_KEY_SCOPES[model._meta.label] = lookup


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices only offer the operator's organizations' rows."""

    def _scoped_field(self, db_field, field, request):
        lookup = _FOREIGN_KEY_SCOPES.get(db_field.related_model._meta.label)
        if field is not None and lookup:
            # Only where the operator's role lets them change this admin's rows.
            field.queryset = writable_scoped(field.queryset, request.user, self.model, lookup)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._scoped_field(db_field, field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._scoped_field(db_field, field, request)


class OrganizationScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """``organization_field`` is the lookup from the model to its Organization ("" for the
    Organization itself). Superusers see everything; other staff only their organizations',
    and change rows only where the access policy (their role there) allows.

    Saves go through services in ``save_model``/``save_formset``; when a service refuses with
    a ValidationError, the save is rolled back and the form comes back with the reasons.
    ``service_field_names`` renames the service's argument names to the form's fields."""

    organization_field = "organization"
    service_field_names: dict[str, str] = {}

    def get_queryset(self, request):
        lookup = f"{self.organization_field}__in" if self.organization_field else "id__in"
        return organization_scoped(super().get_queryset(request), request.user, lookup)

    def has_module_permission(self, request):
        return is_operator(request)

    def has_view_permission(self, request, obj=None):
        return is_operator(request)

    def _may_change(self, request, obj=None) -> bool:
        """The one role check every write here goes through (see AdminAccess)."""
        organization_id = None if obj is None else organization_id_of(obj, self.organization_field)
        return may_change(request, self.model, organization_id)

    def has_add_permission(self, request, obj=None):
        return self._may_change(request)

    def has_change_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def get_actions(self, request):
        # Actions change rows: each runs only on the selected rows the operator may change.
        actions = super().get_actions(request)
        if request.user.is_superuser:
            return actions
        if not self._may_change(request):
            return {}
        return {
            name: (self._on_writable_rows(func), label, description)
            for name, (func, label, description) in actions.items()
        }

    def _on_writable_rows(self, action):
        lookup = f"{self.organization_field}__in" if self.organization_field else "id__in"

        def limited(modeladmin, request, queryset):
            rows = writable_scoped(queryset, request.user, self.model, lookup)
            return action(modeladmin, request, rows)

        return limited

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            if request.method != "POST" or hasattr(request, _REFUSAL):
                raise
            # The refused save's transaction is rolled back; validate again, now with the
            # service's reasons, so the operator sees the form and what to change.
            setattr(request, _REFUSAL, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form
        field_names = self.service_field_names

        class RefusedForm(form):
            def clean(self):
                cleaned = super().clean()
                show_refusal(self, refusal, field_names)
                return cleaned

        return RefusedForm

    def delete_queryset(self, request, queryset):
        # One by one, so a ``delete_model`` that calls a service is never bypassed.
        for obj in queryset:
            self.delete_model(request, obj)

    def submit_to_service(self, request, form, service_call):
        """On a POST with a valid ``form``, ``service_call(cleaned_data)``; a refusal goes onto
        the form. What the service returned, or None when nothing was done."""
        if request.method != "POST" or not form.is_valid():
            return None
        try:
            return service_call(form.cleaned_data)
        except ValidationError as refusal:
            show_refusal(form, refusal, self.service_field_names)
            return None

    def render_page(self, request, template: str, *, title: str, **context):
        """One of this admin's own pages, inside the admin's frame."""
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context},
        )

    def render_form_page(self, request, *, title: str, form, submit_label: str, **context):
        """A plain form page (publish an update, open an incident, add a subscriber)."""
        return self.render_page(
            request,
            "admin/publish_form.html",
            title=title,
            form=form,
            submit_label=submit_label,
            **context,
        )


class PublishingAdmin(OrganizationScopedAdmin):
    """Incidents and maintenances: a "Publish update" page next to each row. Subclasses give
    the form (``publish_form``) and the service call (``publish``)."""

    organization_field = "page__organization"

    def _publish_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_publish"

    def get_urls(self):
        return [
            path(
                "<str:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name=self._publish_url_name(),
            ),
            *super().get_urls(),
        ]

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if self.has_change_permission(request):
            return columns
        return [column for column in columns if column != "publish_link"]

    @admin.display(description="")
    def publish_link(self, obj):
        url = reverse(f"admin:{self._publish_url_name()}", args=[obj.pk])
        return format_html('<a class="button" href="{}">Publish update</a>', url)

    def publish_form(self, request, obj):
        raise NotImplementedError

    def publish(self, obj, cleaned_data: dict):
        """Publish through the service; returns the update it wrote."""
        raise NotImplementedError

    def publish_context(self, obj) -> dict:
        return {}

    def publish_view(self, request, object_id):
        obj = self.get_queryset(request).select_related("page").filter(pk=object_id).first()
        if obj is None:
            raise Http404(f"No such {self.opts.verbose_name}.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = self.publish_form(request, obj)
        update = self.submit_to_service(request, form, lambda data: self.publish(obj, data))
        if update is not None:
            self.log_change(request, obj, f"Published a {update.status} update.")
            messages.success(request, f"Update published on “{obj.name}”.")
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
            )
        return self.render_form_page(
            request,
            title=f"Publish an update: {obj.name}",
            form=form,
            submit_label="Publish update",
            original=obj,
            **self.publish_context(obj),
        )


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """Inlines follow their parent's permission (the parent's queryset already scopes them)."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_operator(request)

    def has_change_permission(self, request, obj=None):
        return may_change(request, self.model)

    has_add_permission = has_delete_permission = has_change_permission


class PublishedUpdatesInline(admin.TabularInline):
    """An incident's or maintenance's updates, newest first; published, so never edited here."""

    fields = ("created_at", "status", "message", "notify_subscribers")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_operator(request)
