"""Whole numbers from text a user or a URL sent: ids, counts, row indexes, day offsets.

``str.isdigit()`` is not the check to use before ``int()``: it is true for "²" or "٣" (which ``int``
refuses or reads as another digit) and for 5,000-digit strings (which ``int`` refuses, and which
overflow a database integer long before). :func:`ascii_int` accepts ASCII digits only, at most
``max_digits`` of them, so every caller gets an ``int`` it can use or ``None``.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")
ID_DIGITS = 18  # below 2**63: fits a 64-bit primary key on every database


def ascii_int(text: object, *, max_digits: int = ID_DIGITS) -> int | None:
    """``text`` (surrounding spaces ignored) as a non-negative int, or None when it is anything but
    1 to ``max_digits`` ASCII digits."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not 0 < len(text) <= max_digits or not _DIGITS.fullmatch(text):
        return None
    return int(text)
