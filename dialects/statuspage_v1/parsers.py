"""Form bodies as Statuspage takes them: ``incident[name]=...``, ``incident[component_ids][]=a``,
``incident[components][cmp_1]=major_outage`` become the nested object JSON clients send."""

import re

from rest_framework.exceptions import ParseError

from core.parsers import FormParser

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def nested_form(fields) -> dict:
    document: dict = {}
    for name, values in fields.lists():
        match = _KEY.match(name)
        if match is None:
            raise ParseError(f"Unreadable form field name {name!r}.")
        path = [match.group(1), *_SEGMENT.findall(match.group(2))]
        many = path[-1] == ""
        if many:
            path.pop()
        target = document
        for segment in path[:-1]:
            target = target.setdefault(segment, {})
            if not isinstance(target, dict):
                raise ParseError(f"Form field {name!r} conflicts with another.")
        if not path[-1]:
            raise ParseError(f"Unreadable form field name {name!r}.")
        target[path[-1]] = list(values) if many else values[-1]
    return document


class NestedFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return nested_form(super().parse(stream, media_type, parser_context))
