"""What write services use to check their arguments. A service refuses with Django's
``ValidationError`` keyed by field path (``{"component_statuses.0.status": [...]}``); every
entrance renders that one error in its own dialect (the API envelope, Statuspage's 422, the
admin's form errors)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError


class _Unset:
    """An argument the caller did not give (a template may fill it; else the default)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


def given(**arguments) -> dict:
    """The arguments the caller gave (those not ``UNSET``)."""
    return {name: value for name, value in arguments.items() if value is not UNSET}


def refused(field: str, message: str):
    """The one error type of the services, for one field."""
    return ValidationError({field: [message]})


def text_checked(
    value, *, field: str, max_length: int, required: bool = False, strip: bool = True
) -> str:
    """A string of at most ``max_length`` characters (None is empty); ``required``: not
    blank."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise refused(field, "Give a string.")
    if strip:
        value = value.strip()
    if required and not value:
        raise refused(field, "This field is required.")
    if len(value) > max_length:
        raise refused(
            field, f"Ensure this field has no more than {max_length} characters ({len(value)})."
        )
    return value


def choice_checked(value, *, field: str, choices: Iterable[str], what: str) -> str:
    """``value`` if it is one of ``choices``; ``what`` names the kind ("an incident status")."""
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        raise refused(field, f"{value!r} is not {what}; use one of: {', '.join(choices)}.")
    return value


NAME_MAX_LENGTH = 255


def name_checked(value, *, field: str = "name") -> str:
    """A name shown to readers or operators: not blank, at most ``NAME_MAX_LENGTH``."""
    return text_checked(value, field=field, max_length=NAME_MAX_LENGTH, required=True)


def flag_checked(value, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise refused(field, "Give true or false.")
    return value
