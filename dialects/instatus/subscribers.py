"""``/v1/{page_id}/subscribers``: list, add, remove, over ``subscribers.services``. Reading
needs ``subscribers:read`` (personal data), writing ``subscribers:write``."""

from rest_framework.response import Response

from accounts.models import Scope
from core.serializers import rfc3339
from dialects.instatus.base import InstatusView, page_window
from dialects.instatus.inputs import SubscriberIn
from statuspages.selectors import page_for_key
from subscribers import selectors, services

READ, WRITE = Scope.SUBSCRIBERS_READ.value, Scope.SUBSCRIBERS_WRITE.value
SCOPES = {"GET": READ, "POST": WRITE, "DELETE": WRITE}


def subscriber_object(subscriber) -> dict:
    return {
        "id": subscriber.id,
        "email": subscriber.email or None,
        "phone": subscriber.phone_number or None,
        "webhook": subscriber.endpoint or None,
        "webhookEmail": None,
        "channel": subscriber.channel.upper(),
        "confirmed": subscriber.confirmed_at is not None,
        "all": not subscriber.component_ids,
        "components": list(subscriber.component_ids),
        "language": subscriber.language or None,
        "siteId": subscriber.page_id,
        "createdAt": rfc3339(subscriber.created_at, timespec="milliseconds"),
        "updatedAt": rfc3339(subscriber.updated_at, timespec="milliseconds"),
    }


class SubscriberListView(InstatusView):
    required_scopes = SCOPES

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        subscribers = selectors.subscribers_for_page(page).order_by("created_at", "id")[window]
        return Response([subscriber_object(s) for s in subscribers])

    def post(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        form = SubscriberIn(data=request.data if isinstance(request.data, dict) else {})
        form.is_valid(raise_exception=True)
        subscriber = services.subscriber_create(page=page, **form.service_arguments())
        return Response(subscriber_object(subscriber))


class SubscriberDetailView(InstatusView):
    required_scopes = SCOPES

    def delete(self, request, page_id, subscriber_id):
        page = page_for_key(self.api_key, page_id)
        subscriber = selectors.subscriber_for_page(page, subscriber_id)
        deleted = subscriber_object(subscriber)
        services.subscriber_delete(subscriber=subscriber)
        return Response(deleted)
