"""Request bodies every API view reads: JSON (and, for Statuspage-style public endpoints, form
fields; for file uploads, CSV text), refused with a 400 in the envelope when they could never be
stored or walked safely."""

import codecs
import json

from django.conf import settings
from django.utils.http import parse_header_parameters
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from core.errors import body_too_large

# Deeper documents are refused before any code recurses over them; no real body nests past 5.
MAX_JSON_DEPTH = 32
NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "Text must be valid Unicode (no unpaired surrogates)."


def _text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (PostgreSQL refuses NUL, UTF-8 refuses lone surrogates)."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _printable(name: str) -> str:
    """A field name safe to echo in an error (and to store with a replayed response)."""
    return name.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode()


def check_json_document(document) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and unstorable text in keys or values, naming
    each offending field as the envelope does (``field.0.sub``). Iterative: no recursion."""
    problems: dict[str, list[str]] = {}
    stack = [(document, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list) and depth > MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, dict):
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else key
                if problem := _text_problem(key):
                    problems[_printable(child_path)] = [problem]
                    continue
                stack.append((child, child_path, depth + 1))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                stack.append((child, f"{path}.{index}" if path else str(index), depth + 1))
        elif isinstance(value, str) and (problem := _text_problem(value)):
            problems[_printable(path) or "non_field_errors"] = [problem]
    if problems:
        raise ValidationError(problems)


def load_json(raw: bytes | str):
    """``json.loads`` that reports every unreadable body as ValueError (never RecursionError)."""
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from exc


def _form_document(fields) -> dict:
    """Form fields as the JSON checker reads them: a repeated field is a list."""
    return {name: values if len(values) > 1 else values[0] for name, values in fields.lists()}


class JsonParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from exc
        check_json_document(document)
        return document


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        fields = super().parse(stream, media_type, parser_context)
        check_json_document(_form_document(fields))
        return fields


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_json_document(_form_document(result.data))
        return result


class CsvParser(parsers.BaseParser):
    """A ``text/csv`` body as text: decoded from its ``charset`` (UTF-8 when none is given),
    without a leading byte-order mark (spreadsheets write one). Bodies of any other media type
    are a 415. Text that cannot be decoded is a 400; what the rows say is the view's business."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        _, parameters = parse_header_parameters(media_type or self.media_type)
        charset = parameters.get("charset") or "utf-8"
        try:
            codec = codecs.lookup(charset)
        except LookupError as exc:
            raise ParseError(f"Unknown charset {charset!r}.") from exc
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # Bounded even without a Content-Length for the middleware to check.
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise body_too_large()
        try:
            text = raw.decode(codec.name)
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"The body is not {charset} text (byte {exc.start + 1}); send the file as "
                "UTF-8 or name its charset in the Content-Type."
            ) from exc
        return text.removeprefix("\ufeff")
