"""The activity log for operators: read-only, filtered like the API, exportable as CSV."""

import csv
import json

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.urls import path

from audit.models import AuditEvent
from core.admin import ORGANIZATION_FILTER, OrganizationScopedAdmin
from core.spreadsheets import cell_written

CSV_COLUMNS = (
    "id",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "changes",
    "request_id",
    "client_ip",
)


class _Echo:
    def write(self, value):
        return value


def csv_response(events, filename: str = "audit-events.csv") -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            values = {
                **event.__dict__,
                "occurred_at": event.occurred_at.isoformat(),
                "changes": json.dumps(event.changes, sort_keys=True),
            }
            yield writer.writerow([cell_written(values[column]) for column in CSV_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(AuditEvent)
class AuditEventAdmin(OrganizationScopedAdmin):
    list_display = ("occurred_at", "actor_name", "actor_type", "action", "object_id", "client_ip")
    list_filter = ("actor_type", "object_type", "action", ORGANIZATION_FILTER)
    search_fields = ("=object_id", "=actor_id", "=request_id", "actor_name")
    date_hierarchy = "occurred_at"
    actions = ["export_csv"]
    fields = (*CSV_COLUMNS, "organization", "page_id")
    readonly_fields = fields
    change_list_template = "admin/audit/auditevent/change_list.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="audit_auditevent_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """Everything the list shows with its current filters and search, as CSV."""
        changelist = self.get_changelist_instance(request)
        return csv_response(changelist.get_queryset(request))

    @admin.action(description="Export the selected events as CSV")
    def export_csv(self, request, queryset):
        return csv_response(queryset.order_by("-occurred_at", "-id"))
