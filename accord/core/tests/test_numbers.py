from __future__ import annotations

import pytest

from accord.core.numbers import ascii_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        (" 7 ", 7),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),  # would overflow a 64-bit key
        ("9" * 5000, None),  # int() itself refuses over 4,300 digits
        ("²", None),  # isdigit() is True for it, int() raises
        ("٣", None),  # Arabic-Indic three: int() would read 3
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("", None),
        ("   ", None),
        ("1 2", None),
        (None, None),
        (12, None),
    ],
)
def test_ascii_int(text: object, expected: int | None) -> None:
    assert ascii_int(text) == expected


def test_max_digits() -> None:
    assert ascii_int("12345", max_digits=5) == 12345
    assert ascii_int("123456", max_digits=5) is None
