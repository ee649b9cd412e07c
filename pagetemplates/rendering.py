"""``{{ name }}`` placeholders, replaced by the given values and nothing else: no attribute
access, no filters, no code, so a template cannot reach anything but the values passed in.
(A sandboxed Jinja2 would do the same with a dependency and a far larger surface.)"""

import re

from django.core.exceptions import ValidationError

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}")
_ANY_BRACES = re.compile(r"\{\{.*?\}\}", re.DOTALL)
BUILT_IN = ("component_names", "started_at")


def placeholder_errors(text: str) -> list[str]:
    """What is malformed in ``text``: every ``{{ ... }}`` must be ``{{ name }}``."""
    return [
        f"Placeholders are written {{{{ name }}}} (letters, digits, _): {found!r} is not."
        for found in _ANY_BRACES.findall(text)
        if not _PLACEHOLDER.fullmatch(found)
    ]


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def render(text: str, values: dict[str, str], *, field: str = "template_values") -> str:
    """``text`` with its placeholders replaced; an unknown one is a ValidationError."""
    unknown = sorted(placeholders(text) - set(values))
    if unknown:
        raise ValidationError(
            {field: [f"No value for placeholder(s): {', '.join(unknown)}."]}, code="invalid"
        )
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
