"""Events and what was delivered to whom: read-only, filterable, linked to each other; each
event shows how many of its deliveries are pending, sent and failed."""

from django.contrib import admin
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.html import format_html

from core.admin import PAGE_FILTER, OrganizationScopedAdmin
from notifications.models import Delivery, DeliveryStatus, NotificationEvent


class ReadOnlyAdmin(OrganizationScopedAdmin):
    organization_field = "page__organization"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationEvent)
class NotificationEventAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "page",
        "state",
        "created_at",
        "pending",
        "sent",
        "failed",
        "delivered_in",
        "deliveries_link",
    )
    list_filter = ("kind", "state", PAGE_FILTER)
    search_fields = ("id", "incident_id", "maintenance_id")
    list_select_related = ("page",)
    readonly_fields = (
        "id",
        "page",
        "kind",
        "publish_key",
        "incident_id",
        "incident_update_id",
        "maintenance_id",
        "maintenance_update_id",
        "component_ids",
        "payload",
        "state",
        "created_at",
    )

    def get_queryset(self, request):
        # Delivery counts per event in the list's own query, however many events it shows.
        def count(*statuses):
            return Count("deliveries", filter=Q(deliveries__status__in=statuses))

        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_count=count(DeliveryStatus.PENDING, DeliveryStatus.SENDING),
                sent_count=count(DeliveryStatus.SENT),
                failed_count=count(DeliveryStatus.FAILED),
                last_sent_at=Max("deliveries__sent_at"),
            )
        )

    @admin.display(description="Pending", ordering="pending_count")
    def pending(self, event):
        return event.pending_count

    @admin.display(description="Sent", ordering="sent_count")
    def sent(self, event):
        return event.sent_count

    @admin.display(description="Failed", ordering="failed_count")
    def failed(self, event):
        return event.failed_count

    @admin.display(description="Last sent after")
    def delivered_in(self, event):
        """Publish to the last delivery sent, once nothing is pending."""
        if event.pending_count or event.last_sent_at is None:
            return "—"
        return f"{(event.last_sent_at - event.created_at).total_seconds():.1f} s"

    @admin.display(description="")
    def deliveries_link(self, event):
        url = reverse("admin:notifications_delivery_changelist")
        return format_html('<a href="{}?event__id__exact={}">Deliveries</a>', url, event.id)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "status",
        "subscriber_link",
        "event_link",
        "attempts",
        "response_code",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "kind", PAGE_FILTER)
    # "subscriber__id", not "subscriber_id": the admin searches with icontains, which a foreign
    # key refuses (a 500); the lookup on the target's id reads the same column, with no join.
    search_fields = ("id", "subscriber__id", "incident_id", "maintenance_id")
    # No select_related("subscriber"): a delivery outlives its subscriber (no FK constraint).
    readonly_fields = (
        "id",
        "page",
        "event_link",
        "subscriber_link",
        "kind",
        "incident_id",
        "maintenance_id",
        "status",
        "attempts",
        "last_error",
        "response_code",
        "next_attempt_at",
        "claimed_at",
        "created_at",
        "updated_at",
        "sent_at",
    )
    fields = readonly_fields

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in ("subscriber_id", "event__id__exact") or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description="subscriber")
    def subscriber_link(self, delivery):
        url = reverse("admin:subscribers_subscriber_change", args=[delivery.subscriber_id])
        return format_html('<a href="{}">{}</a>', url, delivery.subscriber_id)

    @admin.display(description="event")
    def event_link(self, delivery):
        url = reverse("admin:notifications_notificationevent_change", args=[delivery.event_id])
        return format_html('<a href="{}">{}</a>', url, delivery.event_id)
