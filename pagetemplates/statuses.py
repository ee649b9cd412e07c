"""The statuses a template may default to. Incidents and maintenances own their status enums
and sit above this app, so they register them here in their ``AppConfig.ready``."""

_choices: dict[str, list[tuple[str, str]]] = {"incident": [], "maintenance": []}


def register_statuses(kind: str, choices) -> None:
    _choices[kind] = list(choices)


def status_choices(kind: str) -> list[tuple[str, str]]:
    return _choices[kind]
