"""Reading CSV files: encoding, delimiter, header, preview, and the record stream.

Memory stays constant whatever the file size: :func:`inspect` reads the file once in 1 MiB chunks
(to find the encoding and count lines) plus the first few KiB again; :func:`records` is a
``csv.reader`` over the open file, one record at a time.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2, and a
quoted cell spanning several lines is still one row.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from accord.contacts.actions import valid_email

CHUNK = 1 << 20
SNIFF_BYTES = 4096  # the Sniffer sees the first lines of this much text
PREVIEW_ROWS = 10
MAX_COLUMNS = 200
DELIMITERS = ",;\t|"
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO 8859-1)",
}
DELIMITER_LABELS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


class CsvProblem(ValueError):
    """The file cannot be imported; ``message`` says why, for the person who uploaded it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str = ","

    @property
    def is_utf8(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_LABELS.get(self.delimiter, repr(self.delimiter))

    @property
    def encoding_note(self) -> str:
        """Empty for UTF-8; otherwise what the uploader should know."""
        if self.is_utf8:
            return ""
        return (
            f"This file is not UTF-8, so it was read as {self.encoding_label}. If accented letters "
            "look wrong in the preview, save the file as “CSV UTF-8” and upload it again."
        )


@dataclass
class Inspection:
    format: CsvFormat
    headers: list[str]
    preview: list[list[str]] = field(default_factory=list)  # up to PREVIEW_ROWS records, padded
    estimated_rows: int = 0  # data rows, from the line count (quoted newlines make it an over-estimate)


# ---------------------------------------------------------------- encoding
def _binary_problem(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return (
            "This is an Excel workbook (.xlsx) or another zip file, not a CSV file. In Excel, choose "
            "File → Save As → “CSV UTF-8 (comma delimited)” and upload that file."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "This file is UTF-16 text, which is not supported. Save it as “CSV UTF-8” and upload it again."
    if b"\x00" in head:
        return "This looks like a binary file, not a CSV text file."
    return None


def detect_encoding(path: Path) -> tuple[str, int]:
    """The codec to read ``path`` with, and its number of line breaks (one pass, 1 MiB chunks).

    UTF-8 (a BOM makes it ``utf-8-sig``) when every byte decodes; else Windows-1252 when it
    decodes (what Excel writes in Western Europe); else Latin-1, which decodes anything.
    """
    with path.open("rb") as f:
        head = f.read(4)
        f.seek(0)
        bom = head.startswith(codecs.BOM_UTF8)
        candidates = ["utf-8", "cp1252"]
        decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
        lines = 0
        last = b""
        while chunk := f.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            for name in list(decoders):
                try:
                    decoders[name].decode(chunk)
                except UnicodeDecodeError:
                    del decoders[name]
        for name in list(decoders):
            try:
                decoders[name].decode(b"", final=True)
            except UnicodeDecodeError:
                del decoders[name]
    if last and last not in (b"\n", b"\r"):
        lines += 1  # a last line without a line break
    if "utf-8" in decoders:
        return ("utf-8-sig" if bom else "utf-8"), lines
    if "cp1252" in decoders:
        return "cp1252", lines
    return "latin-1", lines


# ---------------------------------------------------------------- delimiter and header
def sniff_delimiter(sample: str) -> str:
    """The delimiter of the first complete lines of ``sample``; a comma when unsure."""
    lines = sample.splitlines()
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line may be cut in the middle
    text = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def check_header(header: list[str]) -> list[str]:
    """The cleaned column names, or :class:`CsvProblem` saying what is wrong with them."""
    names = [cell.strip().lstrip("\ufeff") for cell in header]
    if not any(names):
        raise CsvProblem("The first row is empty. It must be a header row naming each column.")
    if len(names) > MAX_COLUMNS:
        raise CsvProblem(f"The file has {len(names)} columns; at most {MAX_COLUMNS} are supported.")
    for name in names:
        if "@" in name and valid_email(name.lower()):
            raise CsvProblem(
                f"The first row must be a header row naming each column, but it looks like data "
                f"({name!r}). Add a header row such as “email,first name,last name”."
            )
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name:
            raise CsvProblem(f"Column {i} has no name in the header row. Every column needs a name.")
        if "\x00" in name:
            raise CsvProblem(f"Column {i}'s name contains a NUL character.")
        if len(name) > 200:
            raise CsvProblem(f"Column {i}'s name is longer than 200 characters.")
        key = name.lower()
        if key in seen:
            raise CsvProblem(f"Two columns are named {name!r} (columns {seen[key]} and {i}).")
        seen[key] = i
    return names


# ---------------------------------------------------------------- reading
def open_text(path: Path, fmt: CsvFormat) -> IO[str]:
    return path.open("r", encoding=fmt.encoding, newline="")


def reader(stream: IO[str], fmt: CsvFormat) -> Iterator[list[str]]:
    return csv.reader(stream, delimiter=fmt.delimiter)


def inspect(path: Path) -> Inspection:
    """Everything the upload page needs, or :class:`CsvProblem`."""
    size = path.stat().st_size
    if size == 0:
        raise CsvProblem("The file is empty.")
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if problem := _binary_problem(head):
        raise CsvProblem(problem)
    encoding, lines = detect_encoding(path)
    sample = head.decode(encoding, errors="ignore")
    fmt = CsvFormat(encoding=encoding, delimiter=sniff_delimiter(sample))
    with open_text(path, fmt) as stream:
        rows = reader(stream, fmt)
        try:
            header = next(rows, None)
            if header is None or not any(cell.strip() for cell in header):
                raise CsvProblem("The file has no header row. The first row must name each column.")
            headers = check_header(header)
            preview: list[list[str]] = []
            for record in rows:
                if not any(cell.strip() for cell in record):
                    continue
                preview.append(fit(record, len(headers)))
                if len(preview) == PREVIEW_ROWS:
                    break
        except csv.Error as exc:
            raise CsvProblem(f"Row {len(preview) + 2} cannot be read as CSV: {exc}.") from exc
    if not preview:
        raise CsvProblem("The file has a header row but no data rows.")
    return Inspection(fmt, headers, preview, estimated_rows=max(lines - 1, len(preview)))


def fit(record: list[str], width: int) -> list[str]:
    """``record`` cut or padded to ``width`` cells (for tables and the error report)."""
    if len(record) >= width:
        return record[:width]
    return record + [""] * (width - len(record))


def records(stream: IO[str], fmt: CsvFormat, *, skip: int = 0) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` for each record after the header, from the ``skip``-th on.

    Raises ``csv.Error`` (with the row number in :attr:`ReadError.row`) when the file cannot be
    read past some point, e.g. a quote that is never closed.
    """
    rows = reader(stream, fmt)
    number = 1
    try:
        next(rows)  # the header
        for _ in range(skip):
            next(rows)
            number += 1
        for record in rows:
            number += 1
            yield number, record
    except StopIteration:
        return
    except csv.Error as exc:
        raise ReadError(number + 1, str(exc)) from exc


class ReadError(CsvProblem):
    def __init__(self, row: int, reason: str) -> None:
        super().__init__(f"row {row} cannot be read as CSV ({reason}); the import stopped there")
        self.row = row
        self.reason = reason


def preview(path: Path, fmt: CsvFormat, rows: int = PREVIEW_ROWS) -> list[list[str]]:
    """The first ``rows`` non-blank records after the header, padded to the header's width."""
    out: list[list[str]] = []
    with open_text(path, fmt) as stream:
        it = reader(stream, fmt)
        try:
            width = len(next(it, []))
            for record in it:
                if any(cell.strip() for cell in record):
                    out.append(fit(record, width))
                    if len(out) == rows:
                        break
        except csv.Error:
            pass  # the runner reports it with its row number
    return out
