"""Importing a page from the admin: a form that starts the import as a task, and the run's
page, which shows its progress (reloading itself while it runs) and what it said."""

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ORGANIZATION_FILTER, OrganizationScopedAdmin, adopt_created
from imports.models import ImportRun
from imports.runs import import_run_start

# Seconds between reloads of a running import's page (a meta refresh: no script).
REFRESH_SECONDS = 2


class ImportRunForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=2048,
        assume_scheme="https",
        help_text="The API's base URL (https://api.statuspage.io/v1, https://api.instatus.com, "
        "https://api.incident.io), or the public page's URL.",
    )
    api_key = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="The source's key (none for a public page). Kept only until the import starts.",
    )

    class Meta:
        model = ImportRun
        fields = (
            "organization",
            "source_kind",
            "url",
            "api_key",
            "source_page_id",
            "with_subscribers",
            "dry_run",
        )
        labels = {"source_kind": "from", "source_page_id": "source page id"}
        help_texts = {
            "source_page_id": "The source's page, when the key reaches several.",
            "dry_run": "Show what it would do; write nothing.",
        }


@admin.register(ImportRun)
class ImportRunAdmin(OrganizationScopedAdmin):
    list_display = ("created_at", "source_kind", "url", "organization", "status", "progress")
    list_filter = (ORGANIZATION_FILTER, "status", "source_kind")
    list_select_related = ("organization",)
    readonly_fields = (
        "id",
        "organization",
        "source_kind",
        "url",
        "source_page_id",
        "with_subscribers",
        "dry_run",
        "started_by",
        "status",
        "progress",
        "created_count",
        "updated_count",
        "skipped_count",
        "imported_page",
        "created_at",
        "started_at",
        "finished_at",
        "log_text",
    )
    change_form_template = "admin/imports/importrun/change_form.html"

    @admin.display(description="progress")
    def progress(self, run):
        if not run.total:
            return "reading the source…" if run.status == "running" else "—"
        return f"{run.done} of {run.total} objects"

    @admin.display(description="page")
    def imported_page(self, run):
        if run.page is None:
            return "—"
        return format_html('<a href="{}">{}</a>', run.page.public_url, run.page.name)

    @admin.display(description="log")
    def log_text(self, run):
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', run.log or "—")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportRunForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ImportRunForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a run is started, then only watched

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        run = import_run_start(
            organization=data["organization"],
            source_kind=data["source_kind"],
            url=data["url"],
            api_key=data.get("api_key", ""),
            source_page_id=data.get("source_page_id", ""),
            with_subscribers=data.get("with_subscribers", False),
            dry_run=data.get("dry_run", False),
            started_by=request.user,
        )
        adopt_created(obj, run)

    def response_add(self, request, obj, post_url_continue=None):
        # Straight to the run's page, where its progress shows.
        return HttpResponseRedirect(reverse("admin:imports_importrun_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_queryset(request).filter(pk=object_id).first()
        refresh = REFRESH_SECONDS if run is not None and not run.is_finished else None
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "refresh_seconds": refresh}
        )
