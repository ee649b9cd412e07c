import functools
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import ApiKey
from statuspages.models import Component, ComponentGroup, StatusPage
from statuspages.status import components_with_status_hints, effective_statuses, page_statuses


@functools.lru_cache(maxsize=20_000)
def _page_organization_id(page_id: str) -> str | None:
    return StatusPage.objects.filter(id=page_id).values_list("organization_id", flat=True).first()


def page_organization_id(row) -> str | None:
    """The organization of a row that belongs to a page (``row.page``). A page never moves to
    another organization (the services refuse it), so the answer is kept per process."""
    page = row._state.fields_cache.get("page")
    return page.organization_id if page is not None else _page_organization_id(row.page_id)


def pages_for_key(api_key: ApiKey) -> QuerySet[StatusPage]:
    pages = StatusPage.objects.filter(organization_id=api_key.organization_id)
    if api_key.page_ids:
        pages = pages.filter(id__in=api_key.page_ids)
    return pages


def page_for_key(api_key: ApiKey, page_id: str) -> StatusPage:
    """The page if this key may see it; otherwise 404, whether or not it exists."""
    page = pages_for_key(api_key).filter(id=page_id).first()
    if page is None:
        raise Http404("Status page not found.")
    return page


def components_of_page(page: StatusPage) -> QuerySet[Component]:
    return Component.objects.filter(page=page)


def groups_of_page(page: StatusPage) -> QuerySet[ComponentGroup]:
    return ComponentGroup.objects.filter(page=page)


def component_for_key(api_key: ApiKey, page_id: str, component_id: str) -> Component:
    """The component if this key may see its page; otherwise 404."""
    page = page_for_key(api_key, page_id)
    component = components_of_page(page).filter(id=component_id).select_related("page").first()
    if component is None:
        raise Http404("Component not found.")
    return component


def components_for_key(api_key: ApiKey) -> QuerySet[Component]:
    """The components of every page this key may see."""
    return Component.objects.filter(page__in=pages_for_key(api_key)).select_related("page")


def component_of_key(api_key: ApiKey, component_id: str) -> Component:
    """A component addressed by id alone (APIs whose components are not under a page path);
    404 unless this key may see its page."""
    component = components_for_key(api_key).filter(id=component_id).first()
    if component is None:
        raise Http404("Component not found.")
    return component


def group_on_page(page: StatusPage, group_id: str) -> ComponentGroup | None:
    return groups_of_page(page).filter(id=group_id).first()


def group_for_key(api_key: ApiKey, page_id: str, group_id: str) -> ComponentGroup:
    """The group if this key may see its page; otherwise 404."""
    group = group_on_page(page_for_key(api_key, page_id), group_id)
    if group is None:
        raise Http404("Component group not found.")
    return group


def page_status_map(pages: list[StatusPage]) -> dict[str, dict]:
    """``{page_id: {"indicator", "description"}}``, in a fixed number of queries."""
    components = components_with_status_hints(
        Component.objects.filter(page__in=[page.id for page in pages]).only(
            "id", "page_id", "manual_status", "upstream_status"
        )
    )
    statuses = effective_statuses(components)
    by_page: dict[str, list[str]] = defaultdict(list)
    for component in components:
        by_page[component.page_id].append(statuses[component.id])
    return page_statuses(pages, by_page)


def page_components(page: StatusPage) -> list[Component]:
    return list(Component.objects.filter(page=page).order_by("position", "id"))


def page_structure(page: StatusPage) -> tuple[list[ComponentGroup], list[Component], dict]:
    """Groups in order with ``group.ordered_components``, then ungrouped components."""
    groups = list(ComponentGroup.objects.filter(page=page).order_by("position", "id"))
    components = list(
        components_with_status_hints(Component.objects.filter(page=page)).order_by("position", "id")
    )
    statuses = effective_statuses(components)
    by_group: dict[str | None, list[Component]] = defaultdict(list)
    for component in components:
        by_group[component.group_id].append(component)
    for group in groups:
        group.ordered_components = by_group.get(group.id, [])
    return groups, by_group.get(None, []), statuses


def audience_group_ids(items) -> dict[str, list[str]]:
    """``{item id: [reader group ids]}`` of components, incidents or maintenances of one
    kind (their ``audience_groups``), in one query."""
    items = list(items)
    if not items:
        return {}
    field = type(items[0])._meta.get_field("audience_groups")
    own, group = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows = (
        field.remote_field.through.objects.filter(**{f"{own}_id__in": [item.pk for item in items]})
        .order_by(f"{group}_id")
        .values_list(f"{own}_id", f"{group}_id")
    )
    ids: dict[str, list[str]] = defaultdict(list)
    for item_id, group_id in rows:
        ids[item_id].append(group_id)
    return ids


def group_component_ids(groups: list[ComponentGroup]) -> dict[str, list[str]]:
    rows = (
        Component.objects.filter(group__in=[group.id for group in groups])
        .order_by("position", "id")
        .values_list("group_id", "id")
    )
    ids: dict[str, list[str]] = defaultdict(list)
    for group_id, component_id in rows:
        ids[group_id].append(component_id)
    return ids


def page_components_checked(
    page_id: str, component_ids, *, field: str = "component_ids", lock: bool = False
) -> dict[str, Component]:
    """``{id: component}`` for ids that must all be components of this page, in the order
    given; a ValidationError on ``field`` names the ones that are not."""
    component_ids = list(component_ids)
    if not component_ids:
        return {}
    components = Component.objects.filter(page_id=page_id, id__in=component_ids)
    if lock:
        components = components.select_for_update()
    found = {component.id: component for component in components}
    component_ids_known(component_ids, page_component_ids=found, field=field)
    return {cid: found[cid] for cid in component_ids}


def page_component_ids(page_id: str) -> frozenset[str]:
    """Every component id of the page, for checking many lists at once
    (``component_ids_known``)."""
    return frozenset(Component.objects.filter(page_id=page_id).values_list("id", flat=True))


def component_ids_known(component_ids, *, page_component_ids, field: str = "component_ids"):
    """``page_components_checked``'s refusal, against ids loaded once (``page_component_ids``)
    for many checks: a ValidationError on ``field`` names the ids that are not the page's."""
    unknown = [cid for cid in dict.fromkeys(component_ids) if cid not in page_component_ids]
    if unknown:
        raise ValidationError(
            {field: [f"Unknown component(s) on this page: {', '.join(map(str, unknown))}."]}
        )
