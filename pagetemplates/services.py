"""Every write to templates, and applying one: a template's fields, rendered, under the fields
the caller gave explicitly (those win)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from core.validation import name_checked, text_checked
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from pagetemplates.rendering import placeholder_errors, render
from pagetemplates.statuses import status_choices
from statuspages.models import MESSAGE_MAX_LENGTH, Component, ComponentStatus
from statuspages.selectors import page_components_checked

FIELDS = {
    IncidentTemplate: {
        "name",
        "title",
        "message",
        "status",
        "component_statuses",
        "notify_subscribers",
    },
    MaintenanceTemplate: {
        "name",
        "title",
        "message",
        "status",
        "component_ids",
        "notify_subscribers",
    },
}
KIND = {IncidentTemplate: "incident", MaintenanceTemplate: "maintenance"}


def _check(template) -> None:
    template.name = name_checked(template.name)
    template.title = text_checked(template.title, field="title", max_length=255)
    template.message = text_checked(
        template.message, field="message", max_length=MESSAGE_MAX_LENGTH
    )
    errors: dict[str, list[str]] = {}
    for field in ("title", "message"):
        problems = placeholder_errors(getattr(template, field))
        if problems:
            errors[field] = problems
    allowed = [value for value, _ in status_choices(KIND[type(template)])]
    if template.status and template.status not in allowed:
        errors["status"] = [f"Use one of: {', '.join(allowed)} (or leave it empty)."]
    if errors:
        raise ValidationError(errors)
    if isinstance(template, IncidentTemplate):
        statuses = {}
        for entry in template.component_statuses:
            if not isinstance(entry, dict) or set(entry) != {"component_id", "status"}:
                raise ValidationError(
                    {"component_statuses": ["Each entry is {component_id, status}."]}
                )
            if entry["status"] not in ComponentStatus.values:
                raise ValidationError(
                    {"component_statuses": [f"'{entry['status']}' is not a component status."]}
                )
            statuses[entry["component_id"]] = entry["status"]
        if len(statuses) != len(template.component_statuses):
            raise ValidationError({"component_statuses": ["Each component may be listed once."]})
        page_components_checked(template.page_id, statuses, field="component_statuses")
    else:
        if len(set(template.component_ids)) != len(template.component_ids):
            raise ValidationError({"component_ids": ["Each component may be listed once."]})
        page_components_checked(template.page_id, template.component_ids)


@transaction.atomic
def template_create(*, model: type, page, **values):
    unknown = set(values) - FIELDS[model]
    if unknown:
        raise TypeError(f"template_create got unknown fields: {sorted(unknown)}")
    template = model(page=page, **values)
    _check(template)
    template.save()
    return template


@transaction.atomic
def template_update(*, template, **changes):
    unknown = set(changes) - FIELDS[type(template)]
    if unknown:
        raise TypeError(f"template_update got unknown fields: {sorted(unknown)}")
    template = type(template).objects.select_for_update().get(pk=template.pk)
    for name, value in changes.items():
        setattr(template, name, value)
    _check(template)
    template.save()
    return template


@transaction.atomic
def template_delete(*, template) -> None:
    template.delete()


# ---- applying -------------------------------------------------------------------------------


def _template_for(model, page, template_id: str):
    if not isinstance(template_id, str) or not template_id:
        raise ValidationError({"template_id": ["Give the id of a template of this page."]})
    template = model.objects.filter(page=page, id=template_id).first()
    if template is None:
        kind = KIND[model]
        raise ValidationError({"template_id": [f"No {kind} template {template_id} on this page."]})
    return template


MAX_TEMPLATE_VALUES = 100
TEMPLATE_VALUE_MAX_LENGTH = 1000


def _values(
    given: dict | None, *, component_ids: Iterable[str], page, started_at
) -> dict[str, str]:
    given = given or {}
    if not isinstance(given, dict):
        raise ValidationError({"template_values": ["An object of placeholder names to values."]})
    if len(given) > MAX_TEMPLATE_VALUES:
        raise ValidationError({"template_values": [f"At most {MAX_TEMPLATE_VALUES} values."]})
    problems = [name for name, value in given.items() if not isinstance(value, str | int | float)]
    if problems or any(isinstance(value, bool) for value in given.values()):
        raise ValidationError({"template_values": ["Values are strings or numbers."]})
    if any(len(str(value)) > TEMPLATE_VALUE_MAX_LENGTH for value in given.values()):
        raise ValidationError(
            {"template_values": [f"Values are at most {TEMPLATE_VALUE_MAX_LENGTH} characters."]}
        )
    names = Component.objects.filter(page=page, id__in=list(component_ids)).order_by(
        "position", "id"
    )
    built_in = {
        "component_names": ", ".join(component.name for component in names),
        "started_at": started_at.strftime("%Y-%m-%d %H:%M UTC") if started_at else "",
    }
    return {**built_in, **{name: str(value) for name, value in given.items()}}


def template_arguments_required(arguments: dict, fields: Iterable[str], *, template_id) -> None:
    """ "A name (or a status) or a template": each of ``fields`` was given, or the template
    gave it."""
    reason = "the template gives none" if template_id is not None else "or give a template"
    missing = {
        field: [f"This field is required ({reason})."]
        for field in fields
        if arguments.get(field) in (None, "")
    }
    if missing:
        raise ValidationError(missing)


def incident_template_apply(
    *,
    page,
    template_id: str,
    template_values: dict | None,
    explicit: dict,
    resolving_status: str,
    started_at=None,
    current_component_ids: Iterable[str] = (),
    with_name: bool = True,
) -> dict:
    """``explicit`` (the fields the caller sent) over the template's; ``name`` (the title) and
    ``message`` rendered. A resolving status carries no component statuses."""
    template = _template_for(IncidentTemplate, page, template_id)
    arguments = {
        "status": template.status or None,
        "message": template.message,
        "component_statuses": list(template.component_statuses),
        "notify_subscribers": template.notify_subscribers,
    }
    if with_name:
        arguments["name"] = template.title or template.name
    arguments = {key: value for key, value in arguments.items() if value is not None}
    arguments.update(explicit)
    if arguments.get("status") == resolving_status and "component_statuses" not in explicit:
        arguments["component_statuses"] = []
    component_ids = [entry["component_id"] for entry in arguments.get("component_statuses", [])]
    values = _values(
        template_values,
        component_ids=[*current_component_ids, *component_ids],
        page=page,
        started_at=started_at,
    )
    for field in ("name", "message"):
        if field in arguments and field not in explicit:
            arguments[field] = render(arguments[field], values)
    return arguments


def maintenance_template_apply(
    *,
    page,
    template_id: str,
    template_values: dict | None,
    explicit: dict,
    started_at=None,
    current_component_ids: Iterable[str] = (),
    with_name: bool = True,
) -> dict:
    template = _template_for(MaintenanceTemplate, page, template_id)
    arguments = {
        "status": template.status or None,
        "message": template.message,
        "notify_subscribers": template.notify_subscribers,
    }
    if with_name:
        arguments["name"] = template.title or template.name
        arguments["component_ids"] = list(template.component_ids)
    arguments = {key: value for key, value in arguments.items() if value is not None}
    arguments.update(explicit)
    values = _values(
        template_values,
        component_ids=[*current_component_ids, *arguments.get("component_ids", [])],
        page=page,
        started_at=started_at,
    )
    for field in ("name", "message"):
        if field in arguments and field not in explicit:
            arguments[field] = render(arguments[field], values)
    return arguments
