"""``/v1/pages/{page_id}/incident_templates``: list and create, the two template operations
Statuspage's v1 API has. Statuspage has one kind of template for incidents and maintenances;
we have two, shown here as one list. Every write goes through ``pagetemplates.services``."""

from django.db.models import CharField, Value
from rest_framework import status
from rest_framework.response import Response

from accounts.models import Scope
from dialects.statuspage_v1.base import V1View, page_window
from dialects.statuspage_v1.inputs import TEMPLATE_FIELD_NAMES, TemplateIn, nested_body
from dialects.statuspage_v1.objects import component_object, template_component_ids, template_object
from pagetemplates import services
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from statuspages.selectors import components_of_page, page_for_key
from statuspages.status import effective_statuses

MODELS = {"incident": IncidentTemplate, "maintenance": MaintenanceTemplate}


def _keyed(model, kind: str, page):
    return (
        model.objects.filter(page=page)
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list("name", "id", "kind")
        .order_by()  # the model's ordering has no place inside a UNION
    )


def _templates(page, window: slice) -> list:
    """Both kinds by name, ``window`` of them: one query for the keys, one per kind shown."""
    keys = list(
        _keyed(IncidentTemplate, "incident", page)
        .union(_keyed(MaintenanceTemplate, "maintenance", page), all=True)
        .order_by("name", "id")[window]
    )
    found = {}
    for kind, model in MODELS.items():
        ids = [template_id for _, template_id, key_kind in keys if key_kind == kind]
        if ids:
            found.update(model.objects.in_bulk(ids))
    return [found[template_id] for _, template_id, _ in keys if template_id in found]


def _objects(page, templates: list) -> list[dict]:
    """The templates as Statuspage objects, their components loaded in one go (a component
    deleted since is left out)."""
    wanted = {cid for template in templates for cid in template_component_ids(template)}
    components = {c.id: c for c in components_of_page(page).filter(id__in=wanted)}
    statuses = effective_statuses(components.values())
    return [
        template_object(
            template,
            [
                component_object(components[cid], statuses[cid])
                for cid in template_component_ids(template)
                if cid in components
            ],
        )
        for template in templates
    ]


class IncidentTemplateListView(V1View):
    write_scope = Scope.INCIDENTS_WRITE
    service_field_names = TEMPLATE_FIELD_NAMES

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        return Response(_objects(page, _templates(page, window)))

    def post(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        form = TemplateIn(data=nested_body(request.data, "template"))
        form.is_valid(raise_exception=True)
        model, arguments = form.service_arguments()
        template = services.template_create(model=model, page=page, **arguments)
        return Response(_objects(page, [template])[0], status=status.HTTP_201_CREATED)
