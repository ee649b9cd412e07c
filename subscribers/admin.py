"""Subscribers for operators: search, filter by channel and state, confirm and quarantine."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from core.admin import PAGE_FILTER, OrganizationScopedAdmin, writable_scoped
from core.languages import Language
from statuspages.models import Component, StatusPage
from subscribers import services
from subscribers.models import Channel, Subscriber, SubscriberState


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return SubscriberState.choices

    def queryset(self, request, queryset):
        if self.value() in SubscriberState.values:
            return queryset.in_state(self.value())
        return queryset


class SubscriberCreateForm(forms.Form):
    page = forms.ModelChoiceField(queryset=StatusPage.objects.none())
    channel = forms.ChoiceField(choices=Channel.choices)
    email = forms.EmailField(required=False)
    phone_number = forms.CharField(required=False, help_text="E.164, e.g. +14155550100.")
    phone_country = forms.CharField(required=False, max_length=2, help_text="e.g. US")
    endpoint = forms.CharField(
        required=False,
        max_length=2048,
        help_text="The https URL for webhook, Slack, Teams, Discord and Google Chat subscribers.",
    )
    components = forms.ModelMultipleChoiceField(
        queryset=Component.objects.none(),
        required=False,
        help_text="Only these components; none: the whole page.",
    )
    language = forms.ChoiceField(
        choices=[("", "The page's default"), *Language.choices],
        required=False,
        help_text="The language of this subscriber's emails and SMS.",
    )
    confirmed = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Skip the email/SMS opt-in: only for addresses that asked you to subscribe them.",
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        pages = writable_scoped(StatusPage.objects.all(), request.user, Subscriber)
        self.fields["page"].queryset = pages
        self.fields["components"].queryset = Component.objects.filter(page__in=pages)


@admin.register(Subscriber)
class SubscriberAdmin(OrganizationScopedAdmin):
    organization_field = "page__organization"
    list_display = (
        "address",
        "channel",
        "page",
        "state",
        "consecutive_failures",
        "created_at",
        "deliveries_link",
    )
    list_filter = ("channel", StateFilter, PAGE_FILTER)
    search_fields = ("email", "phone_number", "endpoint", "id")
    list_select_related = ("page",)
    service_field_names = {"component_ids": "components"}
    readonly_fields = (
        "id",
        "page",
        "channel",
        "email",
        "phone_number",
        "phone_country",
        "endpoint",
        "component_ids",
        "incident",
        "language",
        "confirmed_at",
        "quarantined_at",
        "consecutive_failures",
        "created_at",
    )
    fields = readonly_fields
    actions = ["confirm", "quarantine", "lift_quarantine", "resend_confirmation"]

    @admin.display(description="state")
    def state(self, subscriber):
        return subscriber.state

    @admin.display(description="")
    def deliveries_link(self, subscriber):
        url = reverse("admin:notifications_delivery_changelist")
        return format_html('<a href="{}?subscriber_id={}">Deliveries</a>', url, subscriber.id)

    def has_change_permission(self, request, obj=None):
        return False  # subscribers change through the actions, like through the API

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SubscriberCreateForm(request.POST or None, request=request)
        subscriber = self.submit_to_service(request, form, self._create)
        if subscriber is not None:
            self.log_addition(request, subscriber, [{"added": {}}])
            return self.render_page(
                request,
                "admin/subscribers/subscriber/created.html",
                title="Subscriber added",
                subscriber=subscriber,
            )
        return self.render_form_page(
            request, title="Add a subscriber", form=form, submit_label="Add subscriber"
        )

    def _create(self, data):
        return services.subscriber_create(
            page=data["page"],
            channel=data["channel"],
            email=data["email"],
            phone_number=data["phone_number"],
            phone_country=data["phone_country"],
            endpoint=data["endpoint"],
            confirmed=data["confirmed"],
            language=data["language"],
            component_ids=[component.id for component in data["components"]],
        )

    def delete_model(self, request, obj):
        services.subscriber_delete(subscriber=obj)

    @admin.action(description="Confirm the selected subscribers")
    def confirm(self, request, queryset):
        for subscriber in queryset:
            services.subscriber_confirm(subscriber=subscriber)
        messages.success(request, "Confirmed.")

    @admin.action(description="Quarantine the selected subscribers (send them nothing)")
    def quarantine(self, request, queryset):
        for subscriber in queryset:
            services.subscriber_update(subscriber=subscriber, quarantined=True)
        messages.success(request, "Quarantined.")

    @admin.action(description="Lift the quarantine of the selected subscribers")
    def lift_quarantine(self, request, queryset):
        for subscriber in queryset.filter(quarantined_at__isnull=False):
            services.subscriber_update(subscriber=subscriber, quarantined=False)
        messages.success(request, "Quarantine lifted.")

    @admin.action(description="Resend the confirmation link")
    def resend_confirmation(self, request, queryset):
        sent = sum(
            services.subscriber_confirmation_resend(subscriber=subscriber)
            for subscriber in queryset
        )
        messages.success(request, f"Queued {sent} confirmation message(s).")
