"""CSV exports of contacts and companies, streamed row by row.

Every cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
single quote, so a spreadsheet shows it as text instead of running it as a formula (CSV injection;
OWASP's advice). That also applies to numbers such as ``-5`` and phone numbers such as
``+44 …``; an import of the file drops the quote again. Files start with a UTF-8 BOM so Excel
reads accents correctly.

Rows come from ``QuerySet.values_list(...).iterator(chunk_size=…)``: no model instances, and at
most one chunk in memory (server-side cursors on PostgreSQL).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from accord.contacts.models import Company, Contact, PropertyDefinition
from accord.core.spreadsheet import neutralise

CHUNK_SIZE = 2000
ROWS_PER_WRITE = 200  # rows joined into one chunk of the HTTP response

CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (
    # (header, values_list path)
    ("email", "email"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("phone", "phone"),
    ("title", "title"),
    ("company", "company__name"),
    ("company_domain", "company__domain"),
    ("country", "country"),
    ("lifecycle_stage", "lifecycle_stage"),
    ("owner_email", "owner__email"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
)
COMPANY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "name"),
    ("domain", "domain"),
    ("industry", "industry"),
    ("size", "size"),
    ("revenue_band", "revenue_band"),
    ("country", "country"),
    ("lifecycle_stage", "lifecycle_stage"),
    ("owner_email", "owner__email"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class _Echo:
    """A file-like object whose ``write`` returns what it was given (for ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def property_keys(object_type: str) -> list[str]:
    return list(
        PropertyDefinition.objects.filter(object_type=object_type)
        .order_by("key")
        .values_list("key", flat=True)
    )


def csv_chunks(
    queryset: QuerySet[Any], columns: Sequence[tuple[str, str]], properties: Sequence[str]
) -> Iterator[str]:
    """The CSV text of ``queryset`` in chunks of :data:`ROWS_PER_WRITE` rows, header first."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    header = [h for h, _ in columns] + [f"properties.{k}" for k in properties]
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    paths = [p for _, p in columns]
    rows = queryset.values_list(*paths, "properties").iterator(chunk_size=CHUNK_SIZE)
    pending: list[str] = []
    for row in rows:
        *values, props = row
        cells = [_text(v) for v in values]
        if properties:
            props = props or {}
            cells += [_text(props.get(k)) for k in properties]
        pending.append(writer.writerow([neutralise(c) for c in cells]))
        if len(pending) == ROWS_PER_WRITE:
            yield "".join(pending)
            pending.clear()
    if pending:
        yield "".join(pending)


def contact_rows(queryset: QuerySet[Contact]) -> Iterable[str]:
    keys = property_keys(PropertyDefinition.ObjectType.CONTACT)
    return csv_chunks(queryset, CONTACT_COLUMNS, keys)


def company_rows(queryset: QuerySet[Company]) -> Iterable[str]:
    keys = property_keys(PropertyDefinition.ObjectType.COMPANY)
    return csv_chunks(queryset, COMPANY_COLUMNS, keys)
