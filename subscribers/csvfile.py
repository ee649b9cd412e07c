"""The subscriber CSV file (README, "Subscribers CSV"): its columns, the lines of an export, and
an uploaded file read back as rows, each with the physical line it starts on (the header is
line 1; a quoted field may hold line breaks, so a record may span several lines).

Cells a spreadsheet would run as formulas are written behind an apostrophe and read back
without it (``core.spreadsheets``), so an exported file imports unchanged."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError

from core.parsers import NUL_MESSAGE
from core.spreadsheets import cell_read, cell_written
from subscribers.imports import RowRefusal, SubscriberRow

COLUMNS = (
    "channel",
    "email",
    "phone_number",
    "phone_country",
    "endpoint",
    "component_ids",
    "confirmed",
)
_TRUE, _FALSE = "true", "false"


class _Line:
    """A file object for ``csv.writer``: ``write`` hands back the line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def export_lines(subscribers: Iterable[tuple]) -> Iterator[str]:
    """The header, then one line per ``(channel, email, phone_number, phone_country, endpoint,
    component_ids, confirmed)``."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(COLUMNS)
    for (
        channel,
        email,
        phone_number,
        phone_country,
        endpoint,
        component_ids,
        confirmed,
    ) in subscribers:
        cells = (
            channel,
            email,
            phone_number,
            phone_country,
            endpoint,
            " ".join(component_ids or ()),
            _TRUE if confirmed else _FALSE,
        )
        yield writer.writerow([cell_written(cell) for cell in cells])


def _header(cells: list[str]) -> tuple[str, ...]:
    names = tuple(cell_read(cell).strip().lower() for cell in cells)
    unknown = [name for name in names if name not in COLUMNS]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if unknown or repeated or "channel" not in names:
        problems = []
        if unknown:
            problems.append(f"unknown column(s) {', '.join(map(repr, unknown))}")
        if repeated:
            problems.append(f"repeated column(s) {', '.join(map(repr, repeated))}")
        if "channel" not in names:
            problems.append("no 'channel' column")
        raise ValidationError(
            {
                "header": [
                    f"Line 1 names the columns ({','.join(COLUMNS)}; any order, all but "
                    f"channel optional): {'; '.join(problems)}."
                ]
            }
        )
    return names


def _row(line: int, names: tuple[str, ...], cells: list[str]) -> SubscriberRow | RowRefusal:
    if len(cells) != len(names):
        return RowRefusal(
            line, f"Expected {len(names)} fields (as the header), found {len(cells)}."
        )
    if any("\x00" in cell for cell in cells):
        return RowRefusal(line, NUL_MESSAGE)
    values = dict(zip(names, (cell_read(cell) for cell in cells), strict=True))
    confirmed = values.get("confirmed", "").strip().lower()
    if confirmed not in (_TRUE, _FALSE, ""):
        return RowRefusal(line, f"confirmed: use {_TRUE} or {_FALSE} (empty: {_FALSE}).")
    return SubscriberRow(
        line=line,
        channel=values["channel"].strip(),
        email=values.get("email", ""),
        phone_number=values.get("phone_number", ""),
        phone_country=values.get("phone_country", ""),
        endpoint=values.get("endpoint", ""),
        component_ids=tuple(values.get("component_ids", "").split()),
        confirmed=confirmed == _TRUE,
    )


def rows_read(text: str) -> Iterator[SubscriberRow | RowRefusal]:
    """Each record of ``text`` after the header as a row, or as the reason it is not one, with
    the physical line it starts on. Blank lines are skipped. A header that does not name the
    columns is a ValidationError: no row could be read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    names = None
    while True:
        line = reader.line_num + 1  # the record starts on the line after the last one read
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over csv's size limit: this record only
            yield RowRefusal(line, f"Unreadable CSV: {exc}.")
            continue
        if not cells or cells == [""]:
            continue
        if names is None:
            if line != 1:
                break
            names = _header(cells)
            continue
        yield _row(line, names, cells)
    if names is None:
        raise ValidationError(
            {"header": [f"The file's first line must name the columns: {','.join(COLUMNS)}."]}
        )
