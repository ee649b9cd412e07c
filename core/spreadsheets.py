"""CSV cells that a spreadsheet opens as text ("CSV injection", OWASP): a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a formula, so it is written
behind an apostrophe, and read back without it. A cell that itself starts with an apostrophe
gets one more, so reading gives back exactly what was written."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
_MARKED = (*FORMULA_STARTS, TEXT_MARK)


def cell_written(value) -> str:
    """``value`` as a cell no spreadsheet runs (None is empty)."""
    text = "" if value is None else str(value)
    return TEXT_MARK + text if text.startswith(_MARKED) else text


def cell_read(text: str) -> str:
    """A cell as ``cell_written`` was given it: the apostrophe it added is removed. Any other
    leading apostrophe (an address that starts with one) is kept."""
    if text.startswith(TEXT_MARK) and text[1:].startswith(_MARKED):
        return text[1:]
    return text
