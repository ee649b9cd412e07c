"""``/v1/pages/{page_id}/subscribers``: list, create, show, unsubscribe (one or many)."""

from django.db import transaction
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from dialects.statuspage_v1.base import V1View, page_window
from dialects.statuspage_v1.inputs import SubscriberIn, UnsubscribeIn, nested_body
from dialects.statuspage_v1.objects import subscriber_object
from statuspages.selectors import page_for_key
from subscribers import selectors, services
from subscribers.models import SubscriberState

READ, WRITE = Scope.SUBSCRIBERS_READ.value, Scope.SUBSCRIBERS_WRITE.value
SCOPES = {"GET": READ, "POST": WRITE, "PATCH": WRITE, "PUT": WRITE, "DELETE": WRITE}
TYPES = ("email", "sms", "webhook", "slack", "teams")
ALL = "all"
STATES = (*SubscriberState.values, ALL)


class _Filters(serializers.Serializer):
    type = serializers.ChoiceField(choices=TYPES, required=False)
    state = serializers.ChoiceField(choices=STATES, default="active")


def _filtered(page, query_params):
    """Statuspage's ``?type=`` and ``?state=`` (default ``active``: confirmed, not quarantined)."""
    filters = _Filters(
        data={name: query_params[name] for name in ("type", "state") if name in query_params}
    )
    filters.is_valid(raise_exception=True)
    subscribers = selectors.subscribers_for_page(page, channel=filters.validated_data.get("type"))
    state = filters.validated_data["state"]
    return subscribers if state == ALL else subscribers.in_state(state)


class SubscriberListView(V1View):
    required_scopes = SCOPES

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        subscribers = _filtered(page, request.query_params).order_by("created_at", "id")
        return Response([subscriber_object(s) for s in subscribers[window]])

    def post(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        form = SubscriberIn(data=nested_body(request.data, "subscriber"))
        form.is_valid(raise_exception=True)
        subscriber = services.subscriber_create(page=page, **form.service_arguments())
        return Response(subscriber_object(subscriber), status=status.HTTP_201_CREATED)


class UnsubscribeView(V1View):
    required_scopes = SCOPES

    @transaction.atomic
    def post(self, request, page_id):
        """``{"subscribers": "id1,id2"}`` or ``"all"`` (with ``type`` and ``state``)."""
        page = page_for_key(self.api_key, page_id)
        form = UnsubscribeIn(data=request.data if isinstance(request.data, dict) else {})
        form.is_valid(raise_exception=True)
        wanted = form.validated_data["subscribers"].strip()
        filters = {k: v for k, v in form.validated_data.items() if k in ("type", "state")}
        subscribers = _filtered(page, {"state": "all", **filters})
        if wanted != "all":
            ids = [part.strip() for part in wanted.split(",") if part.strip()]
            subscribers = subscribers.filter(id__in=ids)
        services.subscribers_delete(subscriber_ids=list(subscribers.values_list("id", flat=True)))
        return Response(status=status.HTTP_202_ACCEPTED)


class SubscriberDetailView(V1View):
    required_scopes = SCOPES

    def get(self, request, page_id, subscriber_id):
        page = page_for_key(self.api_key, page_id)
        return Response(subscriber_object(selectors.subscriber_for_page(page, subscriber_id)))

    def patch(self, request, page_id, subscriber_id):
        """New ``component_ids`` (Statuspage's only changeable field)."""
        page = page_for_key(self.api_key, page_id)
        subscriber = selectors.subscriber_for_page(page, subscriber_id)
        body = request.data if isinstance(request.data, dict) else {}
        component_ids = serializers.ListField(
            child=serializers.CharField(max_length=64), max_length=1000
        )
        try:
            ids = component_ids.run_validation(body.get("component_ids", []))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"component_ids": exc.detail}) from exc
        subscriber = services.subscriber_update(subscriber=subscriber, component_ids=ids)
        return Response(subscriber_object(subscriber))

    def delete(self, request, page_id, subscriber_id):
        page = page_for_key(self.api_key, page_id)
        subscriber = selectors.subscriber_for_page(page, subscriber_id)
        unsubscribed = subscriber_object(subscriber)
        services.subscriber_delete(subscriber=subscriber)
        return Response(unsubscribed)
