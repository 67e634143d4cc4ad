"""CSV cells that are safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some treat the same way) as a formula: CSV injection. Every CSV export in Accord passes its
cells through :func:`neutralise`, which puts a leading apostrophe before such a cell.
"""

from __future__ import annotations

FORMULA_FIRST: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """``value`` made safe to open in a spreadsheet (a leading quote before a formula character)."""
    return "'" + value if value.startswith(FORMULA_FIRST) else value
