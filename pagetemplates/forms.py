"""The "from template" part of the admin's open and publish forms (incidents, maintenances)."""

from django import forms
from django.core.exceptions import ValidationError

from pagetemplates.rendering import BUILT_IN

FROM_TEMPLATE = ""


def add_template_fields(form: forms.Form, model, page) -> None:
    """A template select (this page's templates) and its placeholder values, when the page has
    any templates."""
    templates = model.objects.filter(page=page).order_by("name", "id")
    if not templates.exists():
        return
    form.fields["template"] = forms.ModelChoiceField(
        queryset=templates,
        required=False,
        empty_label="— none —",
        help_text="Fields left empty are taken from the template.",
    )
    form.fields["template_values"] = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One name=value per line, for the template's {{ name }} placeholders "
        f"({', '.join(BUILT_IN)} are filled in).",
        validators=[template_values_from],
    )


def template_values_from(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, separator, value = line.partition("=")
        if not separator or not name.strip():
            raise ValidationError(f"Write name=value, one per line: {line!r} is not.")
        values[name.strip()] = value.strip()
    return values


def chosen_template(cleaned: dict) -> tuple[str | None, dict[str, str]]:
    """The chosen template's id and its values, or (None, {})."""
    template = cleaned.get("template")
    if template is None:
        return None, {}
    return template.id, template_values_from(cleaned.get("template_values") or "")
