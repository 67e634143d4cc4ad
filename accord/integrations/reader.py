"""Reading a file's rows in batches: parse, convert, keep the cells of rows that may be reported.

One batch at a time is in memory. Reading needs no database: the converter gets the users and
custom properties it checks against as plain data (:class:`~accord.integrations.mapping.ConverterSpec`).
(Reading in a helper process while this one writes was tried and measured slower on 2 cores; see
docs/benchmarks.md.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from accord.contacts.bulk import CompanyRow, ContactRow
from accord.integrations.mapping import ConverterSpec, RowConverter
from accord.integrations.parse import CsvFormat, ReadError, open_text, records


@dataclass
class Batch:
    rows: list[ContactRow | CompanyRow] = field(default_factory=list)
    cells: dict[int, list[str]] = field(default_factory=dict)  # row number → cells, for error rows
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    consumed: int = 0  # records read, blank lines included
    read_error: tuple[int, str] | None = None  # the row the file cannot be read past, and why


@dataclass(frozen=True)
class ReadPlan:
    """Everything needed to read a job's remaining rows."""

    path: str
    format: CsvFormat
    skip: int
    batch_size: int
    converter: ConverterSpec


def read(plan: ReadPlan) -> Iterator[Batch]:
    """Batches of ``plan.batch_size`` records, in this process; the last one may be shorter."""
    converter = RowConverter(plan.converter)
    with open_text(Path(plan.path), plan.format) as stream:
        rows = records(stream, plan.format, skip=plan.skip)
        while True:
            batch = _read_batch(rows, converter, plan.batch_size)
            yield batch
            if batch.read_error is not None or batch.consumed < plan.batch_size:
                return


def _read_batch(rows: Iterator[tuple[int, list[str]]], converter: RowConverter, size: int) -> Batch:
    batch = Batch()
    try:
        while batch.consumed < size:
            item = next(rows, None)
            if item is None:
                break
            number, cells = item
            batch.consumed += 1
            converted = converter.convert(cells)
            if converted is None:
                continue
            batch.cells[number] = cells
            if isinstance(converted, list):
                batch.errors.append((number, "; ".join(converted)))
            else:
                converted.ref = number
                batch.rows.append(converted)
    except ReadError as exc:
        batch.read_error = (exc.row, exc.reason)
    return batch
