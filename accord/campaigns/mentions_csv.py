"""Brand mentions from a CSV file (the ``import_mentions`` command and the campaign page upload).

Columns (a header row is required, any order, any case)::

    external_id, campaign_id, campaign, channel, source, url, title, sentiment, reach, occurred_at

``channel``, ``source`` and ``occurred_at`` are required. ``campaign`` is a campaign's UTM code or
name. Valid rows are stored (idempotently, by ``external_id``); each bad row is reported with its
line number and left out.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from accord.campaigns.actions import ingest_mentions
from accord.campaigns.actions.mentions import FIELDS

REQUIRED_COLUMNS = ("channel", "source", "occurred_at")
ROWS_PER_BATCH = 1000


@dataclass
class CsvImport:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message); 0: the file

    @property
    def failed(self) -> int:
        return len({line for line, _ in self.errors if line})


def _rows(reader: csv.DictReader[str], result: CsvImport) -> Iterator[tuple[int, dict[str, Any]]]:
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            result.errors.append((reader.line_num, f"Unreadable CSV: {exc}. Import stopped here."))
            return
        result.rows += 1
        if None in raw:
            result.errors.append((reader.line_num, "More values than columns."))
            continue
        yield reader.line_num, {k: v for k, v in raw.items() if k and v not in (None, "")}


def import_mentions_csv(stream: TextIO, *, campaign_id: int | None = None) -> CsvImport:
    """Read mentions from ``stream`` and store the valid ones. Rows naming no campaign are filed
    under ``campaign_id`` when given (an upload on a campaign's page)."""
    result = CsvImport()
    reader = csv.DictReader(stream)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        result.errors.append((1, f"Unreadable CSV: {exc}."))
        return result
    if not header:
        result.errors.append((0, "The file is empty; the first line must name the columns."))
        return result
    columns = [(name or "").strip().lower() for name in header]
    unknown = sorted(set(columns) - FIELDS)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if unknown or missing:
        problems = ([f"unknown column(s): {', '.join(unknown)}"] if unknown else []) + (
            [f"missing column(s): {', '.join(missing)}"] if missing else []
        )
        result.errors.append(
            (1, f"Bad header — {'; '.join(problems)}. Columns: {', '.join(sorted(FIELDS))}.")
        )
        return result
    reader.fieldnames = columns
    batch: list[tuple[int, dict[str, Any]]] = []
    for line, row in _rows(reader, result):
        if campaign_id is not None and not (row.get("campaign") or row.get("campaign_id")):
            row["campaign_id"] = campaign_id
        batch.append((line, row))
        if len(batch) >= ROWS_PER_BATCH:
            _store(batch, result)
            batch = []
    if batch:
        _store(batch, result)
    result.errors.sort()
    return result


def _store(batch: list[tuple[int, dict[str, Any]]], result: CsvImport) -> None:
    outcome = ingest_mentions([row for _, row in batch], partial=True)
    result.created += outcome.created
    result.duplicates += outcome.duplicates
    for index, fields in outcome.errors.items():
        line = batch[index][0]
        for name, messages in fields.items():
            result.errors.extend((line, f"{name}: {message}") for message in messages)
