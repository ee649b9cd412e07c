"""No model points up the layers. import-linter sees imports only, and a relation named by a
string ("accounts.Organization") is none: this holds every model relation to the same layers as
pyproject.toml's contract, so an upward foreign key fails here as an upward import fails lint."""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings


def _floors() -> dict[str, tuple[int, str]]:
    """Package → (height, the layer's name), the ground floor 0."""
    config = tomllib.loads(Path(settings.BASE_DIR, "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    floors = {}
    for height, layer in enumerate(reversed(contract["layers"])):
        for package in layer.split("|"):
            floors[package.strip()] = (height, layer)
    return floors


def _upward_relations(floors) -> list[str]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        package = model._meta.app_config.name.split(".")[0]
        if package not in floors:
            continue  # Django's own apps
        height, _ = floors[package]
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue  # reverse accessors are the other model's own relations
            target = field.related_model._meta.app_config.name.split(".")[0]
            if target == package or target not in floors:
                continue
            # Above, or beside it in an independent layer ("incidents | maintenances").
            if floors[target][0] >= height:
                found.append(
                    f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
                )
    return found


def test_every_model_relation_points_down_the_layers():
    assert _upward_relations(_floors()) == []


def test_the_organization_stands_on_the_floor_above_the_domain_free_core():
    floors = _floors()
    assert floors["tenancy"][0] == floors["core"][0] + 1
    organization = apps.get_model("tenancy", "Organization")
    owners = {
        related.related_model._meta.app_label
        for related in organization._meta.related_objects
        if related.related_model._meta.app_label in floors
    }
    # Everything an organization owns stands above it; core keeps only its id.
    assert {"accounts", "audit", "statuspages"} <= owners
    assert "core" not in owners
