from django.db.models import QuerySet
from django.http import Http404

from integrations.models import Integration, IntegrationEvent


def integrations_for_page(page) -> QuerySet[Integration]:
    return Integration.objects.filter(page=page)


def integration_for_page(page, integration_id: str) -> Integration:
    integration = (
        integrations_for_page(page).select_related("page").filter(id=integration_id).first()
    )
    if integration is None:
        raise Http404("Integration not found.")
    return integration


def events_of_integration(integration: Integration) -> QuerySet[IntegrationEvent]:
    return IntegrationEvent.objects.filter(integration=integration)
